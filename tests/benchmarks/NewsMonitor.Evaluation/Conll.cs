using NewsMonitor.Entities.Recognition;

namespace NewsMonitor.Evaluation;

/// <summary>A CoNLL file of <c>token TAG</c> lines, sentences separated by blank lines.</summary>
internal static class Conll
{
    public static List<(string[] Words, string[] Tags)> Read(string path)
    {
        var sentences = new List<(string[], string[])>();
        var words = new List<string>();
        var tags = new List<string>();
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("-DOCSTART-", StringComparison.Ordinal))
            {
                Flush();
                continue;
            }
            var space = line.LastIndexOfAny([' ', '\t']);
            if (space <= 0) continue;
            words.Add(line[..space].Trim());
            // One dev line carries a stray U+200F as its tag: anything that is not B-/I-X reads as O.
            var tag = line[(space + 1)..].Trim('\u200F', '\u200E', ' ');
            tags.Add(tag.Length > 2 && tag[1] == '-' && tag[0] is 'B' or 'I' ? tag : "O");
        }
        Flush();
        return sentences;

        void Flush()
        {
            if (words.Count > 0) sentences.Add((words.ToArray(), tags.ToArray()));
            words.Clear();
            tags.Clear();
        }
    }
}

/// <summary>Precision, recall and F1 per type and micro-averaged, at entity level (exact span and type).</summary>
internal sealed class EntityScore
{
    private readonly Dictionary<string, (int Correct, int Predicted, int Gold)> _byType = new(StringComparer.Ordinal);

    public void Add(IReadOnlyList<string> gold, IReadOnlyList<string> predicted)
    {
        var goldSpans = BioTags.Spans(gold);
        var predictedSpans = BioTags.Spans(predicted).ToHashSet();
        foreach (var span in goldSpans) Bump(span.Type, correct: predictedSpans.Contains(span) ? 1 : 0, predicted: 0, gold: 1);
        foreach (var span in predictedSpans) Bump(span.Type, 0, 1, 0);
    }

    /// <summary>Entity types seen in gold or predictions.</summary>
    public IEnumerable<string> Types => _byType.Keys;

    /// <summary>Precision, recall and F1 of one type, or of all types pooled for <c>all</c>.</summary>
    public (double P, double R, double F1) Of(string type) => type == "all"
        ? F1(_byType.Values.Sum(v => v.Correct), _byType.Values.Sum(v => v.Predicted), _byType.Values.Sum(v => v.Gold))
        : _byType.TryGetValue(type, out var c) ? F1(c.Correct, c.Predicted, c.Gold) : (0, 0, 0);

    /// <summary>Adds another score's counts (pooling folds).</summary>
    public void Merge(EntityScore other)
    {
        foreach (var (type, c) in other._byType) Bump(type, c.Correct, c.Predicted, c.Gold);
    }

    public double MicroF1 => F1(_byType.Values.Sum(v => v.Correct), _byType.Values.Sum(v => v.Predicted), _byType.Values.Sum(v => v.Gold)).F1;

    public void Print(string title, TextWriter output)
    {
        output.WriteLine(title);
        output.WriteLine($"  {"type",-6} {"precision",9} {"recall",7} {"f1",7} {"gold",6} {"found",6}");
        foreach (var (type, counts) in _byType.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            Line(type, counts.Correct, counts.Predicted, counts.Gold);
        Line("all", _byType.Values.Sum(v => v.Correct), _byType.Values.Sum(v => v.Predicted), _byType.Values.Sum(v => v.Gold));

        void Line(string type, int correct, int predicted, int gold)
        {
            var (p, r, f) = F1(correct, predicted, gold);
            output.WriteLine($"  {type,-6} {p,9:0.0000} {r,7:0.0000} {f,7:0.0000} {gold,6} {predicted,6}");
        }
    }

    private void Bump(string type, int correct, int predicted, int gold)
    {
        var current = _byType.GetValueOrDefault(type);
        _byType[type] = (current.Correct + correct, current.Predicted + predicted, current.Gold + gold);
    }

    private static (double P, double R, double F1) F1(int correct, int predicted, int gold)
    {
        var p = predicted == 0 ? 0 : (double)correct / predicted;
        var r = gold == 0 ? 0 : (double)correct / gold;
        return (p, r, p + r == 0 ? 0 : 2 * p * r / (p + r));
    }
}
