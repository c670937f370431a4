using System.Runtime.InteropServices;

namespace NewsMonitor.Entities.Recognition;

/// <summary>
/// A first-order structured perceptron over BIO tags (PERS, LOC, ORG, MISC) with averaged weights, decoded
/// with Viterbi under the BIO constraint (I-X only after B-X or I-X). Trained on ANERcorp train; see
/// <see cref="Train"/>. Tagging is pure and thread-safe; the model is immutable after loading.
/// </summary>
public sealed class PerceptronTagger
{
    /// <summary>The tag set, index = tag id.</summary>
    public static readonly IReadOnlyList<string> Tags = ["O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"];

    private const int TagCount = 9;
    private const int Start = TagCount; // row of the transition table for "before the first word"
    private static readonly uint Magic = 0x52454E4D; // "MNER"
    private readonly FeatureRows _rows;
    private readonly float[] _weights;
    private readonly float[] _transitions;
    private readonly NameGazetteer _gazetteer;
    private readonly WordClusters? _clusters;
    private readonly NerFeatureSet _set;
    private readonly IReadOnlyDictionary<string, string>? _triggers;

    private PerceptronTagger(FeatureRows rows, float[] weights, float[] transitions, NameGazetteer gazetteer, WordClusters? clusters, NerFeatureSet set, IReadOnlyDictionary<string, string>? triggers)
    {
        _clusters = clusters;
        _set = set;
        _triggers = triggers;
        _rows = rows;
        _weights = weights;
        _transitions = transitions;
        _gazetteer = gazetteer;
    }

    /// <summary>Number of feature rows the model holds.</summary>
    public int FeatureCount => _rows.Count;

    /// <summary>The gazetteer the features look names up in.</summary>
    public NameGazetteer Gazetteer => _gazetteer;

    /// <summary>The word clusters the features read, or null for a model trained without them.</summary>
    public WordClusters? Clusters => _clusters;

    /// <summary>The feature templates beyond <c>ner-2pass-2</c>'s that the model was trained with.</summary>
    public NerFeatureSet FeatureSet => _set;

    /// <summary>The learned trigger words (lexical key → type) the features read, or null (<see cref="NerFeatureSet.LearnedTriggers"/>).</summary>
    public IReadOnlyDictionary<string, string>? Triggers => _triggers;

    /// <summary>The best tag sequence for one sentence.</summary>
    public string[] Tag(ReadOnlySpan<TaggerWord> words, SentenceContext? context = null)
    {
        return Names(TagIds(words, context, _rows, _weights, _transitions, _gazetteer, _clusters, _set, _triggers));
    }

    /// <summary>The best tag sequence for a sentence whose features <see cref="Extract"/> gave (with this model's settings).</summary>
    internal string[] Tag(uint[][] features) => Names(TagIds(features, _rows, _weights, _transitions));

    private static string[] Names(int[] ids)
    {
        var tags = new string[ids.Length];
        for (var i = 0; i < ids.Length; i++) tags[i] = Tags[ids[i]];
        return tags;
    }

    private static int[] TagIds(ReadOnlySpan<TaggerWord> words, SentenceContext? context, FeatureRows rows, float[] weights, float[] transitions, NameGazetteer gazetteer, WordClusters? clusters, NerFeatureSet set, IReadOnlyDictionary<string, string>? triggers)
    {
        var n = words.Length;
        if (n == 0) return [];
        var facts = new SentenceFacts(words, gazetteer, clusters, context, set, triggers);
        var emissions = new float[n * TagCount];
        var features = new List<uint>(48);
        for (var i = 0; i < n; i++)
        {
            NerFeatures.Extract(words, facts, i, features);
            var scores = emissions.AsSpan(i * TagCount, TagCount);
            foreach (var feature in features)
            {
                if (rows.RowOf(feature) is var row and >= 0) AddRow(scores, weights, row);
            }
        }
        return Viterbi(emissions, transitions, n);
    }

    private static void AddRow(Span<float> scores, float[] weights, int row)
    {
        var w = weights.AsSpan(row * TagCount, TagCount);
        for (var t = 0; t < TagCount; t++) scores[t] += w[t];
    }

