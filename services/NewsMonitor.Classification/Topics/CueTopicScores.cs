using System.Globalization;

namespace NewsMonitor.Classification.Topics;

/// <summary>
/// Scores for the labels no dataset labels (<c>defense</c>, <c>international</c>): a logistic fit per label over
/// the cue lexicon's counts (log 1 + weighted count of the defense, international, conflict and politics cues) and
/// the trained model's log-odds of conflict and politics, fitted on a hand-labelled sample of training texts
/// (tests/data/topics-defense-international; the model's inputs came from a model trained without those texts),
/// so a score is a probability measured on data rather than a fixed function of the cue count. Pure.
/// </summary>
public sealed class CueTopicScores
{
    /// <summary>Version recorded in events beside the model's (lexicon-1 was flat scores; lexicon-2 fitted on linear-2's inputs, lexicon-3 on linear-3's, lexicon-4 on linear-4's).</summary>
    public const string Version = "lexicon-4";

    /// <summary>The lexicon labels whose cue counts are the first inputs, in coefficient order.</summary>
    public static readonly IReadOnlyList<string> CueInputs = ["defense", "international", "conflict", "politics"];

    /// <summary>The trained labels whose log-odds are the next inputs, in coefficient order.</summary>
    public static readonly IReadOnlyList<string> ModelInputs = ["conflict", "politics"];

    private static int InputCount => CueInputs.Count + ModelInputs.Count;

    private readonly IReadOnlyDictionary<string, double[]> _coefficients;

    /// <summary>Scores from per-label coefficients: intercept, then one per <see cref="CueInputs"/> and <see cref="ModelInputs"/> label.</summary>
    public CueTopicScores(IReadOnlyDictionary<string, double[]> coefficients)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        if (coefficients.Values.Any(c => c.Length != InputCount + 1)) throw new ArgumentException("Each label needs an intercept and one coefficient per input.", nameof(coefficients));
        _coefficients = coefficients;
    }

    /// <summary>The labels scored.</summary>
    public IEnumerable<string> Labels => _coefficients.Keys;

    /// <summary>The fitted scores shipped in the assembly (Data/cue-topics.tsv).</summary>
    public static CueTopicScores BuiltIn => Shipped.Value;

    private static readonly Lazy<CueTopicScores> Shipped = new(Load);

    /// <summary>
    /// The inputs of a text: log(1 + weighted cue count) of each <see cref="CueInputs"/> label, then the log-odds of
    /// each <see cref="ModelInputs"/> label's probability (clamped to [1e-4, 1 − 1e-4]).
    /// </summary>
    public static double[] Features(IReadOnlyDictionary<string, double> cueWeights, IReadOnlyDictionary<string, double> modelScores)
    {
        ArgumentNullException.ThrowIfNull(cueWeights);
        ArgumentNullException.ThrowIfNull(modelScores);
        return CueInputs.Select(label => Math.Log(1 + cueWeights.GetValueOrDefault(label)))
            .Concat(ModelInputs.Select(label => Math.Clamp(modelScores.GetValueOrDefault(label, 0.5), 1e-4, 1 - 1e-4)).Select(p => Math.Log(p / (1 - p))))
            .ToArray();
    }

    /// <summary>Probability of each scored label for a text with these cue weights and model scores.</summary>
    public Dictionary<string, double> Scores(IReadOnlyDictionary<string, double> cueWeights, IReadOnlyDictionary<string, double> modelScores)
    {
        var x = Features(cueWeights, modelScores);
        return _coefficients.ToDictionary(pair => pair.Key, pair => Math.Round(Probability(pair.Value, x), 4), StringComparer.Ordinal);
    }

    /// <summary>The logistic function of coefficients (intercept first) and inputs.</summary>
    public static double Probability(double[] coefficients, double[] x)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        ArgumentNullException.ThrowIfNull(x);
        var z = coefficients[0];
        for (var i = 0; i < x.Length; i++) z += coefficients[i + 1] * x[i];
        return 1 / (1 + Math.Exp(-z));
    }

    /// <summary>
    /// L2-penalised logistic regression (intercept not penalised) by Newton's method: deterministic, exact to
    /// the optimum on a few hundred rows.
    /// </summary>
    public static double[] Fit(IReadOnlyList<(double[] X, bool Positive)> rows, double l2)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var n = InputCount + 1;
        var w = new double[n];
        for (var iteration = 0; iteration < 50; iteration++)
        {
            var gradient = new double[n];
            var hessian = new double[n, n];
            foreach (var (x, positive) in rows)
            {
                var row = new double[n];
                row[0] = 1;
                Array.Copy(x, 0, row, 1, x.Length);
                var p = Probability(w, x);
                for (var i = 0; i < n; i++)
                {
                    gradient[i] += (p - (positive ? 1 : 0)) * row[i];
                    for (var j = 0; j < n; j++) hessian[i, j] += p * (1 - p) * row[i] * row[j];
                }
            }
            for (var i = 1; i < n; i++) { gradient[i] += l2 * w[i]; hessian[i, i] += l2; }
            hessian[0, 0] += 1e-9;
            var step = Solve(hessian, gradient);
            for (var i = 0; i < n; i++) w[i] -= step[i];
            if (step.Max(Math.Abs) < 1e-10) break;
        }
        return w;
    }

    // Gaussian elimination with partial pivoting on a small dense system.
    private static double[] Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (var col = 0; col < n; col++)
        {
            var pivot = Enumerable.Range(col, n - col).MaxBy(r => Math.Abs(m[r, col]));
            for (var k = 0; k < n; k++) (m[col, k], m[pivot, k]) = (m[pivot, k], m[col, k]);
            (x[col], x[pivot]) = (x[pivot], x[col]);
            for (var r = col + 1; r < n; r++)
            {
                var f = m[r, col] / m[col, col];
                for (var k = col; k < n; k++) m[r, k] -= f * m[col, k];
                x[r] -= f * x[col];
            }
        }
        for (var r = n - 1; r >= 0; r--)
        {
            for (var k = r + 1; k < n; k++) x[r] -= m[r, k] * x[k];
            x[r] /= m[r, r];
        }
        return x;
    }

    /// <summary>Writes coefficients as tab-separated text: label, intercept, one per input.</summary>
    public static string Format(IReadOnlyDictionary<string, double[]> coefficients)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        var header = "label\tintercept\t" + string.Join('\t', CueInputs.Select(l => "cues:" + l).Concat(ModelInputs.Select(l => "model:" + l))) + "\n";
        return header + string.Concat(coefficients.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key + "\t" + string.Join('\t', p.Value.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "\n"));
    }

    /// <summary>Reads what <see cref="Format"/> wrote.</summary>
    public static CueTopicScores Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var coefficients = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1)
            .Select(line => line.Split('\t'))
            .ToDictionary(cells => cells[0], cells => cells.Skip(1).Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray(), StringComparer.Ordinal);
        return new CueTopicScores(coefficients);
    }

    private static CueTopicScores Load()
    {
        using var stream = typeof(CueTopicScores).Assembly.GetManifestResourceStream("NewsMonitor.Classification.Data.cue-topics.tsv")
            ?? throw new InvalidOperationException("Embedded resource cue-topics.tsv is missing from the build.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }
}
