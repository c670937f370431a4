using JasperFx.Events;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Classification.Topics;

/// <summary>Publishes <see cref="ArticleClassified"/> for every committed <see cref="ArticleTopicsAssigned"/>.</summary>
public sealed class ClassificationRelay : IntegrationEventRelay
{
    /// <summary>Creates the relay.</summary>
    public ClassificationRelay(IBus bus, ILogger<ClassificationRelay> logger) : base(bus, logger)
    {
        Name = "classification-relay";
        IncludeType<ArticleTopicsAssigned>();
    }

    /// <inheritdoc />
    protected override object? ToIntegrationEvent(IEvent domainEvent) => domainEvent.Data is ArticleTopicsAssigned assigned
        ? new ArticleClassified(assigned.ArticleId, assigned.Topics, assigned.ModelVersion, domainEvent.Timestamp, assigned.Scores)
        : null;
}
