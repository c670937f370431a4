using JasperFx.Events.Projections;
using Marten;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Classification.Topics;

/// <summary>Registers topic classification: event store, relay, consumers, model, operator topics.</summary>
public static class TopicsModule
{
    /// <summary>Adds everything the topics feature needs.</summary>
    public static WebApplicationBuilder AddTopics(this WebApplicationBuilder builder)
    {
        builder.AddEventStore("classification", options =>
            {
                options.Projections.Snapshot<ArticleTopics>(SnapshotLifecycle.Inline);
                options.Schema.For<ArticleTopics>().Index(article => article.ClassifiedAt).Index(article => article.BucketAt);
                options.Events.AddEventType<ArticleTopicsAssigned>();
                options.Events.AddEventType<ArticleTextNoted>();
                options.Events.AddEventType<ArticleEntitiesNoted>();
                options.Projections.Snapshot<OperatorTopicSet>(SnapshotLifecycle.Inline);
                options.Events.AddEventType<OperatorTopicDefined>();
                options.Events.AddEventType<OperatorTopicRedefined>();
                options.Events.AddEventType<OperatorTopicRetired>();
                options.Projections.Add<NewsMonitor.Classification.Timelines.TopicBucketProjection>(ProjectionLifecycle.Async);
                options.Schema.For<NewsMonitor.Classification.Timelines.TopicBucket>().Index(found => found.Start);
            })
            .AddSubscriptionWithServices<ClassificationRelay>(ServiceLifetime.Singleton);
        builder.AddMessaging("classification", bus =>
        {
            // Batches, one transaction each (BatchAppends); articles are classified before their batch is saved.
            bus.AddBatchConsumer<ClassifyArticleConsumer, NewsMonitor.Contracts.ArticleReceived>(16);
            bus.AddBatchConsumer<NoteEntitiesConsumer, NewsMonitor.Contracts.EntitiesExtracted>(50);
        });
        builder.Services.AddSingleton<ArticleFactNoter>();
        builder.Services.AddSingleton<OperatorTopicDirectory>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(TopicLexicon.BuiltIn);
        builder.Services.AddSingleton(_ => TopicClassifier.BuiltIn);
        return builder;
    }
}
