namespace NewsMonitor.Testing;

/// <summary>Spacing of recorded instants, for politeness checks on either side of a connection.</summary>
public static class TimeGaps
{
    /// <summary>The smallest gap between consecutive instants of <paramref name="instants"/> (any order); null with fewer than two.</summary>
    public static TimeSpan? Smallest(IEnumerable<TimeSpan> instants)
    {
        var ordered = instants.Order().ToList();
        return ordered.Count < 2 ? null : ordered.Zip(ordered.Skip(1), (earlier, later) => later - earlier).Min();
    }
}
