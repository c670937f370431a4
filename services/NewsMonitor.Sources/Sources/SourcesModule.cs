using JasperFx.Events.Projections;
using Marten;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Sources.Fetching;
using NewsMonitor.Sources.Polling;

namespace NewsMonitor.Sources.Sources;

/// <summary>Registers the sources feature: event store (schema <c>sources</c>), messaging to ingestion, settings and the poller.</summary>
public static class SourcesModule
{
    /// <summary>Adds everything the sources feature needs; settings from the <c>Sources</c> configuration section.</summary>
    public static WebApplicationBuilder AddSources(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<SourcesOptions>(builder.Configuration.GetSection("Sources"));
        builder.AddEventStore("sources", options =>
        {
            options.Projections.Snapshot<Source>(SnapshotLifecycle.Inline);
            options.Projections.Snapshot<SourceItem>(SnapshotLifecycle.Inline);
            options.Schema.For<Source>().Index(source => source.NextPollAt);
            options.Schema.For<SourceItem>().Index(item => item.SourceId);
            options.Events.AddEventType<SourceAdded>();
            options.Events.AddEventType<SourceChanged>();
            options.Events.AddEventType<SourcePaused>();
            options.Events.AddEventType<SourceResumed>();
            options.Events.AddEventType<SourceRemoved>();
            options.Events.AddEventType<SourcePollRequested>();
            options.Events.AddEventType<SourcePollStarted>();
            options.Events.AddEventType<SourcePolled>();
            options.Events.AddEventType<SourceUrlMoved>();
            options.Events.AddEventType<SourceItemRecorded>();
        });
        var submitTimeout = builder.Configuration.GetSection("Sources").GetValue<TimeSpan?>("SubmitTimeout") ?? new SourcesOptions().SubmitTimeout;
        builder.AddMessaging("sources", bus => bus.AddRequestClient<SubmitArticle>(submitTimeout));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddPoliteFetcher(builder.Configuration);
        builder.Services.AddSingleton<PollRunner>();
        if (builder.Configuration.GetSection("Sources").GetValue("PollerEnabled", true)) builder.Services.AddHostedService<SourcePoller>();
        return builder;
    }
}
