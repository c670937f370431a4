using JasperFx.Events.Projections;
using Marten;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Classification.Topics;

/// <summary>Registers topic classification: event store, relay, consumer, lexicon.</summary>
public static class TopicsModule
{
    /// <summary>Adds everything the topics feature needs.</summary>
    public static WebApplicationBuilder AddTopics(this WebApplicationBuilder builder)
    {
        builder.AddEventStore("classification", options =>
            {
                options.Projections.Snapshot<ArticleTopics>(SnapshotLifecycle.Inline);
                options.Schema.For<ArticleTopics>().Index(article => article.ClassifiedAt);
                options.Events.AddEventType<ArticleTopicsAssigned>();
                options.Projections.Add<NewsMonitor.Classification.Timelines.TopicBucketProjection>(ProjectionLifecycle.Async);
                options.Schema.For<NewsMonitor.Classification.Timelines.TopicBucket>().Index(found => found.Start);
            })
            .AddSubscriptionWithServices<ClassificationRelay>(ServiceLifetime.Singleton);
        builder.AddMessaging("classification", bus => bus.AddConsumer<ClassifyArticleConsumer>());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(TopicLexicon.BuiltIn);
        builder.Services.AddSingleton(_ => TopicClassifier.BuiltIn);
        return builder;
    }
}
