using Marten;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.Entities.Recognition;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Entities.Extraction;

/// <summary>Extracts each received article's entities once: the article's stream here is started at most once.</summary>
public sealed class ExtractEntitiesConsumer(IDocumentSession session, EntitySpotter spotter, TimeProvider clock) : IConsumer<ArticleReceived>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<ArticleReceived> context)
    {
        var article = context.Message;
        await session.AppendOnceAsync(article.ArticleId, () =>
        {
            var entities = spotter.Extract(article.Body);
            session.Events.StartStream<ArticleEntities>(article.ArticleId, new ArticleEntitiesExtracted(article.ArticleId, entities, EntitySpotter.Version, clock.GetUtcNow()));
            return Task.CompletedTask;
        }, context.CancellationToken);
    }
}
