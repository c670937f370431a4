namespace NewsMonitor.Entities.Recognition;

/// <summary>
/// Hierarchical word clusters in the manner of Brown clusters: each word has a bit path (<c>0110…</c>) and
/// words sharing a longer prefix occur in more similar contexts, so the tagger can generalise from a name it
/// was trained on to a word it never saw in a name but that is used the same way (a transliterated surname,
/// an agency's name). Built by <see cref="Build"/> from unlabelled text: recursive balanced bisection along the
/// principal direction of the positive-PMI vectors of each word's left and right neighbours. Pure and deterministic (no randomness:
/// ties break on frequency, then ordinal order), so the same text gives the same file.
/// </summary>
public sealed class WordClusters
{
    private readonly Dictionary<string, string> _paths;

    /// <summary>Wraps word (lexical key) → bit path.</summary>
    public WordClusters(IReadOnlyDictionary<string, string> paths) => _paths = new Dictionary<string, string>(paths, StringComparer.Ordinal);

    /// <summary>Number of words with a cluster.</summary>
    public int Count => _paths.Count;

    /// <summary>Number of distinct clusters (leaf paths).</summary>
    public int ClusterCount => _paths.Values.Distinct(StringComparer.Ordinal).Count();

    /// <summary>The bit path of <paramref name="word"/> (a normalised lexical key), or null when the word has none.</summary>
    public string? Path(string word) => _paths.GetValueOrDefault(word);

