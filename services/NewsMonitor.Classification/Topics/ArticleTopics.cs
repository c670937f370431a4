using NewsMonitor.Contracts;

namespace NewsMonitor.Classification.Topics;

/// <summary>
/// Topics were assigned to an article; first event of the article's stream in this service. <paramref name="Scores"/>
/// holds every label's score (absent in events of the lexicon-only classifier).
/// </summary>
public sealed record ArticleTopicsAssigned(Guid ArticleId, IReadOnlyList<TopicScore> Topics, string ModelVersion, DateTimeOffset At, IReadOnlyList<TopicScore>? Scores = null);

/// <summary>Read model of an article's topics, projected inline.</summary>
public sealed record ArticleTopics(Guid Id, IReadOnlyList<TopicScore> Topics, string[] Labels, string ModelVersion, DateTimeOffset ClassifiedAt, IReadOnlyList<TopicScore>? Scores = null)
{
    /// <summary>Starts the read model.</summary>
    public static ArticleTopics Create(ArticleTopicsAssigned assigned) =>
        new(assigned.ArticleId, assigned.Topics, assigned.Topics.Select(topic => topic.Label).ToArray(), assigned.ModelVersion, assigned.At, assigned.Scores);
}
