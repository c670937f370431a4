using JasperFx.Events.Projections;
using Marten;
using NewsMonitor.Entities.Recognition;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Entities.Extraction;

/// <summary>Registers entity extraction: event store, relay, consumer, catalog and spotter.</summary>
public static class ExtractionModule
{
    /// <summary>Adds everything the extraction feature needs.</summary>
    public static WebApplicationBuilder AddExtraction(this WebApplicationBuilder builder)
    {
        builder.AddEventStore("entities", options =>
            {
                options.Projections.Snapshot<ArticleEntities>(SnapshotLifecycle.Inline);
                options.Schema.For<ArticleEntities>().Index(article => article.ExtractedAt);
                options.Events.AddEventType<ArticleEntitiesExtracted>();
            })
            .AddSubscriptionWithServices<EntitiesRelay>(ServiceLifetime.Singleton);
        builder.AddMessaging("entities", bus => bus.AddConsumer<ExtractEntitiesConsumer>());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(_ => EntityCatalog.LoadBuiltIn());
        builder.Services.AddSingleton(provider => new EntitySpotter(provider.GetRequiredService<EntityCatalog>()));
        return builder;
    }
}
