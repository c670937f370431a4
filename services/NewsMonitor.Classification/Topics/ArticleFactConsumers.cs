using Marten;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Classification.Topics;

/// <summary>
/// Notes a fact of an article (its text, its entities) on the article's stream and, in the same append, assigns the
/// topics the facts now decide (<see cref="TopicAssignment"/>). A redelivery notes nothing and changes nothing; a replay
/// meeting an older model's classification re-classifies it. Streams are written under optimistic concurrency, so
/// concurrent copies of a message store one result (the loser is retried against the state that won).
/// </summary>
public sealed class ArticleFactNoter(IDocumentSession session, TopicClassifier classifier, OperatorTopicDirectory directory, TimeProvider clock)
{
    /// <summary>Notes <paramref name="fact"/> unless <paramref name="known"/> says the stream has it, then decides the topics.</summary>
    public async Task NoteAsync<TFact>(Guid articleId, TFact fact, Func<ArticleTopics, bool> known, Func<ArticleTopics?, TFact, ArticleTopics> apply, CancellationToken cancellationToken)
        where TFact : notnull
    {
        var rules = await directory.CurrentAsync(session, cancellationToken);
        await session.DecideAndAppendEventsAsync<ArticleTopics>(articleId, existing =>
        {
            var events = new List<object>();
            var article = existing;
            if (article is null || !known(article))
            {
                events.Add(fact);
                article = apply(article, fact);
            }
            if (TopicAssignment.Decide(article, classifier, rules, clock.GetUtcNow()) is { } assigned) events.Add(assigned);
            return Task.FromResult<IReadOnlyList<object>>(events);
        }, cancellationToken);
    }
}

/// <summary>A received article: its text is noted and it is classified (or re-classified by a newer model).</summary>
public sealed class ClassifyArticleConsumer(ArticleFactNoter noter, TimeProvider clock) : IConsumer<ArticleReceived>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<ArticleReceived> context)
    {
        var article = context.Message;
        var noted = new ArticleTextNoted(article.ArticleId, article.Title, article.Body, article.Source, article.Language, article.ReceivedAt, clock.GetUtcNow());
        return noter.NoteAsync(article.ArticleId, noted, existing => existing.Text is not null,
            (existing, fact) => existing?.Apply(fact) ?? ArticleTopics.Create(fact), context.CancellationToken);
    }
}

/// <summary>An article's entities: noted, and the operator topics filtering on entities are decided.</summary>
public sealed class NoteEntitiesConsumer(ArticleFactNoter noter, TimeProvider clock) : IConsumer<EntitiesExtracted>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<EntitiesExtracted> context)
    {
        var message = context.Message;
        var noted = new ArticleEntitiesNoted(message.ArticleId, message.Entities, clock.GetUtcNow());
        return noter.NoteAsync(message.ArticleId, noted, existing => existing.Entities is not null,
            (existing, fact) => existing?.Apply(fact) ?? ArticleTopics.Create(fact), context.CancellationToken);
    }
}
