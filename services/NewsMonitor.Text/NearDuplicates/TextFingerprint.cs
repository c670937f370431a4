namespace NewsMonitor.Text.NearDuplicates;

/// <summary>What near-duplicate detection keeps of an article: its SimHash, its MinHash sketch and their lookup bands. Pure.</summary>
/// <param name="SimHash">64-bit SimHash of the body's shingles.</param>
/// <param name="Sketch">MinHash sketch of the same shingles (<see cref="MinHash.Size"/> values).</param>
/// <param name="ShingleCount">Distinct shingles of the body.</param>
public sealed record TextFingerprint(ulong SimHash, ulong[] Sketch, int ShingleCount)
{
    /// <summary>Bodies with fewer shingles are too short to call a near copy (a one-line flash matches too much).</summary>
    public const int MinShingles = 8;

    /// <summary>
    /// The fingerprint of an article's body. The title is left out: a new title is the most common edit of a
    /// republication and says little about the text.
    /// </summary>
    public static TextFingerprint Of(string body)
    {
        var shingles = Shingles.Of(body);
        return new TextFingerprint(NearDuplicates.SimHash.Of(shingles), MinHash.Of(shingles), shingles.Count);
    }

    /// <summary>Whether the body is long enough to be compared.</summary>
    public bool Comparable => ShingleCount >= MinShingles;

    /// <summary>The four SimHash band keys (<see cref="NearDuplicates.SimHash.Bands"/>).</summary>
    public int[] SimHashBands() => NearDuplicates.SimHash.Bands(SimHash);

    /// <summary>The MinHash band keys (<see cref="MinHash.Bands"/>).</summary>
    public long[] MinHashBands() => MinHash.Bands(Sketch);

    /// <summary>
    /// Similarity to <paramref name="other"/> in [0, 1]: the MinHash estimate of the shingle sets' Jaccard similarity, which
    /// separates edited copies from other articles on the same subject far better than 1 - SimHash distance / 64
    /// (docs/benchmarks.md, "Near-duplicates").
    /// </summary>
    public double SimilarityTo(TextFingerprint other) => MinHash.Similarity(Sketch, other.Sketch);
}

/// <summary>An earlier article a new one is a near copy of.</summary>
/// <param name="Original">The earlier article (the first of its family when that one is itself a copy).</param>
/// <param name="Similarity">Similarity to the closest earlier copy, in [0, 1].</param>
public sealed record NearDuplicateMatch(Guid Original, double Similarity);

/// <summary>
/// An in-memory index of fingerprints by band, for candidates that have not been stored yet (earlier items of the same
/// batch) and for measurements; the service keeps the same bands in indexed columns. Not thread-safe. Pure.
/// </summary>
public sealed class NearDuplicateIndex(double threshold)
{
    private readonly Dictionary<long, List<int>> _byBand = [];
    private readonly List<(Guid Id, Guid Root, TextFingerprint Fingerprint)> _entries = [];

    /// <summary>Least similarity to call a near copy.</summary>
    public double Threshold { get; } = threshold;

    /// <summary>Number of fingerprints held.</summary>
    public int Count => _entries.Count;

    /// <summary>Adds an article; <paramref name="root"/> is the original of its family (itself when it is an original).</summary>
    public void Add(Guid id, Guid root, TextFingerprint fingerprint)
    {
        if (!fingerprint.Comparable) return;
        _entries.Add((id, root, fingerprint));
        foreach (var key in Keys(fingerprint))
        {
            if (!_byBand.TryGetValue(key, out var list)) _byBand[key] = list = [];
            list.Add(_entries.Count - 1);
        }
    }

    /// <summary>The best match at or above the threshold among articles sharing a band with <paramref name="fingerprint"/>, or null.</summary>
    public NearDuplicateMatch? Find(TextFingerprint fingerprint)
    {
        if (!fingerprint.Comparable) return null;
        var seen = new HashSet<int>();
        var candidates = new List<(Guid Id, Guid Root, TextFingerprint Fingerprint)>();
        foreach (var key in Keys(fingerprint))
        {
            if (!_byBand.TryGetValue(key, out var list)) continue;
            foreach (var index in list) if (seen.Add(index)) candidates.Add(_entries[index]);
        }
        return Best(fingerprint, candidates, Threshold);
    }

    /// <summary>
    /// The candidate most similar to <paramref name="fingerprint"/> at or above <paramref name="threshold"/>, or null; on a
    /// tie, the earlier in <paramref name="candidates"/>. The match names the candidate's root, so copies of copies all
    /// point at the first article.
    /// </summary>
    public static NearDuplicateMatch? Best(TextFingerprint fingerprint, IEnumerable<(Guid Id, Guid Root, TextFingerprint Fingerprint)> candidates, double threshold)
    {
        if (!fingerprint.Comparable) return null;
        NearDuplicateMatch? best = null;
        foreach (var (_, root, candidate) in candidates)
        {
            if (!candidate.Comparable) continue;
            var similarity = fingerprint.SimilarityTo(candidate);
            if (similarity >= threshold && (best is null || similarity > best.Similarity)) best = new NearDuplicateMatch(root, Math.Round(similarity, 4));
        }
        return best;
    }

    // SimHash bands are 18-bit values, MinHash bands 64-bit hashes: tag the SimHash ones so the two kinds never meet.
    private static IEnumerable<long> Keys(TextFingerprint fingerprint) =>
        fingerprint.SimHashBands().Select(band => (long)band | (1L << 62)).Concat(fingerprint.MinHashBands().Select(band => band & ~(1L << 62)));
}
