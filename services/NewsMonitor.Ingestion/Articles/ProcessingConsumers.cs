using Marten;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Ingestion.Articles;

/// <summary>Records on the article's stream that a downstream step finished; a repeated report changes nothing.</summary>
public static class ProcessingProgress
{
    /// <summary>
    /// Appends the step to each article of the batch unless the article already has it, or does not exist here; one
    /// transaction for the batch (<see cref="BatchAppends"/>). Each append expects the version it read, so two
    /// concurrent reports cannot both append: the loser is decided again and finds the step.
    /// </summary>
    public static Task RecordAsync<TMessage>(IDocumentStore store, Batch<TMessage> batch, Func<TMessage, Guid> articleOf, ProcessingStep step,
        Func<TMessage, DateTimeOffset> at, CancellationToken cancellationToken)
        where TMessage : class =>
        store.DecideAndAppendBatchAsync(batch.Select(delivery =>
        {
            var articleId = articleOf(delivery.Message);
            var when = at(delivery.Message);
            return new BatchDecision<Article>(articleId, article => article is null || article.Has(step)
                ? []
                : [new ArticleProcessingStepCompleted(articleId, step, when)], MessageTrace.ParentOf(delivery));
        }).ToList(), cancellationToken);
}

/// <summary>Classification finished articles.</summary>
public sealed class ArticleClassifiedConsumer(IDocumentStore store) : IConsumer<Batch<ArticleClassified>>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<Batch<ArticleClassified>> context) =>
        ProcessingProgress.RecordAsync(store, context.Message, message => message.ArticleId, ProcessingStep.Classified, message => message.OccurredAt, context.CancellationToken);
}

/// <summary>Entities finished articles.</summary>
public sealed class EntitiesExtractedConsumer(IDocumentStore store) : IConsumer<Batch<EntitiesExtracted>>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<Batch<EntitiesExtracted>> context) =>
        ProcessingProgress.RecordAsync(store, context.Message, message => message.ArticleId, ProcessingStep.EntitiesExtracted, message => message.OccurredAt, context.CancellationToken);
}

/// <summary>Alerting finished evaluating articles.</summary>
public sealed class ArticleAlertsEvaluatedConsumer(IDocumentStore store) : IConsumer<Batch<ArticleAlertsEvaluated>>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<Batch<ArticleAlertsEvaluated>> context) =>
        ProcessingProgress.RecordAsync(store, context.Message, message => message.ArticleId, ProcessingStep.AlertsEvaluated, message => message.OccurredAt, context.CancellationToken);
}
