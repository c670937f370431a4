namespace NewsMonitor.Ingestion.Articles;

/// <summary>An article was accepted; first event of its stream, whose id is the article id.</summary>
/// <remarks>Members after <c>ReceivedAt</c> were added in issue 14; events stored before it have them null.</remarks>
public sealed record ArticleSubmitted(
    Guid ArticleId,
    string Title,
    string Body,
    string? Url,
    string Language,
    string? Source,
    DateTimeOffset? PublishedAt,
    DateTimeOffset ReceivedAt,
    string? Author = null);

/// <summary>Which downstream step reported back on the article.</summary>
public enum ProcessingStep
{
    /// <summary>Classification published its topics.</summary>
    Classified,
    /// <summary>Entities published its extraction.</summary>
    EntitiesExtracted,
    /// <summary>Alerting evaluated the subscriptions.</summary>
    AlertsEvaluated,
}

/// <summary>A downstream service reported that it finished its step on the article.</summary>
public sealed record ArticleProcessingStepCompleted(Guid ArticleId, ProcessingStep Step, DateTimeOffset At);
