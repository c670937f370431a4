using Marten;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Classification.Topics;

/// <summary>
/// Notes a fact of an article (its text, its entities) on the article's stream and, in the same append, assigns the
/// topics the facts now decide (<see cref="TopicAssignment"/>). A redelivery notes nothing and changes nothing; a replay
/// meeting an older model's classification re-classifies it. Streams are written under optimistic concurrency, so
/// concurrent copies of a message store one result (the loser is decided again against the state that won). Facts come
/// in batches, one transaction per batch (<see cref="BatchAppends"/>).
/// </summary>
public sealed class ArticleFactNoter(IDocumentStore store, TopicClassifier classifier, OperatorTopicDirectory directory, TimeProvider clock)
{
    /// <summary>
    /// Notes each delivery's fact unless <paramref name="known"/> says the stream has it, then decides the topics.
    /// </summary>
    public async Task NoteAsync<TMessage, TFact>(Batch<TMessage> batch, Func<TMessage, Guid> articleOf, Func<TMessage, TFact> factOf,
        Func<ArticleTopics, bool> known, Func<ArticleTopics?, TFact, ArticleTopics> apply, CancellationToken cancellationToken)
        where TMessage : class
        where TFact : notnull
    {
        OperatorTopicRules rules;
        await using (var query = store.QuerySession()) rules = await directory.CurrentAsync(query, cancellationToken);
        await store.DecideAndAppendBatchAsync(batch.Select(delivery =>
        {
            var fact = factOf(delivery.Message);
            return new BatchDecision<ArticleTopics>(articleOf(delivery.Message), existing =>
            {
                var events = new List<object>();
                var article = existing;
                if (article is null || !known(article))
                {
                    events.Add(fact);
                    article = apply(article, fact);
                }
                if (TopicAssignment.Decide(article, classifier, rules, clock.GetUtcNow()) is { } assigned) events.Add(assigned);
                return events;
            }, MessageTrace.ParentOf(delivery));
        }).ToList(), cancellationToken);
    }
}

/// <summary>A received article: its text is noted and it is classified (or re-classified by a newer model).</summary>
public sealed class ClassifyArticleConsumer(ArticleFactNoter noter, TimeProvider clock) : IConsumer<Batch<ArticleReceived>>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<Batch<ArticleReceived>> context) =>
        noter.NoteAsync(context.Message, article => article.ArticleId,
            article => new ArticleTextNoted(article.ArticleId, article.Title, article.Body, article.Source, article.Language, article.ReceivedAt, clock.GetUtcNow()),
            existing => existing.Text is not null, (existing, fact) => existing?.Apply(fact) ?? ArticleTopics.Create(fact), context.CancellationToken);
}

/// <summary>An article's entities: noted, and the operator topics filtering on entities are decided.</summary>
public sealed class NoteEntitiesConsumer(ArticleFactNoter noter, TimeProvider clock) : IConsumer<Batch<EntitiesExtracted>>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<Batch<EntitiesExtracted>> context) =>
        noter.NoteAsync(context.Message, message => message.ArticleId,
            message => new ArticleEntitiesNoted(message.ArticleId, message.Entities, clock.GetUtcNow()),
            existing => existing.Entities is not null, (existing, fact) => existing?.Apply(fact) ?? ArticleTopics.Create(fact), context.CancellationToken);
}
