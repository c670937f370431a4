using Marten;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.Entities.Catalog;
using NewsMonitor.Entities.Recognition;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Entities.Extraction;

/// <summary>
/// Extracts each received article's entities once. Articles are taken in batches (<see cref="ExtractionModule"/>) and
/// their streams written in one transaction (<see cref="BatchAppends"/>), each under optimistic concurrency
/// (<c>FetchForWriting</c>): a redelivery sees the extraction and does nothing, and a topics event committed meanwhile
/// makes the batch's save fail, after which each article is decided again on its own, with the topics known.
/// </summary>
/// <remarks>
/// The tagging (tens of milliseconds for a long article) runs before the streams are read for writing, not between that
/// read and the save: the topics of the same article usually arrive while it runs, and a save that found the stream
/// changed under it threw the tagging away and did it again (issue 17's profile: 26 of 770 articles tagged twice, 140
/// topic notes retried). Articles already extracted (a redelivery, or every article of a replay) are recognised first
/// by one read of their documents, so they are not tagged for nothing; an article twice in one batch is tagged once.
/// </remarks>
public sealed class ExtractEntitiesConsumer(IDocumentStore store, EntityDirectory directory, TimeProvider clock) : IConsumer<Batch<ArticleReceived>>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<Batch<ArticleReceived>> context)
    {
        var cancellationToken = context.CancellationToken;
        var ids = context.Message.Select(delivery => delivery.Message.ArticleId).Where(id => id != Guid.Empty).Distinct().ToArray();
        HashSet<Guid> extracted;
        EntityRecognizer recognizer;
        // One query session for the batch's reads (which articles are done, the recogniser); the writes use BatchAppends' own sessions.
        await using (var query = store.QuerySession())
        {
            extracted = (await query.LoadManyAsync<ArticleEntities>(cancellationToken, ids)).Where(article => article.Extracted).Select(article => article.Id).ToHashSet();
            recognizer = await directory.CurrentAsync(query, cancellationToken);
        }
        var decisions = new List<BatchDecision<ArticleEntities>>();
        foreach (var delivery in context.Message)
        {
            var article = delivery.Message;
            if (!extracted.Add(article.ArticleId)) continue;
            // Offsets index the body (api.md), so the body is what is read.
            var entities = recognizer.Extract(article.Body);
            decisions.Add(new BatchDecision<ArticleEntities>(article.ArticleId, known => known?.Extracted == true
                ? []
                : [new ArticleEntitiesExtracted(article.ArticleId, entities, EntityRecognizer.Version, clock.GetUtcNow(), known?.Topics)],
                MessageTrace.ParentOf(delivery)));
        }
        await store.DecideAndAppendBatchAsync(decisions, cancellationToken);
    }
}
