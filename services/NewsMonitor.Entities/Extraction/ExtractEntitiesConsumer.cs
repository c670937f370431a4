using Marten;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.Entities.Catalog;
using NewsMonitor.Entities.Recognition;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Entities.Extraction;

/// <summary>
/// Extracts each received article's entities once. The article's stream is written under optimistic
/// concurrency (<c>FetchForWriting</c>): a redelivery sees the extraction and does nothing, and a topics
/// event committed meanwhile makes this attempt fail and retry with the topics known.
/// </summary>
public sealed class ExtractEntitiesConsumer(IDocumentSession session, EntityDirectory directory, TimeProvider clock) : IConsumer<ArticleReceived>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<ArticleReceived> context)
    {
        var article = context.Message;
        await session.DecideAndAppendAsync<ArticleEntities>(article.ArticleId, async known =>
        {
            if (known?.Extracted == true) return null;
            var recognizer = await directory.CurrentAsync(session, context.CancellationToken);
            // Offsets index the body (api.md), so the body is what is read.
            return new ArticleEntitiesExtracted(article.ArticleId, recognizer.Extract(article.Body), EntityRecognizer.Version, clock.GetUtcNow(), known?.Topics);
        }, context.CancellationToken);
    }
}
