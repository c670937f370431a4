using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Classification.Topics.Model;

/// <summary>
/// One-vs-rest logistic regression over <see cref="TopicFeatures"/>: one weight vector per label, trained with
/// AdaGrad on class-balanced logistic loss, then margins calibrated to probabilities by Platt scaling on the
/// development split. Every label gets a score in [0, 1]; labels at or above
/// <see cref="Threshold"/> are assigned. Pure and thread-safe after training or loading.
/// </summary>
public sealed class LinearTopicModel
{
    /// <summary>Calibrated probability at or above which a label is assigned.</summary>
    public const float Threshold = 0.5f;

    private const uint Magic = 0x4D504F54; // "TOPM"
    private const uint IdfMagic = 0x32504F54; // "TOP2": a model carrying document frequencies (TF-IDF); plain models keep "TOPM" and their bytes
    private readonly float[][] _weights;
    private readonly float[] _bias;
    private readonly (float A, float B)[] _calibration;
    private readonly DocumentFrequencies? _idf;

    private LinearTopicModel(string version, string[] labels, float[][] weights, float[] bias, (float A, float B)[] calibration, DocumentFrequencies? idf = null)
    {
        Version = version;
        Labels = labels;
        _weights = weights;
        _bias = bias;
        _calibration = calibration;
        _idf = idf;
    }

    /// <summary>Model version recorded in events (e.g. <c>linear-1</c>).</summary>
    public string Version { get; }

    /// <summary>The labels the model scores.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Raw margin of every label (before calibration); a TF-IDF model reweighs <paramref name="x"/> first.</summary>
    public float[] Margins(FeatureVector x)
    {
        if (_idf is not null) x = _idf.Weigh(x);
        var margins = new float[Labels.Count];
        for (var label = 0; label < margins.Length; label++)
        {
            var w = _weights[label];
            var sum = _bias[label];
            for (var i = 0; i < x.Indices.Length; i++) sum += w[x.Indices[i]] * x.Values[i];
            margins[label] = sum;
        }
        return margins;
    }

    /// <summary>Calibrated probability of every label, in <see cref="Labels"/> order.</summary>
    public float[] Probabilities(FeatureVector x) => Assess(x).Probabilities;

    /// <summary>
    /// Calibrated probability of every label, in <see cref="Labels"/> order, and whether the text's own features raise
    /// the label: its margin above the bias, which is all an empty text (or one whose features the model gives no weight
    /// to) gets. A label is only evidence of the text when raised; its probability alone can come from the prior.
    /// </summary>
    public (float[] Probabilities, bool[] Raised) Assess(FeatureVector x)
    {
        var margins = Margins(x);
        var raised = new bool[margins.Length];
        for (var label = 0; label < margins.Length; label++)
        {
            raised[label] = margins[label] > _bias[label];
            margins[label] = Sigmoid(_calibration[label].A * margins[label] + _calibration[label].B);
        }
        return (margins, raised);
    }

    /// <summary>
    /// Trains on (features, labels) examples for <paramref name="epochs"/> passes in an order fixed by
    /// <paramref name="seed"/>; <paramref name="afterEpoch"/> sees each epoch's (uncalibrated) model.
    /// Class-balanced logistic loss, as <c>linear-1</c> was trained.
    /// </summary>
    public static LinearTopicModel Train(string version, IReadOnlyList<string> labels, IReadOnlyList<(FeatureVector X, string[] Labels)> examples, int epochs,
        float learningRate = 0.2f, float l2 = 1e-5f, int seed = 20261124, Action<int, LinearTopicModel>? afterEpoch = null) =>
        Train(version, labels, examples, new TopicTraining(epochs, learningRate, l2, Seed: seed), afterEpoch);

