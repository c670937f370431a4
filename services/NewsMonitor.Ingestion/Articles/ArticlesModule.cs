using JasperFx.Events.Projections;
using Marten;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Ingestion.Articles;

/// <summary>Registers the article intake: event store, relay, consumers of downstream progress.</summary>
public static class ArticlesModule
{
    /// <summary>Adds everything the articles feature needs.</summary>
    public static WebApplicationBuilder AddArticles(this WebApplicationBuilder builder)
    {
        builder.AddEventStore("ingestion", options =>
            {
                options.Projections.Snapshot<Article>(SnapshotLifecycle.Inline);
                options.Events.AddEventType<ArticleSubmitted>();
                options.Events.AddEventType<ArticleProcessingStepCompleted>();
                // Exact duplicates by text: the primary key is the unique index two racing writers meet on.
                options.Schema.For<ArticleText>();
                // Near-duplicate candidates: one indexed column per band, queried with OR in one statement.
                options.Schema.For<ArticleFingerprint>()
                    .Duplicate(f => f.S0).Duplicate(f => f.S1).Duplicate(f => f.S2).Duplicate(f => f.S3)
                    .Duplicate(f => f.M0).Duplicate(f => f.M1).Duplicate(f => f.M2).Duplicate(f => f.M3).Duplicate(f => f.M4).Duplicate(f => f.M5)
                    .Duplicate(f => f.M6).Duplicate(f => f.M7).Duplicate(f => f.M8).Duplicate(f => f.M9).Duplicate(f => f.M10).Duplicate(f => f.M11)
                    .Index(f => f.ReceivedAt);
            })
            .AddSubscriptionWithServices<ArticleRelay>(ServiceLifetime.Singleton);
        builder.AddMessaging("ingestion", bus =>
        {
            // Progress reports in batches, one transaction each (BatchAppends).
            bus.AddBatchConsumer<ArticleClassifiedConsumer, NewsMonitor.Contracts.ArticleClassified>(50);
            bus.AddBatchConsumer<EntitiesExtractedConsumer, NewsMonitor.Contracts.EntitiesExtracted>(50);
            bus.AddBatchConsumer<ArticleAlertsEvaluatedConsumer, NewsMonitor.Contracts.ArticleAlertsEvaluated>(50);
            // Queue "ingestion-submit-article"; a request client without an address reaches it through the message's exchange.
            bus.AddConsumer<SubmitArticleConsumer>();
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<ArticleIntake>();
        builder.Services.AddSingleton(new NearDuplicateSettings(
            builder.Configuration.GetValue("Ingestion:NearDuplicateThreshold", NearDuplicateSettings.DefaultThreshold)));
        // One detector for the process, built here at start-up with every model loaded (about 1 s, 70 MB), so that no
        // request pays for it; Lingua keeps the models for the process.
        builder.Services.AddSingleton(new LanguageDetection(
            builder.Configuration.GetValue("Ingestion:LanguageDetection:Threshold", LanguageDetection.DefaultThreshold),
            builder.Configuration.GetValue("Ingestion:LanguageDetection:HighAccuracy", false), preload: true));
        return builder;
    }
}
