using Marten;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Ingestion.Articles;

/// <summary>Records on the article's stream that a downstream step finished; a repeated report changes nothing.</summary>
public static class ProcessingProgress
{
    /// <summary>
    /// Appends the step unless the article already has it, or does not exist here. The append expects the
    /// version it read, so two concurrent reports cannot both append: the loser fails, is retried, and finds the step.
    /// </summary>
    public static async Task RecordAsync(IDocumentSession session, Guid articleId, ProcessingStep step, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var stream = await session.Events.FetchForWriting<Article>(articleId, cancellationToken);
        if (stream.Aggregate is null || stream.Aggregate.Has(step)) return;
        stream.AppendOne(new ArticleProcessingStepCompleted(articleId, step, at));
        await session.SaveChangesInCommitOrderAsync(cancellationToken);
    }
}

/// <summary>Classification finished an article.</summary>
public sealed class ArticleClassifiedConsumer(IDocumentSession session) : IConsumer<ArticleClassified>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<ArticleClassified> context) =>
        ProcessingProgress.RecordAsync(session, context.Message.ArticleId, ProcessingStep.Classified, context.Message.OccurredAt, context.CancellationToken);
}

/// <summary>Entities finished an article.</summary>
public sealed class EntitiesExtractedConsumer(IDocumentSession session) : IConsumer<EntitiesExtracted>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<EntitiesExtracted> context) =>
        ProcessingProgress.RecordAsync(session, context.Message.ArticleId, ProcessingStep.EntitiesExtracted, context.Message.OccurredAt, context.CancellationToken);
}

/// <summary>Alerting finished evaluating an article.</summary>
public sealed class ArticleAlertsEvaluatedConsumer(IDocumentSession session) : IConsumer<ArticleAlertsEvaluated>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<ArticleAlertsEvaluated> context) =>
        ProcessingProgress.RecordAsync(session, context.Message.ArticleId, ProcessingStep.AlertsEvaluated, context.Message.OccurredAt, context.CancellationToken);
}
