using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Classification.Topics;

/// <summary>
/// Decides an article's topics from the facts its stream holds: the model's labels (computed once per model version,
/// then re-read from the stored scores) and the operator topics whose rules hold. Every received article, every
/// entity list, every replay and every application of a topic to history goes through here, so they agree. Pure.
/// </summary>
public static class TopicAssignment
{
    /// <summary>Score an operator topic is assigned with: a rule holds or it does not.</summary>
    public const double OperatorScore = 1.0;

    /// <summary>
    /// The classification <paramref name="article"/> should now have, or null when it already has it or cannot be decided yet.
    /// With <paramref name="onlyLabel"/> only that operator topic is decided again (applying it to history) and the article's
    /// other operator topics are kept as they are; a label no active rule defines is then removed.
    /// </summary>
    /// <remarks>
    /// An article not yet classified waits for its entities while an operator topic in scope filters on entities, so it is
    /// classified (and <c>ArticleClassified</c> published) once, with every label it gets. An article already classified
    /// whose entities are unknown keeps such topics as they were.
    /// </remarks>
    public static ArticleTopicsAssigned? Decide(ArticleTopics article, TopicClassifier classifier, OperatorTopicRules rules, DateTimeOffset now, string? onlyLabel = null)
    {
        if (article.Text is not { } text) return null;
        bool InScope(string label) => onlyLabel is null || label == onlyLabel;
        bool Undecidable(string label) => article.Entities is null && rules.EntityLabels.Contains(label);
        if (!article.IsClassified && rules.Labels.Any(label => InScope(label) && Undecidable(label))) return null;

        var verdict = article.ModelVersion == classifier.Version && article.Scores is { } scores
            ? classifier.FromScores(scores)
            : classifier.Classify(text.Title, text.Body);
        var modelLabels = verdict.Assigned.Select(topic => topic.Label).Where(label => label != TopicLexicon.Unknown).ToList();
        var facts = RuleFacts.Of(text.Title, text.Body, text.Source, text.Language, article.Entities, modelLabels);
        var operatorTopics = (article.OperatorTopics ?? []).Where(kept => !InScope(kept.Label) || Undecidable(kept.Label))
            .Concat(rules.Match(facts).Where(match => InScope(match.Label) && !Undecidable(match.Label)))
            .OrderBy(match => match.Label, StringComparer.Ordinal)
            .ToList();

        var assigned = operatorTopics.Select(match => new TopicScore(match.Label, OperatorScore))
            .Concat(verdict.Assigned.Where(topic => operatorTopics.Count == 0 || topic.Label != TopicLexicon.Unknown))
            .ToList();
        if (article.IsClassified && article.ModelVersion == verdict.ModelVersion && article.Labels.SequenceEqual(assigned.Select(topic => topic.Label))) return null;
        var replaces = article.IsClassified ? new SupersededClassification(article.Labels, article.ModelVersion, article.BucketAt ?? article.ClassifiedAt) : null;
        return new ArticleTopicsAssigned(article.Id, assigned, verdict.ModelVersion, now, verdict.Scores, text.ReceivedAt, replaces, operatorTopics, rules.Version);
    }
}