    /// <summary>
    /// Trains one binary linear model per label with AdaGrad under <paramref name="training"/>'s loss, weighting and
    /// optional naive Bayes feature scaling (NBSVM: each feature scaled by its log-count ratio for the label, the
    /// scale then folded into the weights, so the result is an ordinary linear model over <see cref="TopicFeatures"/>).
    /// Deterministic: the example order comes from the seed. <paramref name="afterEpoch"/> sees each epoch's
    /// (uncalibrated) model.
    /// </summary>
    public static LinearTopicModel Train(string version, IReadOnlyList<string> labels, IReadOnlyList<(FeatureVector X, string[] Labels)> examples,
        TopicTraining training, Action<int, LinearTopicModel>? afterEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        var count = labels.Count;
        var weights = Enumerable.Range(0, count).Select(_ => new float[TopicFeatures.Size]).ToArray();
        var squares = Enumerable.Range(0, count).Select(_ => new float[TopicFeatures.Size]).ToArray();
        var bias = new float[count];
        var biasSquares = new float[count];
        var index = labels.Select((label, i) => (label, i)).ToDictionary(pair => pair.label, pair => pair.i, StringComparer.Ordinal);
        var targets = examples.Select(example => example.Labels.Where(index.ContainsKey).Select(label => index[label]).ToHashSet()).ToArray();
        // Class-balanced loss: at BalancePower 1 the positives and negatives of each label weigh half the total each; a
        // lower power moves each side's weight towards 1 (0: unweighted).
        if (!float.IsFinite(training.BalancePower) || training.BalancePower is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(training), training.BalancePower, "BalancePower runs from 0 (unweighted) to 1 (fully balanced).");
        }
        var positives = Enumerable.Range(0, count).Select(label => targets.Count(target => target.Contains(label))).ToArray();
        var positiveWeight = positives.Select(p => p == 0 ? 0f : training.Balanced ? Balance(examples.Count / (2f * p)) : 1f).ToArray();
        var negativeWeight = positives.Select(p => p == examples.Count ? 0f : training.Balanced ? Balance(examples.Count / (2f * (examples.Count - p))) : 1f).ToArray();
        float Balance(float weight) => training.BalancePower == 1 ? weight : MathF.Pow(weight, training.BalancePower);
        // TF-IDF: document frequencies of these examples only, so a held-out fold never informs its own weighting.
        var idf = training.InverseDocumentFrequency ? DocumentFrequencies.Of(examples.Select(example => example.X)) : null;
        if (idf is not null) examples = examples.Select(example => (idf.Weigh(example.X), example.Labels)).ToList();
        var scale = training.NaiveBayesAlpha > 0 ? NaiveBayesRatios(examples, targets, count, training.NaiveBayesAlpha) : null;
        var order = Enumerable.Range(0, examples.Count).ToArray();
        var random = new Random(training.Seed);
        var (rate, l2) = (training.LearningRate, training.L2);
        var live = new LinearTopicModel(version, [.. labels], weights, bias, Enumerable.Repeat((1f, 0f), count).ToArray(), idf);
        for (var epoch = 1; epoch <= training.Epochs; epoch++)
        {
            random.Shuffle(order);
            foreach (var e in order)
            {
                var x = examples[e].X;
                for (var label = 0; label < count; label++)
                {
                    var w = weights[label];
                    var s = scale?[label];
                    var margin = bias[label];
                    for (var i = 0; i < x.Indices.Length; i++) margin += w[x.Indices[i]] * x.Values[i] * (s is null ? 1f : s[x.Indices[i]]);
                    var positive = targets[e].Contains(label);
                    var y = positive ? 1f : -1f;
                    // d loss / d margin, before the class weight.
                    var slope = training.Loss switch
                    {
                        TopicLoss.Hinge => y * margin < 1 ? -y : 0f,
                        TopicLoss.SquaredHinge => y * margin < 1 ? -2 * y * (1 - y * margin) : 0f,
                        _ => Sigmoid(margin) - (positive ? 1f : 0f),
                    };
                    var gradient = slope * (positive ? positiveWeight[label] : negativeWeight[label]);
                    if (gradient == 0) continue;
                    var g2 = squares[label];
                    for (var i = 0; i < x.Indices.Length; i++)
                    {
                        var j = x.Indices[i];
                        var g = gradient * x.Values[i] * (s is null ? 1f : s[j]) + l2 * w[j];
                        g2[j] += g * g;
                        w[j] -= rate * g / MathF.Sqrt(g2[j] + 1e-8f);
                    }
                    biasSquares[label] += gradient * gradient;
                    bias[label] -= rate * gradient / MathF.Sqrt(biasSquares[label] + 1e-8f);
                }
            }
            afterEpoch?.Invoke(epoch, scale is null ? live : Folded(version, labels, weights, bias, scale, idf));
        }
        return scale is null ? live : Folded(version, labels, weights, bias, scale, idf);
    }

    // Wang and Manning's log-count ratio per label and feature bucket, from binarised presence, smoothed by alpha.
    private static float[][] NaiveBayesRatios(IReadOnlyList<(FeatureVector X, string[] Labels)> examples, HashSet<int>[] targets, int count, float alpha)
    {
        var ratios = new float[count][];
        for (var label = 0; label < count; label++)
        {
            var p = new float[TopicFeatures.Size];
            var q = new float[TopicFeatures.Size];
            for (var e = 0; e < examples.Count; e++)
            {
                var counts = targets[e].Contains(label) ? p : q;
                foreach (var j in examples[e].X.Indices) counts[j] += 1;
            }
            double pTotal = 0, qTotal = 0;
            for (var j = 0; j < p.Length; j++) { pTotal += p[j] + alpha; qTotal += q[j] + alpha; }
            var r = ratios[label] = new float[TopicFeatures.Size];
            for (var j = 0; j < r.Length; j++) r[j] = (float)Math.Log((p[j] + alpha) / pTotal / ((q[j] + alpha) / qTotal));
        }
        return ratios;
    }

    private static LinearTopicModel Folded(string version, IReadOnlyList<string> labels, float[][] weights, float[] bias, float[][] scale, DocumentFrequencies? idf) =>
        new(version, [.. labels], weights.Select((w, label) => w.Select((value, j) => value * scale[label][j]).ToArray()).ToArray(), [.. bias],
            Enumerable.Repeat((1f, 0f), labels.Count).ToArray(), idf);

    /// <summary>
    /// The same model with <paramref name="offsets"/> added to each label's bias: per-label thresholds, chosen on
    /// held-out data so that rare labels are not always outranked by frequent ones.
    /// </summary>
    public LinearTopicModel WithBiasOffsets(IReadOnlyList<float> offsets)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        return new LinearTopicModel(Version, [.. Labels], _weights, _bias.Select((b, label) => b + offsets[label]).ToArray(), _calibration, _idf);
    }

    /// <summary>These weights with <paramref name="other"/>'s calibration (fitted on held-out margins of a sibling model).</summary>
    public LinearTopicModel WithCalibrationOf(LinearTopicModel other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new LinearTopicModel(Version, [.. Labels], _weights, _bias, other._calibration, _idf);
    }

    /// <summary>The same weights under another version name.</summary>
    public LinearTopicModel Named(string version) => new(version, [.. Labels], _weights, _bias, _calibration, _idf);

    /// <summary>
    /// The same weights with margins mapped to probabilities by Platt scaling (a logistic fit of margin →
    /// is-this-label) on held-out examples. One fit shared by every label: it keeps the model's ranking of
    /// labels (per-label fits reorder them and cost 7 points of macro-F1 on dev) while making 0.5 mean "as
    /// likely as not" on held-out data.
    /// </summary>
    public LinearTopicModel Calibrated(IReadOnlyList<(FeatureVector X, string[] Labels)> heldOut)
    {
        var points = new List<(float Margin, bool Positive)>();
        foreach (var (x, labels) in heldOut)
        {
            var margins = Margins(x);
            for (var label = 0; label < Labels.Count; label++) points.Add((margins[label], labels.Contains(Labels[label])));
        }
        var shared = Platt(points);
        return new LinearTopicModel(Version, [.. Labels], _weights, _bias, Enumerable.Repeat(shared, Labels.Count).ToArray(), _idf);
    }

    // Platt's method with his smoothed targets, by Newton-free gradient descent (two parameters, a few hundred steps).
    private static (float A, float B) Platt(List<(float Margin, bool Positive)> points)
    {
        var positives = points.Count(point => point.Positive);
        var negatives = points.Count - positives;
        if (positives == 0 || negatives == 0) return (1f, 0f);
        var high = (positives + 1.0) / (positives + 2.0);
        var low = 1.0 / (negatives + 2.0);
        double a = 1, b = 0;
        for (var step = 0; step < 500; step++)
        {
            double ga = 0, gb = 0;
            foreach (var (margin, positive) in points)
            {
                var p = 1 / (1 + Math.Exp(-(a * margin + b)));
                var error = p - (positive ? high : low);
                ga += error * margin;
                gb += error;
            }
            a -= 0.5 * ga / points.Count;
            b -= 0.5 * gb / points.Count;
        }
        return ((float)a, (float)b);
    }

    /// <summary>
    /// Writes the model: labels, calibration, and each label's non-zero weights as half floats, then (TF-IDF models
    /// only) the document count and every bucket's document frequency; Brotli-compressed.
    /// </summary>
    public void Save(Stream output) => ModelFiles.Write(output, writer =>
    {
        writer.Write(_idf is null ? Magic : IdfMagic);
        writer.Write(Version);
        writer.Write(Labels.Count);
        for (var label = 0; label < Labels.Count; label++)
        {
            writer.Write(Labels[label]);
            writer.Write(_bias[label]);
            writer.Write(_calibration[label].A);
            writer.Write(_calibration[label].B);
            var w = _weights[label];
            var kept = Enumerable.Range(0, w.Length).Where(j => Math.Abs(w[j]) >= 1e-4f).ToList();
            writer.Write(kept.Count);
            var previous = 0;
            foreach (var j in kept)
            {
                writer.Write7BitEncodedInt(j - previous); // gaps compress better than indices
                writer.Write((Half)w[j]);
                previous = j;
            }
        }
        _idf?.Write(writer);
    });

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    public static LinearTopicModel Load(Stream input) => ModelFiles.Read(input, "NewsMonitor topic model", reader =>
    {
        var magic = reader.ReadUInt32();
        if (magic is not (Magic or IdfMagic)) throw new InvalidDataException("Not a NewsMonitor topic model.");
        var version = reader.ReadString();
        var count = reader.ReadInt32();
        if (count is < 1 or > MaxLabels) throw new InvalidDataException($"{count} labels: a topic model has 1 to {MaxLabels}.");
        var labels = new string[count];
        var weights = new float[count][];
        var bias = new float[count];
        var calibration = new (float, float)[count];
        for (var label = 0; label < count; label++)
        {
            labels[label] = reader.ReadString();
            bias[label] = Finite(reader.ReadSingle(), "bias");
            calibration[label] = (Finite(reader.ReadSingle(), "calibration"), Finite(reader.ReadSingle(), "calibration"));
            var kept = reader.ReadInt32();
            if (kept is < 0 or > TopicFeatures.Size) throw new InvalidDataException($"Label {labels[label]}: {kept} weights, at most {TopicFeatures.Size}.");
            // Allocated once the label's header has been read: a short file cannot claim memory it does not describe.
            var w = weights[label] = new float[TopicFeatures.Size];
            var j = 0;
            for (var k = 0; k < kept; k++)
            {
                var gap = reader.Read7BitEncodedInt();
                if (gap < (k == 0 ? 0 : 1) || gap > TopicFeatures.Size - 1 - j) throw new InvalidDataException($"Label {labels[label]}: a weight's bucket is out of order or out of range.");
                j += gap;
                w[j] = Finite((float)reader.ReadHalf(), "weight");
            }
        }
        if (labels.Distinct(StringComparer.Ordinal).Count() != count) throw new InvalidDataException("A label is named twice.");
        return new LinearTopicModel(version, labels, weights, bias, calibration, magic == IdfMagic ? DocumentFrequencies.Read(reader) : null);

        static float Finite(float value, string what) => float.IsFinite(value) ? value : throw new InvalidDataException($"A {what} is not a finite number.");
    });

    private const int MaxLabels = 64;

    private static float Sigmoid(float z) => 1f / (1f + MathF.Exp(-z));
}