    private static int[] Viterbi(float[] emissions, float[] transitions, int n)
    {
        var score = new float[n * TagCount];
        var back = new int[n * TagCount];
        for (var t = 0; t < TagCount; t++)
            score[t] = Allowed(Start, t) ? transitions[Start * TagCount + t] + emissions[t] : float.NegativeInfinity;
        for (var i = 1; i < n; i++)
        {
            for (var t = 0; t < TagCount; t++)
            {
                var best = float.NegativeInfinity;
                var arg = 0;
                for (var p = 0; p < TagCount; p++)
                {
                    if (!Allowed(p, t)) continue;
                    var candidate = score[(i - 1) * TagCount + p] + transitions[p * TagCount + t];
                    if (candidate > best) { best = candidate; arg = p; }
                }
                score[i * TagCount + t] = best + emissions[i * TagCount + t];
                back[i * TagCount + t] = arg;
            }
        }
        var path = new int[n];
        var last = 0;
        for (var t = 1; t < TagCount; t++)
        {
            if (score[(n - 1) * TagCount + t] > score[(n - 1) * TagCount + last]) last = t;
        }
        path[n - 1] = last;
        for (var i = n - 1; i > 0; i--) path[i - 1] = back[i * TagCount + path[i]];
        return path;
    }

    // I-X (odd ids 2, 4, 6, 8) may only follow B-X (id - 1) or I-X (id).
    private static bool Allowed(int previous, int tag) => tag == 0 || tag % 2 == 1 || previous == tag || previous == tag - 1;

    /// <summary>
    /// Trains on tagged sentences: <paramref name="epochs"/> passes in an order shuffled by a fixed seed (so the
    /// same data gives the same model), weights averaged over every step. <paramref name="afterEpoch"/> sees
    /// the model of each epoch, for choosing the number of epochs on a development set.
    /// </summary>
    public static PerceptronTagger Train(IReadOnlyList<(TaggerWord[] Words, string[] Tags)> sentences, NameGazetteer gazetteer, int epochs, Action<int, PerceptronTagger>? afterEpoch = null, WordClusters? clusters = null, NerFeatureSet set = NerFeatureSet.None,
        IReadOnlyDictionary<string, string>? triggers = null) =>
        Train(sentences.Select(sentence => (sentence.Words, sentence.Tags, (SentenceContext?)null)).ToList(), gazetteer, epochs, afterEpoch, clusters, set, triggers);

    /// <summary>The same, for a second pass: each sentence with its <see cref="SentenceContext"/>.</summary>
    /// <remarks>With <see cref="NerFeatureSet.LearnedTriggers"/> and no <paramref name="triggers"/>, they are learned from <paramref name="sentences"/>.</remarks>
    public static PerceptronTagger Train(IReadOnlyList<(TaggerWord[] Words, string[] Tags, SentenceContext? Context)> sentences, NameGazetteer gazetteer, int epochs, Action<int, PerceptronTagger>? afterEpoch = null, WordClusters? clusters = null, NerFeatureSet set = NerFeatureSet.None,
        IReadOnlyDictionary<string, string>? triggers = null)
    {
        if ((set & NerFeatureSet.LearnedTriggers) != 0) triggers ??= TriggerWords.Learn(sentences.Select(sentence => (sentence.Words, sentence.Tags)));
        return Train(sentences.Select(sentence => Extract(sentence.Words, sentence.Context, gazetteer, clusters, set, triggers)).ToList(), sentences.Select(sentence => sentence.Tags).ToList(), gazetteer, epochs, afterEpoch, clusters, set, triggers);
    }

