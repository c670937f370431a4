using NewsMonitor.Contracts;

namespace NewsMonitor.Classification.Topics;

/// <summary>
/// Topics were assigned to an article: first by the model of the day, again when a replay meets it with a newer model.
/// <paramref name="Scores"/> holds every label's score (absent in events of the lexicon-only classifier);
/// <paramref name="ArticleAt"/> is when the article was received (timelines count it there; absent in early events, then <paramref name="At"/>);
/// <paramref name="Replaces"/> is the classification this one supersedes, so timelines move the article from the old labels to the new.
/// </summary>
public sealed record ArticleTopicsAssigned(Guid ArticleId, IReadOnlyList<TopicScore> Topics, string ModelVersion, DateTimeOffset At, IReadOnlyList<TopicScore>? Scores = null,
    DateTimeOffset? ArticleAt = null, SupersededClassification? Replaces = null)
{
    /// <summary>The instant timelines count the article at.</summary>
    public DateTimeOffset BucketAt => ArticleAt ?? At;
}

/// <summary>A classification superseded by a newer model's: its labels, its model, and where timelines counted it.</summary>
public sealed record SupersededClassification(string[] Labels, string ModelVersion, DateTimeOffset BucketAt);

/// <summary>Read model of an article's topics, projected inline.</summary>
public sealed record ArticleTopics(Guid Id, IReadOnlyList<TopicScore> Topics, string[] Labels, string ModelVersion, DateTimeOffset ClassifiedAt, IReadOnlyList<TopicScore>? Scores = null,
    DateTimeOffset? BucketAt = null)
{
    /// <summary>Starts the read model.</summary>
    public static ArticleTopics Create(ArticleTopicsAssigned assigned) =>
        new(assigned.ArticleId, assigned.Topics, assigned.Topics.Select(topic => topic.Label).ToArray(), assigned.ModelVersion, assigned.At, assigned.Scores, assigned.BucketAt);

    /// <summary>A newer model's classification replaces the one before.</summary>
    public ArticleTopics Apply(ArticleTopicsAssigned assigned) => Create(assigned);
}