/// <summary>The loss a <see cref="LinearTopicModel"/> is trained on.</summary>
public enum TopicLoss
{
    /// <summary>Logistic loss (logistic regression).</summary>
    Logistic,

    /// <summary>Hinge loss (linear SVM).</summary>
    Hinge,

    /// <summary>Squared hinge loss (scikit-learn's LinearSVC default).</summary>
    SquaredHinge,
}

/// <summary>How a <see cref="LinearTopicModel"/> is trained.</summary>
/// <param name="Epochs">Passes over the examples.</param>
/// <param name="LearningRate">AdaGrad's base rate.</param>
/// <param name="L2">L2 penalty on the weights a step touches.</param>
/// <param name="Loss">The loss.</param>
/// <param name="Balanced">Whether each label's positives and negatives weigh half the total each.</param>
/// <param name="NaiveBayesAlpha">Smoothing of the NBSVM log-count ratios; 0 leaves the features unscaled.</param>
/// <param name="Seed">Seed of the example order.</param>
/// <param name="InverseDocumentFrequency">Whether features are reweighed by smoothed idf from the training examples (TF-IDF), the table kept in the model.</param>
/// <param name="BalancePower">How far <paramref name="Balanced"/> goes: each side's balancing weight is raised to this power (1: fully balanced, 0: unweighted).</param>
public sealed record TopicTraining(int Epochs, float LearningRate = 0.2f, float L2 = 1e-5f, TopicLoss Loss = TopicLoss.Logistic,
    bool Balanced = true, float NaiveBayesAlpha = 0, int Seed = 20261124, bool InverseDocumentFrequency = false, float BalancePower = 1);

