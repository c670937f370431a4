using JasperFx.Events.Projections;
using Marten;
using NewsMonitor.Entities.Catalog;
using NewsMonitor.Entities.Profiles;
using NewsMonitor.Entities.Recognition;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Entities.Extraction;

/// <summary>Registers the service: event store and projections, relay, consumers, catalog and recogniser.</summary>
public static class ExtractionModule
{

    /// <summary>Adds everything the entities service needs.</summary>
    public static WebApplicationBuilder AddExtraction(this WebApplicationBuilder builder)
    {
        builder.AddEventStore("entities", options =>
            {
                options.Projections.Snapshot<ArticleEntities>(SnapshotLifecycle.Inline);
                options.Schema.For<ArticleEntities>().Index(article => article.ExtractedAt);
                options.Events.AddEventType<ArticleEntitiesExtracted>();
                options.Events.AddEventType<ArticleTopicsNoted>();
                options.Projections.Snapshot<CatalogEdits>(SnapshotLifecycle.Inline);
                options.Events.AddEventType<EntityDefined>();
                options.Events.AddEventType<EntityAliasAdded>();
                options.Events.AddEventType<EntitiesMerged>();
                options.Projections.Add<EntityProfileProjection>(ProjectionLifecycle.Async);
                options.Projections.Add<EntityMentionHourProjection>(ProjectionLifecycle.Async);
                options.Schema.For<EntityProfile>().Index(profile => profile.Articles);
                options.Schema.For<EntityMentionHour>().Index(hour => hour.Hour);
            })
            .AddSubscriptionWithServices<EntitiesRelay>(ServiceLifetime.Singleton);
        builder.AddMessaging("entities", bus =>
        {
            // Batches (one transaction and one commit-order lock each). Extraction batches are smaller: their articles
            // are tagged before any of them is saved.
            bus.AddBatchConsumer<ExtractEntitiesConsumer, NewsMonitor.Contracts.ArticleReceived>(16);
            bus.AddBatchConsumer<NoteTopicsConsumer, NewsMonitor.Contracts.ArticleClassified>(50);
        });
        builder.Services.AddSingleton(TimeProvider.System);
        // The recogniser is rebuilt when an operator edits the catalog on any replica (a NOTIFY), not checked per article.
        builder.AddAggregateChanges<CatalogEdits>();
        builder.Services.AddSingleton(services => new EntityDirectory(BuiltInData.TrainedTagger, services.GetRequiredService<AggregateChanges<CatalogEdits>>()));
        return builder;
    }
}
