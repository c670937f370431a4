using NewsMonitor.Text.Rules;

namespace NewsMonitor.Classification.Topics;

/// <summary>An operator defined a topic by a rule in the alert rule language (or defined a retired label again).</summary>
public sealed record OperatorTopicDefined(string Label, string Rule, string? Description, DateTimeOffset At);

/// <summary>An operator changed a topic's rule; it applies to new articles, and to history on request.</summary>
public sealed record OperatorTopicRedefined(string Label, string Rule, string? Description, DateTimeOffset At);

/// <summary>An operator retired a topic: new articles no longer get it; history keeps it until it is applied again.</summary>
public sealed record OperatorTopicRetired(string Label, DateTimeOffset At);

/// <summary>One operator-defined topic as it stands.</summary>
public sealed record OperatorTopic(string Label, string Rule, string? Description, DateTimeOffset DefinedAt, DateTimeOffset ChangedAt, bool Retired = false);

/// <summary>Every operator topic, one stream folded inline into one document; its version tells nodes when to rebuild their matcher.</summary>
public sealed record OperatorTopicSet(Guid Id, long Version, Dictionary<string, OperatorTopic> Topics)
{
    /// <summary>The one stream all operator-topic edits go to.</summary>
    public static readonly Guid StreamId = new("3c1f6f0e-8a9b-4d4e-b7a2-5f1e2d3c4b5a");

    /// <summary>No topic defined yet.</summary>
    public static OperatorTopicSet Empty => new(StreamId, 0, new Dictionary<string, OperatorTopic>(StringComparer.Ordinal));

    /// <summary>Starts the document.</summary>
    public static OperatorTopicSet Create(OperatorTopicDefined defined) => Empty.Apply(defined);

    /// <summary>Folds a definition.</summary>
    public OperatorTopicSet Apply(OperatorTopicDefined defined) =>
        With(new OperatorTopic(defined.Label, defined.Rule, defined.Description, defined.At, defined.At));

    /// <summary>Folds a new rule.</summary>
    public OperatorTopicSet Apply(OperatorTopicRedefined redefined) =>
        With(Topics[redefined.Label] with { Rule = redefined.Rule, Description = redefined.Description ?? Topics[redefined.Label].Description, ChangedAt = redefined.At });

    /// <summary>Folds a retirement.</summary>
    public OperatorTopicSet Apply(OperatorTopicRetired retired) => With(Topics[retired.Label] with { Retired = true, ChangedAt = retired.At });

    /// <summary>The topics that new articles get.</summary>
    public IEnumerable<OperatorTopic> Active => Topics.Values.Where(topic => !topic.Retired).OrderBy(topic => topic.Label, StringComparer.Ordinal);

    private OperatorTopicSet With(OperatorTopic topic) =>
        this with { Version = Version + 1, Topics = new Dictionary<string, OperatorTopic>(Topics, StringComparer.Ordinal) { [topic.Label] = topic } };
}

/// <summary>An operator topic that holds for an article, and the terms and filters that made it hold.</summary>
public sealed record OperatorTopicMatch(string Label, IReadOnlyList<string> Matched);

/// <summary>
/// The active operator topics' rules, parsed and indexed once per version of the set, in the presearcher matcher
/// alerting uses. A topic whose rule has an <c>entity:</c> or <c>type:</c> filter can only be decided once the
/// article's entities are known; <c>topic:</c> filters name built-in labels and see the model's assigned labels. Pure.
/// </summary>
public sealed class OperatorTopicRules
{
    private readonly RuleMatcher _matcher;
    private readonly Dictionary<Guid, string> _labels = [];

    /// <summary>Parses and indexes <paramref name="topics"/>; a stored rule the current parser refuses is left out.</summary>
    public OperatorTopicRules(IEnumerable<OperatorTopic> topics, long version)
    {
        Version = version;
        var entries = new List<RuleEntry>();
        foreach (var topic in topics)
        {
            if (AlertRule.Parse(topic.Rule).Rule is not { } rule) continue;
            var id = Guid.NewGuid();
            _labels[id] = topic.Label;
            entries.Add(new RuleEntry(id, rule));
            if (NeedsEntities(rule)) EntityLabels.Add(topic.Label);
        }
        Labels = [.. _labels.Values.Order(StringComparer.Ordinal)];
        _matcher = new RuleMatcher(entries);
    }

    /// <summary>No operator topic.</summary>
    public static OperatorTopicRules None { get; } = new([], 0);

    /// <summary>The version of the topic set these rules were built from.</summary>
    public long Version { get; }

    /// <summary>Every active operator label.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The labels whose rules need the article's entities.</summary>
    public HashSet<string> EntityLabels { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether a rule filters on entities (and so waits for them).</summary>
    public static bool NeedsEntities(AlertRule rule) => rule.Fields.Any(field => field.Field is "entity" or "type");

    /// <summary>The operator topics that hold for <paramref name="facts"/>, by label.</summary>
    public IReadOnlyList<OperatorTopicMatch> Match(ArticleFacts facts) =>
        _matcher.Match(facts).Select(hit => new OperatorTopicMatch(_labels[hit.Id], hit.Matched)).OrderBy(match => match.Label, StringComparer.Ordinal).ToList();
}
