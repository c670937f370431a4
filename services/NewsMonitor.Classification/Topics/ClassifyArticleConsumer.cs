using Marten;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Classification.Topics;

/// <summary>Classifies each received article once: the article's stream here is started at most once.</summary>
public sealed class ClassifyArticleConsumer(IDocumentSession session, TopicClassifier classifier, TimeProvider clock) : IConsumer<ArticleReceived>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<ArticleReceived> context)
    {
        var article = context.Message;
        await session.AppendOnceAsync(article.ArticleId, () =>
        {
            var verdict = classifier.Classify(article.Title, article.Body);
            session.Events.StartStream<ArticleTopics>(article.ArticleId, new ArticleTopicsAssigned(article.ArticleId, verdict.Assigned, verdict.ModelVersion, clock.GetUtcNow(), verdict.Scores));
            return Task.CompletedTask;
        }, context.CancellationToken);
    }
}