    /// <summary>
    /// The same from features already extracted by <see cref="Extract"/> with the same gazetteer, clusters and set
    /// (so a caller training several models on overlapping data extracts each sentence once).
    /// </summary>
    internal static PerceptronTagger Train(IReadOnlyList<uint[][]> sentenceFeatures, IReadOnlyList<string[]> sentenceTags, NameGazetteer gazetteer, int epochs, Action<int, PerceptronTagger>? afterEpoch, WordClusters? clusters, NerFeatureSet set,
        IReadOnlyDictionary<string, string>? triggers)
    {
        var tagIndex = Tags.Select((tag, index) => (tag, index)).ToDictionary(pair => pair.tag, pair => pair.index, StringComparer.Ordinal);
        // Each distinct feature hash gets a dense id once, so the training loop indexes arrays instead of hashing
        // (a weight row is still only allocated on a feature's first update; the model is the same as with lookups).
        // The shuffle sees the same array length as before, so the same seed gives the same order and model.
        var ids = new Dictionary<uint, int>();
        var hashes = new List<uint>();
        var data = new (int[][] Features, int[] Gold)[sentenceFeatures.Count];
        for (var s = 0; s < data.Length; s++)
        {
            var words = sentenceFeatures[s];
            var dense = new int[words.Length][];
            for (var i = 0; i < words.Length; i++)
            {
                dense[i] = new int[words[i].Length];
                for (var f = 0; f < words[i].Length; f++)
                {
                    ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(ids, words[i][f], out var seen);
                    if (!seen) { id = hashes.Count; hashes.Add(words[i][f]); }
                    dense[i][f] = id;
                }
            }
            data[s] = (dense, sentenceTags[s].Select(tag => tagIndex.GetValueOrDefault(tag, 0)).ToArray());
        }
        var state = new TrainingState(hashes);
        var random = new Random(20261124);
        PerceptronTagger? model = null;
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            random.Shuffle(data);
            foreach (var (features, gold) in data)
            {
                state.Step++;
                var predicted = state.TagIds(features);
                if (predicted.AsSpan().SequenceEqual(gold)) continue;
                for (var i = 0; i < features.Length; i++)
                {
                    var previousGold = i == 0 ? Start : gold[i - 1];
                    var previousPredicted = i == 0 ? Start : predicted[i - 1];
                    if (gold[i] == predicted[i] && previousGold == previousPredicted) continue;
                    state.UpdateTransition(previousGold, gold[i], 1);
                    state.UpdateTransition(previousPredicted, predicted[i], -1);
                    if (gold[i] == predicted[i]) continue;
                    foreach (var feature in features[i])
                    {
                        state.Update(feature, gold[i], 1);
                        state.Update(feature, predicted[i], -1);
                    }
                }
            }
            // Averaging builds a model: only when someone looks at this epoch's, and once at the end.
            if (afterEpoch is not null || epoch == epochs)
            {
                model = state.Averaged(gazetteer, clusters, set, triggers);
                afterEpoch?.Invoke(epoch, model);
            }
        }
        return model ?? state.Averaged(gazetteer, clusters, set, triggers);
    }

    /// <summary>Every word's feature hashes for a sentence, as a model with these settings extracts them when tagging.</summary>
    internal static uint[][] Extract(TaggerWord[] words, SentenceContext? context, NameGazetteer gazetteer, WordClusters? clusters, NerFeatureSet set, IReadOnlyDictionary<string, string>? triggers)
    {
        var facts = new SentenceFacts(words, gazetteer, clusters, context, set, triggers);
        var features = new List<uint>(64);
        var result = new uint[words.Length][];
        for (var i = 0; i < words.Length; i++)
        {
            NerFeatures.Extract(words, facts, i, features);
            result[i] = [.. features];
        }
        return result;
    }

    private static int[] TagIds(uint[][] features, FeatureRows rows, float[] weights, float[] transitions) =>
        Decode(features, new HashedRows(rows), weights, transitions);

    /// <summary>Where a feature's weight row is: by hash in a trained model, by dense id while training; negative when it has none.</summary>
    private interface IRows<TFeature>
    {
        int RowOf(TFeature feature);
    }

    private readonly struct HashedRows(FeatureRows rows) : IRows<uint>
    {
        public int RowOf(uint feature) => rows.RowOf(feature);
    }

    private readonly struct DenseRows(int[] rowOf) : IRows<int>
    {
        public int RowOf(int feature) => rowOf[feature];
    }

    // Generic over a struct so the JIT specialises each lookup (no interface calls in the hot loop).
    private static int[] Decode<TFeature, TRows>(TFeature[][] features, TRows rows, float[] weights, float[] transitions) where TRows : struct, IRows<TFeature>
    {
        var n = features.Length;
        if (n == 0) return [];
        var emissions = new float[n * TagCount];
        for (var i = 0; i < n; i++)
        {
            var scores = emissions.AsSpan(i * TagCount, TagCount);
            foreach (var feature in features[i])
            {
                if (rows.RowOf(feature) is var row and >= 0) AddRow(scores, weights, row);
            }
        }
        return Viterbi(emissions, transitions, n);
    }

    /// <summary>Writes the model: weights as half floats, rows that average to nothing dropped.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(Magic);
        writer.Write(TagCount);
        foreach (var value in _transitions) writer.Write(value);
        var kept = _rows.Pairs.Where(pair => Enumerable.Range(0, TagCount).Any(t => Math.Abs(_weights[pair.Value * TagCount + t]) >= 1e-3f)).OrderBy(pair => pair.Key).ToList();
        writer.Write(kept.Count);
        foreach (var (feature, row) in kept)
        {
            writer.Write(feature);
            for (var t = 0; t < TagCount; t++) writer.Write((Half)_weights[row * TagCount + t]);
        }
    }

    /// <summary>Reads a model written by <see cref="Save"/>; <paramref name="gazetteer"/> and <paramref name="clusters"/> must be the ones it was trained with.</summary>
    public static PerceptronTagger Load(BinaryReader reader, NameGazetteer gazetteer, WordClusters? clusters = null, NerFeatureSet set = NerFeatureSet.None, IReadOnlyDictionary<string, string>? triggers = null)
    {
        if (reader.ReadUInt32() != Magic || reader.ReadInt32() != TagCount) throw new InvalidDataException("Not a NewsMonitor NER model.");
        var transitions = new float[(TagCount + 1) * TagCount];
        for (var i = 0; i < transitions.Length; i++) transitions[i] = reader.ReadSingle();
        if (transitions.Any(value => !float.IsFinite(value))) throw new InvalidDataException("A transition weight is not a finite number.");
        var count = reader.ReadInt32();
        if (count is < 0 or > MaxRows) throw new InvalidDataException($"{count} feature rows: a model holds 0 to {MaxRows}.");
        // Grown as rows are read, not sized from the count: a short file claiming many rows ends before it costs memory.
        var features = new List<uint>(Math.Min(count, 1 << 16));
        var weights = new List<float>(Math.Min(count, 1 << 16) * TagCount);
        for (var row = 0; row < count; row++)
        {
            features.Add(reader.ReadUInt32());
            for (var t = 0; t < TagCount; t++)
            {
                var weight = (float)reader.ReadHalf();
                if (!float.IsFinite(weight)) throw new InvalidDataException($"Feature row {row} has a weight that is not a finite number.");
                weights.Add(weight);
            }
        }
        // A feature given twice throws ArgumentException: NerModel.Load (ModelFiles.Read) refuses the file for it.
        return new PerceptronTagger(new FeatureRows(count, features.Select((feature, row) => (feature, row))), [.. weights], transitions, gazetteer, clusters, set, triggers);
    }

    private const int MaxRows = 1 << 24;

    /// <summary>
    /// Weights with the bookkeeping for averaging: the sum of each weight over all steps, updated lazily. Features
    /// are dense ids (index into the hashes); a weight row is allocated on a feature's first update.
    /// </summary>
    private sealed class TrainingState(List<uint> hashes)
    {
        private readonly int[] _rowOf = Enumerable.Repeat(-1, hashes.Count).ToArray();
        private int _rowCount;
        public float[] Weights { get; private set; } = new float[1024 * TagCount];
        public float[] Transitions { get; } = new float[(TagCount + 1) * TagCount];
        public long Step { get; set; }
        private double[] _sums = new double[1024 * TagCount];
        private long[] _stamps = new long[1024 * TagCount];
        private readonly double[] _transitionSums = new double[(TagCount + 1) * TagCount];
        private readonly long[] _transitionStamps = new long[(TagCount + 1) * TagCount];

        /// <summary>Viterbi with the current (not averaged) weights; features never updated score nothing.</summary>
        public int[] TagIds(int[][] features) => Decode(features, new DenseRows(_rowOf), Weights, Transitions);

        public void Update(int feature, int tag, int delta)
        {
            var row = _rowOf[feature];
            if (row < 0)
            {
                row = _rowOf[feature] = _rowCount++;
                if (_rowCount * TagCount > Weights.Length) Grow();
            }
            var index = row * TagCount + tag;
            _sums[index] += (Step - _stamps[index]) * (double)Weights[index];
            _stamps[index] = Step;
            Weights[index] += delta;
        }

        public void UpdateTransition(int previous, int tag, int delta)
        {
            var index = previous * TagCount + tag;
            _transitionSums[index] += (Step - _transitionStamps[index]) * (double)Transitions[index];
            _transitionStamps[index] = Step;
            Transitions[index] += delta;
        }

        public PerceptronTagger Averaged(NameGazetteer gazetteer, WordClusters? clusters, NerFeatureSet set, IReadOnlyDictionary<string, string>? triggers)
        {
            var rows = new FeatureRows(_rowCount, Enumerable.Range(0, _rowOf.Length).Where(id => _rowOf[id] >= 0).Select(id => (hashes[id], _rowOf[id])));
            var weights = new float[_rowCount * TagCount];
            for (var i = 0; i < weights.Length; i++) weights[i] = (float)((_sums[i] + (Step - _stamps[i]) * (double)Weights[i]) / Step);
            var transitions = new float[Transitions.Length];
            for (var i = 0; i < transitions.Length; i++) transitions[i] = (float)((_transitionSums[i] + (Step - _transitionStamps[i]) * (double)Transitions[i]) / Step);
            return new PerceptronTagger(rows, weights, transitions, gazetteer, clusters, set, triggers);
        }

        private void Grow()
        {
            var size = Weights.Length * 2;
            var weights = Weights;
            Array.Resize(ref weights, size);
            Weights = weights;
            Array.Resize(ref _sums, size);
            Array.Resize(ref _stamps, size);
        }
    }
}