/// <summary>
/// Document frequency of every feature bucket over a model's training texts, and the smoothed idf it gives
/// (ln((n + 1) / (df + 1)) + 1, scikit-learn's): frequent character n-grams stop dominating the L2 norm. Kept as
/// counts so a reloaded model recomputes exactly the floats it was trained with.
/// </summary>
internal sealed class DocumentFrequencies
{
    private readonly int _documents;
    private readonly int[] _frequency;
    private readonly float[] _idf;

    private DocumentFrequencies(int documents, int[] frequency)
    {
        _documents = documents;
        _frequency = frequency;
        _idf = frequency.Select(df => (float)(Math.Log((documents + 1.0) / (df + 1.0)) + 1)).ToArray();
    }

    public static DocumentFrequencies Of(IEnumerable<FeatureVector> documents)
    {
        var frequency = new int[TopicFeatures.Size];
        var count = 0;
        foreach (var x in documents)
        {
            count++;
            foreach (var j in x.Indices) frequency[j]++;
        }
        return new DocumentFrequencies(count, frequency);
    }

    /// <summary>The vector with each value times its bucket's idf, L2-normalised again.</summary>
    public FeatureVector Weigh(FeatureVector x)
    {
        var values = new float[x.Values.Length];
        var norm = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = x.Values[i] * _idf[x.Indices[i]];
            norm += values[i] * values[i];
        }
        if (norm > 0)
        {
            var scale = (float)(1 / Math.Sqrt(norm));
            for (var i = 0; i < values.Length; i++) values[i] *= scale;
        }
        return new FeatureVector(x.Indices, values);
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(_documents);
        foreach (var df in _frequency) writer.Write7BitEncodedInt(df);
    }

    public static DocumentFrequencies Read(BinaryReader reader)
    {
        var documents = reader.ReadInt32();
        if (documents < 0) throw new InvalidDataException($"{documents} documents behind the idf table.");
        var frequency = new int[TopicFeatures.Size];
        for (var j = 0; j < frequency.Length; j++)
        {
            frequency[j] = reader.Read7BitEncodedInt();
            if (frequency[j] is < 0 || frequency[j] > documents) throw new InvalidDataException($"Bucket {j} is in {frequency[j]} of {documents} documents.");
        }
        return new DocumentFrequencies(documents, frequency);
    }
}
