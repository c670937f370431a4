using System.Numerics;

namespace NewsMonitor.Text.NearDuplicates;

/// <summary>
/// 64-bit SimHash (Charikar) of a shingle set: each bit is the majority vote of that bit over the shingle hashes, so
/// similar sets get fingerprints a few bits apart. Looked up by <see cref="Bands"/>: four 16-bit pieces; two fingerprints
/// at most 3 bits apart share at least one piece whole (pigeonhole), so a lookup by band finds every such pair. Pure.
/// </summary>
public static class SimHash
{
    /// <summary>Number of 16-bit bands a fingerprint is looked up by.</summary>
    public const int BandCount = 4;

    /// <summary>The fingerprint of <paramref name="shingles"/> (0 for none).</summary>
    public static ulong Of(IEnumerable<ulong> shingles)
    {
        Span<int> votes = stackalloc int[64];
        foreach (var hash in shingles)
        {
            for (var bit = 0; bit < 64; bit++) votes[bit] += ((hash >> bit) & 1) == 1 ? 1 : -1;
        }
        var fingerprint = 0UL;
        for (var bit = 0; bit < 64; bit++) if (votes[bit] > 0) fingerprint |= 1UL << bit;
        return fingerprint;
    }

    /// <summary>Number of differing bits.</summary>
    public static int Distance(ulong a, ulong b) => BitOperations.PopCount(a ^ b);

    /// <summary>1 - distance/64: 1 for equal fingerprints, about 0.5 for unrelated texts.</summary>
    public static double Similarity(ulong a, ulong b) => 1.0 - Distance(a, b) / 64.0;

    /// <summary>The four 16-bit bands, each tagged with its position (band i is <c>i &lt;&lt; 16 | bits</c>) so bands at different positions never match.</summary>
    public static int[] Bands(ulong fingerprint)
    {
        var bands = new int[BandCount];
        for (var i = 0; i < BandCount; i++) bands[i] = (i << 16) | (int)((fingerprint >> (16 * i)) & 0xFFFF);
        return bands;
    }
}
