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
            })
            .AddSubscriptionWithServices<ArticleRelay>(ServiceLifetime.Singleton);
        builder.AddMessaging("ingestion", bus =>
        {
            bus.AddConsumer<ArticleClassifiedConsumer>();
            bus.AddConsumer<EntitiesExtractedConsumer>();
            bus.AddConsumer<ArticleAlertsEvaluatedConsumer>();
            // Queue "ingestion-submit-article"; a request client without an address reaches it through the message's exchange.
            bus.AddConsumer<SubmitArticleConsumer>();
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<ArticleIntake>();
        return builder;
    }
}
