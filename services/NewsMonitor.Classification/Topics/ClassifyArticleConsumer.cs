using Marten;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Classification.Topics;

/// <summary>
/// Classifies each received article once per model version. A redelivery, or a replay meeting an article the current
/// model already classified, does nothing; a replay meeting an older model's classification re-classifies it (the
/// stream is written under optimistic concurrency, so concurrent duplicates store one result).
/// </summary>
public sealed class ClassifyArticleConsumer(IDocumentSession session, TopicClassifier classifier, TimeProvider clock) : IConsumer<ArticleReceived>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<ArticleReceived> context)
    {
        var article = context.Message;
        await session.DecideAndAppendAsync<ArticleTopics>(article.ArticleId, existing =>
        {
            if (existing is not null && existing.ModelVersion == classifier.Version) return Task.FromResult<object?>(null);
            var verdict = classifier.Classify(article.Title, article.Body);
            var replaces = existing is null ? null : new SupersededClassification(existing.Labels, existing.ModelVersion, existing.BucketAt ?? existing.ClassifiedAt);
            return Task.FromResult<object?>(new ArticleTopicsAssigned(article.ArticleId, verdict.Assigned, verdict.ModelVersion, clock.GetUtcNow(), verdict.Scores, article.ReceivedAt, replaces));
        }, context.CancellationToken);
    }
}
