using NewsMonitor.Contracts;

namespace NewsMonitor.Classification.Topics;

/// <summary>
/// Topics were assigned to an article: first by the model of the day and the operator topics, again when a replay meets it with a
/// newer model or an operator applies a topic to history and the labels change.
/// <paramref name="Scores"/> holds every label's score (absent in events of the lexicon-only classifier);
/// <paramref name="ArticleAt"/> is when the article was received (timelines count it there; absent in early events, then <paramref name="At"/>);
/// <paramref name="Replaces"/> is the classification this one supersedes, so timelines move the article from the old labels to the new.
/// </summary>
/// <paramref name="OperatorTopics"/> are the operator topics assigned (score 1 in <paramref name="Topics"/>) with the terms that matched,
/// decided by version <paramref name="OperatorTopicsVersion"/> of the operator topic set; <paramref name="Scores"/> stays the model's.
public sealed record ArticleTopicsAssigned(Guid ArticleId, IReadOnlyList<TopicScore> Topics, string ModelVersion, DateTimeOffset At, IReadOnlyList<TopicScore>? Scores = null,
    DateTimeOffset? ArticleAt = null, SupersededClassification? Replaces = null, IReadOnlyList<OperatorTopicMatch>? OperatorTopics = null, long? OperatorTopicsVersion = null)
{
    /// <summary>The instant timelines count the article at.</summary>
    public DateTimeOffset BucketAt => ArticleAt ?? At;
}

/// <summary>A classification superseded by a newer one (a newer model's, or after an operator topic was applied): its labels, its model, and where timelines counted it.</summary>
public sealed record SupersededClassification(string[] Labels, string ModelVersion, DateTimeOffset BucketAt);

/// <summary>The article's text, noted on its stream when it is received, so operator topics can be decided later (entities arriving after it, a topic applied to history).</summary>
public sealed record ArticleTextNoted(Guid ArticleId, string Title, string Body, string? Source, string Language, DateTimeOffset ReceivedAt, DateTimeOffset At);

/// <summary>The article's extracted entities, noted for operator topics with <c>entity:</c> and <c>type:</c> filters.</summary>
public sealed record ArticleEntitiesNoted(Guid ArticleId, IReadOnlyList<ExtractedEntity> Entities, DateTimeOffset At);

/// <summary>
/// An article's topics (the read model, projected inline) and the facts classification keeps to decide them: the text and,
/// once extracted, the entities. Not classified yet (<see cref="IsClassified"/> false) while it waits for entities.
/// </summary>
public sealed record ArticleTopics(Guid Id, IReadOnlyList<TopicScore> Topics, string[] Labels, string ModelVersion, DateTimeOffset ClassifiedAt, IReadOnlyList<TopicScore>? Scores = null,
    DateTimeOffset? BucketAt = null) : NewsMonitor.ServiceDefaults.IVersionedAggregate
{
    /// <summary>The version of the article's stream this state is folded up to (set by Marten), checked by the write path.</summary>
    public long Version { get; set; }

    /// <summary>The text, once noted (absent in streams written before operator topics).</summary>
    public ArticleTextNoted? Text { get; init; }

    /// <summary>The entities, once noted.</summary>
    public IReadOnlyList<ExtractedEntity>? Entities { get; init; }

    /// <summary>The operator topics assigned, with what matched.</summary>
    public IReadOnlyList<OperatorTopicMatch>? OperatorTopics { get; init; }

    /// <summary>Whether topics have been assigned.</summary>
    public bool IsClassified => ModelVersion.Length > 0;

    /// <summary>Starts from the text.</summary>
    public static ArticleTopics Create(ArticleTextNoted noted) => new ArticleTopics(noted.ArticleId, [], [], "", default, BucketAt: noted.ReceivedAt).Apply(noted);

    /// <summary>Starts from the entities.</summary>
    public static ArticleTopics Create(ArticleEntitiesNoted noted) => new ArticleTopics(noted.ArticleId, [], [], "", default).Apply(noted);

    /// <summary>Starts from a classification (streams written before the text was noted).</summary>
    public static ArticleTopics Create(ArticleTopicsAssigned assigned) =>
        new(assigned.ArticleId, assigned.Topics, assigned.Topics.Select(topic => topic.Label).ToArray(), assigned.ModelVersion, assigned.At, assigned.Scores, assigned.BucketAt)
        {
            OperatorTopics = assigned.OperatorTopics,
        };

    /// <summary>Adds the text.</summary>
    public ArticleTopics Apply(ArticleTextNoted noted) => this with { Text = noted, BucketAt = BucketAt ?? noted.ReceivedAt };

    /// <summary>Adds the entities.</summary>
    public ArticleTopics Apply(ArticleEntitiesNoted noted) => this with { Entities = noted.Entities };

    /// <summary>A classification replaces the one before; the noted facts stay.</summary>
    public ArticleTopics Apply(ArticleTopicsAssigned assigned) => Create(assigned) with { Text = Text, Entities = Entities };
}
