using JasperFx.Events;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Entities.Extraction;

/// <summary>Publishes <see cref="EntitiesExtracted"/> for every committed <see cref="ArticleEntitiesExtracted"/>.</summary>
public sealed class EntitiesRelay : IntegrationEventRelay
{
    /// <summary>Creates the relay.</summary>
    public EntitiesRelay(IBus bus, ILogger<EntitiesRelay> logger) : base(bus, logger)
    {
        Name = "entities-relay";
        IncludeType<ArticleEntitiesExtracted>();
    }

    /// <inheritdoc />
    protected override object? ToIntegrationEvent(IEvent domainEvent) => domainEvent.Data is ArticleEntitiesExtracted extracted
        ? new EntitiesExtracted(extracted.ArticleId, extracted.Entities, extracted.ExtractorVersion, domainEvent.Timestamp)
        : null;
}
