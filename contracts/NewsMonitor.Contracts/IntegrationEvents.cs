namespace NewsMonitor.Contracts;

/// <summary>
/// An integration event: what crosses RabbitMQ and what integrators consume.
/// Changes are additive only; a breaking change is a new type (<c>...V2</c>).
/// </summary>
public interface IIntegrationEvent
{
    /// <summary>Version of this contract's shape; bumped only for additive changes.</summary>
    int SchemaVersion { get; }

    /// <summary>The article the event is about.</summary>
    Guid ArticleId { get; }

    /// <summary>When the fact was recorded in the publishing service's event store.</summary>
    DateTimeOffset OccurredAt { get; }
}

/// <summary>An article was accepted and stored by ingestion. Published once per article (at least once on the wire).</summary>
/// <param name="ArticleId">Deterministic id: from the canonical URL, else from a hash of the normalised text.</param>
/// <param name="Title">Title as submitted.</param>
/// <param name="Body">Body text as submitted; offsets in other events index this string in UTF-16 code units.</param>
/// <param name="Url">Canonical URL, when the article has one.</param>
/// <param name="Language">ISO 639-1 code as submitted or detected (<c>ar</c>, <c>en</c>, ...).</param>
/// <param name="Source">Where the article came from (a site name, feed id or integrator name).</param>
/// <param name="PublishedAt">Publication time claimed by the source, if given.</param>
/// <param name="ReceivedAt">When ingestion accepted the article.</param>
/// <param name="OccurredAt">When the event was stored.</param>
/// <param name="LanguageConfidence">Added in schema 1 (issue 14): the detector's probability for <paramref name="Language"/>
/// when it was detected; null when declared by the submitter, guessed from the script, or stored before detection existed.</param>
/// <param name="DuplicateOf">Added in schema 1 (issue 14): the earlier article this one is a near copy of (a republication
/// with small edits), else null. A subscription that alerted on that article is not alerted again.</param>
/// <param name="Similarity">Added in schema 1 (issue 14): with <paramref name="DuplicateOf"/>, the similarity in [0, 1].</param>
public sealed record ArticleReceived(
    Guid ArticleId,
    string Title,
    string Body,
    string? Url,
    string Language,
    string? Source,
    DateTimeOffset? PublishedAt,
    DateTimeOffset ReceivedAt,
    DateTimeOffset OccurredAt,
    double? LanguageConfidence = null,
    Guid? DuplicateOf = null,
    double? Similarity = null) : IIntegrationEvent
{
    /// <inheritdoc />
    public int SchemaVersion { get; init; } = 1;
}

/// <summary>A topic label with its score in [0, 1].</summary>
public sealed record TopicScore(string Label, double Score);

/// <summary>Topics were assigned to an article.</summary>
/// <param name="ArticleId">The article.</param>
/// <param name="Topics">Assigned labels, best first.</param>
/// <param name="ModelVersion">The classifier that produced the labels, so history can be re-classified by replay.</param>
/// <param name="OccurredAt">When the classification was stored.</param>
/// <param name="Scores">Every label's calibrated score, best first (added in schema 1; absent from lexicon-only classifications).</param>
public sealed record ArticleClassified(
    Guid ArticleId,
    IReadOnlyList<TopicScore> Topics,
    string ModelVersion,
    DateTimeOffset OccurredAt,
    IReadOnlyList<TopicScore>? Scores = null) : IIntegrationEvent
{
    /// <inheritdoc />
    public int SchemaVersion { get; init; } = 1;
}

/// <summary>One occurrence of an entity in the article body.</summary>
/// <param name="Text">The text as it appears in the body.</param>
/// <param name="Start">Offset into the body in UTF-16 code units.</param>
/// <param name="Length">Length in UTF-16 code units.</param>
public sealed record EntityMention(string Text, int Start, int Length);

