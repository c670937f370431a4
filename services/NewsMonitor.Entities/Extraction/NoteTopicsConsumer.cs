using Marten;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Entities.Extraction;

/// <summary>
/// Notes an article's topic labels once, for the topic mix of its entities' profiles. Written under the same
/// optimistic concurrency as extraction, so whichever of the two events comes second carries the other's facts; taken
/// in batches, one transaction per batch (<see cref="BatchAppends"/>).
/// </summary>
public sealed class NoteTopicsConsumer(IDocumentStore store, TimeProvider clock) : IConsumer<Batch<ArticleClassified>>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<Batch<ArticleClassified>> context) =>
        store.DecideAndAppendBatchAsync(context.Message.Select(delivery =>
        {
            var classified = delivery.Message;
            return new BatchDecision<ArticleEntities>(classified.ArticleId, known => known?.Topics is not null
                ? []
                : [new ArticleTopicsNoted(classified.ArticleId, classified.Topics.Select(topic => topic.Label).Distinct(StringComparer.Ordinal).ToArray(), known?.EntityIds ?? [], clock.GetUtcNow())],
                MessageTrace.ParentOf(delivery));
        }).ToList(), context.CancellationToken);
}
