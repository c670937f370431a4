using JasperFx.Events;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Ingestion.Articles;

/// <summary>Publishes <see cref="ArticleReceived"/> for every committed <see cref="ArticleSubmitted"/>.</summary>
public sealed class ArticleRelay : IntegrationEventRelay
{
    /// <summary>Creates the relay.</summary>
    public ArticleRelay(IBus bus, ILogger<ArticleRelay> logger) : base(bus, logger)
    {
        Name = "article-relay";
        IncludeType<ArticleSubmitted>();
    }

    /// <inheritdoc />
    protected override object? ToIntegrationEvent(IEvent domainEvent) => domainEvent.Data is ArticleSubmitted submitted
        ? new ArticleReceived(submitted.ArticleId, submitted.Title, submitted.Body, submitted.Url, submitted.Language, submitted.Source,
            submitted.PublishedAt, submitted.ReceivedAt, domainEvent.Timestamp, submitted.LanguageConfidence, submitted.DuplicateOf, submitted.Similarity)
        : null;
}