    /// <summary>Reads <c>word TAB path</c> lines (the format <see cref="Write"/> writes).</summary>
    public static WordClusters Read(TextReader reader)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab <= 0 || line.StartsWith('#')) continue;
            paths[line[..tab]] = line[(tab + 1)..].Trim();
        }
        return new WordClusters(paths);
    }

    /// <summary>Writes <c>word TAB path</c> lines in ordinal order of the word.</summary>
    public void Write(TextWriter writer)
    {
        foreach (var (word, path) in _paths.OrderBy(pair => pair.Key, StringComparer.Ordinal)) writer.Write(word + "\t" + path + "\n");
    }

    /// <summary>
    /// Clusters the words of <paramref name="sentences"/> seen at least <paramref name="minCount"/> times (at most
    /// <paramref name="maxWords"/>, most frequent first). A word's context vector counts which of the
    /// <paramref name="contextWords"/> most frequent words stand just before and just after it, weighted by
    /// positive PMI and L2-normalised; the vocabulary is split into equal halves along its principal direction,
    /// and each half again, down to <paramref name="depth"/> bits.
    /// </summary>
    public static WordClusters Build(IEnumerable<IReadOnlyList<string>> sentences, int depth = 12, int minCount = 3, int maxWords = 40_000, int contextWords = 1000, int iterations = 12)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        var corpus = sentences.Select(sentence => sentence.ToArray()).ToList();
        var frequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var sentence in corpus)
        {
            foreach (var word in sentence) frequency[word] = frequency.GetValueOrDefault(word) + 1;
        }
        var ranked = frequency.Where(pair => pair.Value >= minCount).OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => pair.Key).ToList();
        var vocabulary = ranked.Take(maxWords).ToList();
        var index = vocabulary.Select((word, i) => (word, i)).ToDictionary(pair => pair.word, pair => pair.i, StringComparer.Ordinal);
        var contextCount = Math.Min(contextWords, vocabulary.Count);
        var dimensions = 2 * contextCount + 2; // left words, right words, sentence start, sentence end

        var counts = new Dictionary<int, float>[vocabulary.Count];
        for (var i = 0; i < counts.Length; i++) counts[i] = [];
        var featureTotals = new double[dimensions];
        double total = 0;
        foreach (var sentence in corpus)
        {
            for (var i = 0; i < sentence.Length; i++)
            {
                if (!index.TryGetValue(sentence[i], out var w)) continue;
                var left = i == 0 ? 2 * contextCount : index.TryGetValue(sentence[i - 1], out var l) && l < contextCount ? l : -1;
                var right = i + 1 == sentence.Length ? 2 * contextCount + 1 : index.TryGetValue(sentence[i + 1], out var r) && r < contextCount ? contextCount + r : -1;
                foreach (var feature in new[] { left, right })
                {
                    if (feature < 0) continue;
                    counts[w][feature] = counts[w].GetValueOrDefault(feature) + 1;
                    featureTotals[feature]++;
                    total++;
                }
            }
        }
        var vectors = new (int[] Index, float[] Value)[vocabulary.Count];
        for (var w = 0; w < vectors.Length; w++)
        {
            var wordTotal = counts[w].Values.Sum();
            var entries = counts[w]
                .Select(pair => (pair.Key, Value: (float)Math.Log(pair.Value * total / (wordTotal * featureTotals[pair.Key]))))
                .Where(pair => pair.Value > 0).OrderBy(pair => pair.Key).ToList();
            var norm = (float)Math.Sqrt(entries.Sum(pair => (double)pair.Value * pair.Value));
            vectors[w] = ([.. entries.Select(pair => pair.Key)], [.. entries.Select(pair => norm > 0 ? pair.Value / norm : 0)]);
        }

        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        // Ascending index = descending frequency. A word none of whose neighbours is a context word has no vector: no cluster.
        var members = Enumerable.Range(0, vocabulary.Count).Where(w => vectors[w].Index.Length > 0).ToList();
        Split(members, "", depth, vectors, dimensions, iterations, (w, path) => paths[vocabulary[w]] = path);
        return new WordClusters(paths);
    }

    private static void Split(List<int> members, string prefix, int depth, (int[] Index, float[] Value)[] vectors, int dimensions, int iterations, Action<int, string> assign)
    {
        if (prefix.Length == depth || members.Count < 2)
        {
            foreach (var w in members) assign(w, prefix.Length == 0 ? "0" : prefix);
            return;
        }
        // The node's principal direction (power iteration on the centred vectors, from a fixed start), then a split
        // at the median projection: halves of equal size, so a prefix of n bits always means about 1/2^n of the words.
        // (2-means with argmax assignment split off a handful of outliers at each level on this sparse data.)
        var mean = new float[dimensions];
        foreach (var w in members)
        {
            var (idx, val) = vectors[w];
            for (var k = 0; k < idx.Length; k++) mean[idx[k]] += val[k] / members.Count;
        }
        var direction = new float[dimensions];
        for (var d = 0; d < dimensions; d++) direction[d] = (float)Math.Sin(d + 1.0 + prefix.Length);
        Normalise(direction);
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var meanProjection = Dot(mean, direction);
            var next = new float[dimensions];
            foreach (var w in members)
            {
                var (idx, val) = vectors[w];
                var weight = Dot(vectors[w], direction) - meanProjection;
                for (var k = 0; k < idx.Length; k++) next[idx[k]] += val[k] * weight;
            }
            // Σ (x−μ)(x−μ)·v = Σ x (x·v − μ·v) − μ Σ (x·v − μ·v), and the last sum is zero.
            if (!Normalise(next)) break;
            direction = next;
        }
        var ordered = members.Select((w, order) => (w, order, projection: Dot(vectors[w], direction)))
            .OrderBy(item => item.projection).ThenBy(item => item.order).Select(item => item.w).ToList();
        var half = ordered.Count / 2;
        Split([.. ordered.Take(half).Order()], prefix + "0", depth, vectors, dimensions, iterations, assign);
        Split([.. ordered.Skip(half).Order()], prefix + "1", depth, vectors, dimensions, iterations, assign);
    }

    private static float Dot(float[] a, float[] b)
    {
        float sum = 0;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static float Dot((int[] Index, float[] Value) sparse, float[] dense)
    {
        float sum = 0;
        for (var k = 0; k < sparse.Index.Length; k++) sum += sparse.Value[k] * dense[sparse.Index[k]];
        return sum;
    }

    private static bool Normalise(float[] vector)
    {
        var norm = (float)Math.Sqrt(vector.Sum(v => (double)v * v));
        if (norm == 0) return false;
        for (var i = 0; i < vector.Length; i++) vector[i] /= norm;
        return true;
    }
}
