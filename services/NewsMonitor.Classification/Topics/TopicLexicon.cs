using NewsMonitor.Contracts;
using NewsMonitor.Text;

namespace NewsMonitor.Classification.Topics;

/// <summary>A built-in topic label and the cue words that signal it.</summary>
public sealed record TopicDefinition(string Label, string Description, IReadOnlyList<string> Cues);

/// <summary>
/// First topic classifier: counts cue words and phrases of each label in the title (double weight) and
/// body, through the text core's morphology-aware phrase matcher. Pure; the trained model replaces it.
/// </summary>
public sealed class TopicLexicon
{
    /// <summary>Version recorded in events, so later models can re-classify history by replay.</summary>
    public const string Version = "lexicon-1";

    /// <summary>Score at or above which a label is assigned.</summary>
    public const double Threshold = 0.5;

    /// <summary>Label given when no built-in label reaches the threshold.</summary>
    public const string Unknown = "unknown";

    private readonly PhraseMatcher<string> _matcher = new();

    /// <summary>The taxonomy of built-in labels.</summary>
    public IReadOnlyList<TopicDefinition> Topics { get; }

    /// <summary>Builds the lexicon from <paramref name="topics"/>.</summary>
    public TopicLexicon(IReadOnlyList<TopicDefinition> topics)
    {
        Topics = topics;
        foreach (var topic in topics)
            foreach (var cue in topic.Cues)
                _matcher.Add(cue, topic.Label);
    }

    /// <summary>The lexicon with the built-in taxonomy.</summary>
    public static TopicLexicon BuiltIn { get; } = new(BuiltInTopics.All);

    /// <summary>Score of every label with at least one cue (1 cue ≈ 0.25, 3 ≈ 0.5, 9 ≈ 0.75).</summary>
    public Dictionary<string, double> Scores(string title, string body) =>
        CueWeights(title, body).ToDictionary(pair => pair.Key, pair => Math.Round(pair.Value / (pair.Value + 3.0), 4), StringComparer.Ordinal);

    /// <summary>Cue counts per label with at least one cue; title cues weigh double.</summary>
    public Dictionary<string, double> CueWeights(string title, string body)
    {
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var match in _matcher.FindAll(title)) weights[match.Payload] = weights.GetValueOrDefault(match.Payload) + 2;
        foreach (var match in _matcher.FindAll(body)) weights[match.Payload] = weights.GetValueOrDefault(match.Payload) + 1;
        return weights;
    }
}
