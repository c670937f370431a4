namespace NewsMonitor.Text.NearDuplicates;

/// <summary>
/// MinHash sketch of a shingle set: for each of <see cref="Size"/> hash functions, the least hash over the set. The share
/// of equal positions in two sketches estimates the sets' Jaccard similarity (|A∩B| / |A∪B|), which is the similarity we
/// report and threshold: SimHash alone is too noisy for copies with a tenth of their words changed (every changed word
/// breaks three shingles). Locality-sensitive bands (<see cref="Bands"/>: <see cref="BandCount"/> bands of
/// <see cref="RowsPerBand"/> values) make two sets with Jaccard J candidates with probability 1 - (1 - J^2)^12: 0.68 at
/// J = 0.3, 0.97 at 0.5, 0.03 at 0.05. Pure.
/// </summary>
public static class MinHash
{
    /// <summary>Hash functions (values per sketch).</summary>
    public const int Size = 64;

    /// <summary>Bands used for candidate lookup.</summary>
    public const int BandCount = 12;

    /// <summary>Sketch values per band.</summary>
    public const int RowsPerBand = 2;

    private static readonly ulong[] Seeds = Enumerable.Range(1, Size).Select(i => Shingles.Mix(0x9E3779B97F4A7C15UL * (ulong)i)).ToArray();

    /// <summary>The sketch of <paramref name="shingles"/> (all <see cref="ulong.MaxValue"/> for none).</summary>
    public static ulong[] Of(IReadOnlyCollection<ulong> shingles)
    {
        var sketch = new ulong[Size];
        Array.Fill(sketch, ulong.MaxValue);
        foreach (var shingle in shingles)
        {
            for (var i = 0; i < Size; i++)
            {
                var value = Shingles.Mix(shingle ^ Seeds[i]);
                if (value < sketch[i]) sketch[i] = value;
            }
        }
        return sketch;
    }

    /// <summary>Estimated Jaccard similarity in [0, 1]: the share of equal positions.</summary>
    public static double Similarity(IReadOnlyList<ulong> a, IReadOnlyList<ulong> b)
    {
        if (a.Count != b.Count || a.Count == 0) return 0;
        var equal = 0;
        for (var i = 0; i < a.Count; i++) if (a[i] == b[i] && a[i] != ulong.MaxValue) equal++;
        return (double)equal / a.Count;
    }

    /// <summary>The band keys: a hash of each band's values, with the band's position mixed in.</summary>
    public static long[] Bands(IReadOnlyList<ulong> sketch)
    {
        var bands = new long[BandCount];
        for (var band = 0; band < BandCount; band++)
        {
            var key = Shingles.Mix((ulong)band + 1);
            for (var row = 0; row < RowsPerBand; row++) key = Shingles.Mix(key ^ sketch[band * RowsPerBand + row]);
            bands[band] = (long)key;
        }
        return bands;
    }
}