/// <summary>A canonical entity found in an article, with its mentions.</summary>
/// <param name="Id">Stable id of the canonical entity.</param>
/// <param name="Type">PERSON, ORG, LOC, MONEY, PERCENT or DATE (more may be added).</param>
/// <param name="Name">Canonical name (English for well-known entities).</param>
/// <param name="Mentions">Where it occurs in the body.</param>
/// <param name="Aliases">Every name the entity is known by (Arabic and Latin), so consumers can match any of them.</param>
public sealed record ExtractedEntity(string Id, string Type, string Name, IReadOnlyList<EntityMention> Mentions, IReadOnlyList<string>? Aliases = null);

/// <summary>Named entities were extracted from an article.</summary>
/// <param name="ArticleId">The article.</param>
/// <param name="Entities">Entities found, in order of first mention.</param>
/// <param name="ExtractorVersion">The extractor that produced them.</param>
/// <param name="OccurredAt">When the extraction was stored.</param>
public sealed record EntitiesExtracted(
    Guid ArticleId,
    IReadOnlyList<ExtractedEntity> Entities,
    string ExtractorVersion,
    DateTimeOffset OccurredAt) : IIntegrationEvent
{
    /// <inheritdoc />
    public int SchemaVersion { get; init; } = 1;
}

/// <summary>A subscription's rule matched an article. Raised at most once per (subscription, article).</summary>
/// <param name="AlertId">Deterministic id derived from the subscription and the article.</param>
/// <param name="SubscriptionId">The subscription whose rule matched.</param>
/// <param name="Tenant">The subscription's owner.</param>
/// <param name="ArticleId">The article.</param>
/// <param name="Title">The article's title, for display.</param>
/// <param name="Matched">The rule terms that matched, as written in the rule.</param>
/// <param name="RaisedAt">When the alert was raised.</param>
/// <param name="OccurredAt">When the alert was stored.</param>
public sealed record AlertRaised(
    Guid AlertId,
    Guid SubscriptionId,
    string Tenant,
    Guid ArticleId,
    string Title,
    IReadOnlyList<string> Matched,
    DateTimeOffset RaisedAt,
    DateTimeOffset OccurredAt) : IIntegrationEvent
{
    /// <inheritdoc />
    public int SchemaVersion { get; init; } = 1;
}

/// <summary>Alerting evaluated every active subscription against an article.</summary>
/// <param name="ArticleId">The article.</param>
/// <param name="AlertCount">How many alerts the evaluation raised.</param>
/// <param name="OccurredAt">When the evaluation was stored.</param>
public sealed record ArticleAlertsEvaluated(
    Guid ArticleId,
    int AlertCount,
    DateTimeOffset OccurredAt) : IIntegrationEvent
{
    /// <inheritdoc />
    public int SchemaVersion { get; init; } = 1;
}

/// <summary>The alerts of an hourly or daily subscription for one period, compiled once the period closed.</summary>
/// <param name="DigestId">Deterministic id derived from the subscription and the period start.</param>
/// <param name="SubscriptionId">The subscription.</param>
/// <param name="Tenant">The subscription's owner.</param>
/// <param name="PeriodStart">Start of the period (UTC, inclusive).</param>
/// <param name="PeriodEnd">End of the period (UTC, exclusive).</param>
/// <param name="Alerts">The period's alerts, oldest first.</param>
/// <param name="OccurredAt">When the digest was stored.</param>
public sealed record AlertDigestCompiled(
    Guid DigestId,
    Guid SubscriptionId,
    string Tenant,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    IReadOnlyList<DigestAlert> Alerts,
    DateTimeOffset OccurredAt)
{
    /// <summary>Version of this contract's shape.</summary>
    public int SchemaVersion { get; init; } = 1;
}

/// <summary>One alert in a digest.</summary>
public sealed record DigestAlert(Guid AlertId, Guid ArticleId, string Title, IReadOnlyList<string> Matched, DateTimeOffset RaisedAt);
