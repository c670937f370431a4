namespace NewsMonitor.Ingestion.Articles;

/// <summary>How far the article has gone through the pipeline.</summary>
public sealed record ArticleProcessing(bool Classified, bool EntitiesExtracted, bool AlertsEvaluated);

/// <summary>Read model of an article, projected inline from its stream.</summary>
public sealed record Article(
    Guid Id,
    string Title,
    string Body,
    string? Url,
    string Language,
    string? Source,
    DateTimeOffset? PublishedAt,
    DateTimeOffset ReceivedAt,
    ArticleProcessing Processing,
    string? Author = null)
{
    /// <summary>Starts the read model from the first event.</summary>
    public static Article Create(ArticleSubmitted submitted) => new(
        submitted.ArticleId, submitted.Title, submitted.Body, submitted.Url, submitted.Language, submitted.Source,
        submitted.PublishedAt, submitted.ReceivedAt, new ArticleProcessing(false, false, false), submitted.Author);

    /// <summary>Marks a step done; replaying the same step changes nothing.</summary>
    public Article Apply(ArticleProcessingStepCompleted completed) => this with
    {
        Processing = completed.Step switch
        {
            ProcessingStep.Classified => Processing with { Classified = true },
            ProcessingStep.EntitiesExtracted => Processing with { EntitiesExtracted = true },
            ProcessingStep.AlertsEvaluated => Processing with { AlertsEvaluated = true },
            _ => Processing,
        },
    };

    /// <summary>Whether <paramref name="step"/> has been reported.</summary>
    public bool Has(ProcessingStep step) => step switch
    {
        ProcessingStep.Classified => Processing.Classified,
        ProcessingStep.EntitiesExtracted => Processing.EntitiesExtracted,
        ProcessingStep.AlertsEvaluated => Processing.AlertsEvaluated,
        _ => false,
    };
}
