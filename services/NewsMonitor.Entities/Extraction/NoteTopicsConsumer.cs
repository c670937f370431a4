using Marten;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Entities.Extraction;

/// <summary>
/// Notes an article's topic labels once, for the topic mix of its entities' profiles. Written under the same
/// optimistic concurrency as extraction, so whichever of the two events comes second carries the other's facts.
/// </summary>
public sealed class NoteTopicsConsumer(IDocumentSession session, TimeProvider clock) : IConsumer<ArticleClassified>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<ArticleClassified> context)
    {
        var classified = context.Message;
        await session.DecideAndAppendAsync<ArticleEntities>(classified.ArticleId, known => Task.FromResult<object?>(known?.Topics is not null
            ? null
            : new ArticleTopicsNoted(classified.ArticleId, classified.Topics.Select(topic => topic.Label).Distinct(StringComparer.Ordinal).ToArray(), known?.EntityIds ?? [], clock.GetUtcNow())),
            context.CancellationToken);
    }
}
