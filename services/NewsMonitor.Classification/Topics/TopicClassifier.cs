using NewsMonitor.Classification.Topics.Model;
using NewsMonitor.Contracts;
using NewsMonitor.Text;

namespace NewsMonitor.Classification.Topics;

/// <summary>What the classifier says of an article: the assigned labels, every label's score, and who said it.</summary>
/// <param name="Assigned">Labels at or above the threshold, best first; <c>unknown</c> alone when none is.</param>
/// <param name="Scores">Every label's calibrated score, best first.</param>
/// <param name="ModelVersion">The model and lexicon versions, recorded in events.</param>
public sealed record TopicVerdict(IReadOnlyList<TopicScore> Assigned, IReadOnlyList<TopicScore> Scores, string ModelVersion);

/// <summary>
/// The product classifier. Labels with training data (ASND and SIB-200, mapped onto the taxonomy) come from the
/// trained linear model, scored by calibrated probability; <c>international</c> and <c>defense</c>, which no
/// dataset labels, get a probability from a logistic fit over the cue lexicon's counts and the model's conflict and
/// politics log-odds on a hand-labelled sample
/// (<see cref="CueTopicScores"/>). Labels at or above 0.5 are assigned; an article with none is <c>unknown</c>,
/// with 1 − the best score as its confidence. A trained label is only assigned when the text's own features raise its
/// margin: one that only the model's prior (its bias) puts at 0.5 or more is scored <see cref="BelowThreshold"/>, so a
/// text with no word the model knows (digits, gibberish) is <c>unknown</c>. The model learnt from Arabic texts only, so
/// a text whose letters are mostly not Arabic (<see cref="IsMostlyArabic"/>) raises no trained label either: an
/// English or French article is <c>unknown</c> to it rather than the catch-all <c>other</c> its Latin letters would
/// suggest (ASND's replies to readers carry Latin handles). Pure.
/// </summary>
public sealed class TopicClassifier(LinearTopicModel model, TopicLexicon lexicon, CueTopicScores? cues = null)
{
    private readonly CueTopicScores _cues = cues ?? CueTopicScores.BuiltIn;

    /// <summary>Score at or above which a label is assigned.</summary>
    public const double Threshold = 0.5;

    /// <summary>The most a trained label scores when the text's features do not raise it (its prior alone).</summary>
    public const double BelowThreshold = 0.4999;

    /// <summary>Version recorded in events: the model's and the lexicon's.</summary>
    public string Version { get; } = model.Version + "+" + CueTopicScores.Version;

    /// <summary>The classifier with the shipped model and the built-in lexicon.</summary>
    public static TopicClassifier BuiltIn { get; } = new(TopicModels.Shipped, TopicLexicon.BuiltIn);

    /// <summary>Classifies an article.</summary>
    public TopicVerdict Classify(string title, string body)
    {
        title ??= "";
        body ??= "";
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(title) || !string.IsNullOrWhiteSpace(body))
        {
            // The title counts twice, as it does for a reader skimming.
            var (probabilities, raised) = model.Assess(TopicFeatures.Of(title + "\n" + title + "\n" + body));
            if (!IsMostlyArabic(title, body)) Array.Clear(raised);
            // A label the text does not raise is not the text's topic, however likely its prior: kept below the threshold,
            // so the stored scores give the same verdict when read back (FromScores).
            for (var i = 0; i < model.Labels.Count; i++)
            {
                var probability = Math.Round(probabilities[i], 4);
                scores[model.Labels[i]] = raised[i] ? probability : Math.Min(probability, BelowThreshold);
            }
            // The cue scores read the capped scores, so a prior alone cannot lift defense or international through them
            // either. They were fitted on the uncapped ones: the same numbers for a model whose priors are below 0.5 (linear-4).
            var weights = lexicon.CueWeights(title, body);
            foreach (var (label, score) in _cues.Scores(weights, scores))
            {
                if (!scores.ContainsKey(label)) scores[label] = score;
            }
        }
        return FromScores(scores.Select(pair => new TopicScore(pair.Key, pair.Value)).ToList());
    }

    /// <summary>
    /// Whether at least half of the letters of the title and body (the first <see cref="LettersRead"/> of them) are
    /// Arabic script: what the trained model can read. Digits, punctuation and symbols are not letters.
    /// </summary>
    public static bool IsMostlyArabic(string title, string body)
    {
        var (letters, arabic) = (0, 0);
        foreach (var text in new[] { title ?? "", body ?? "" })
        {
            foreach (var c in text)
            {
                if (!char.IsLetter(c)) continue;
                letters++;
                if (ArabicScript.Contains(c)) arabic++;
                if (letters == LettersRead) return arabic * 2 >= letters;
            }
        }
        return letters > 0 && arabic * 2 >= letters;
    }

    /// <summary>Letters <see cref="IsMostlyArabic"/> reads at most: the start of an article says what script it is in.</summary>
    public const int LettersRead = 20_000;

    /// <summary>The verdict this classifier gives for <paramref name="scores"/> (every label's score, as <see cref="Classify"/> computed them).</summary>
    public TopicVerdict FromScores(IReadOnlyList<TopicScore> scores)
    {
        var ranked = scores.OrderByDescending(score => score.Score).ThenBy(score => score.Label, StringComparer.Ordinal).ToList();
        var assigned = ranked.Where(score => score.Score >= Threshold).ToList();
        if (assigned.Count == 0) assigned.Add(new TopicScore(TopicLexicon.Unknown, Math.Round(1 - (ranked.Count == 0 ? 0 : ranked[0].Score), 4)));
        return new TopicVerdict(assigned, ranked, Version);
    }
}
