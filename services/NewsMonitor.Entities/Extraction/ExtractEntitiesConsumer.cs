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
        if (await session.Events.FetchStreamStateAsync(article.ArticleId, context.CancellationToken) is not null) return;

        var entities = spotter.Extract(article.Body);
        session.KeepTraceContext();
        session.Events.StartStream<ArticleEntities>(article.ArticleId, new ArticleEntitiesExtracted(article.ArticleId, entities, EntitySpotter.Version, clock.GetUtcNow()));
        try
        {
            await session.SaveChangesAsync(context.CancellationToken);
        }
        catch (Exception exception) when (EventStoreSessions.IsStreamCollision(exception))
        {
            // A redelivered copy was handled concurrently; its result stands.
        }
    }
}
