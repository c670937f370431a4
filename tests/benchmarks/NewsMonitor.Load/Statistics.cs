using System.Globalization;

namespace NewsMonitor.Load;

/// <summary>Percentiles and the run's closing line: pure, so the figures the docs quote are tested.</summary>
public static class Statistics
{
    /// <summary>
    /// The nearest-rank percentile <paramref name="p"/> (0–100) of <paramref name="values"/>: the smallest value with at
    /// least p % of the values at or below it. Nearest rank, not interpolation, so a p99 is a latency someone saw.
    /// Null for no values.
    /// </summary>
    public static double? Percentile(IReadOnlyList<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (p is < 0 or > 100) throw new ArgumentOutOfRangeException(nameof(p), p, "A percentile is between 0 and 100.");
        if (values.Count == 0) return null;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    /// <summary>
    /// The last line of a run, in the form the issue fixes:
    /// <c>throughput &lt;articles/s&gt; ratio-to-marten &lt;x&gt; alert-p99-ms &lt;ms&gt; max-rss-mb &lt;mb&gt;</c>,
    /// invariant culture; a figure that was not measured prints as <c>n/a</c>.
    /// </summary>
    public static string SummaryLine(double throughput, double? martenRate, double? alertP99Ms, double maxRssMb)
    {
        var ratio = martenRate is > 0 ? (throughput / martenRate.Value).ToString("F3", CultureInfo.InvariantCulture) : "n/a";
        var p99 = alertP99Ms is { } ms ? ms.ToString("F0", CultureInfo.InvariantCulture) : "n/a";
        return string.Create(CultureInfo.InvariantCulture, $"throughput {throughput:F1} ratio-to-marten {ratio} alert-p99-ms {p99} max-rss-mb {maxRssMb:F0}");
    }

    /// <summary>
    /// The rate of a cumulative counter over a trailing window: for each sample i, (count[i] − count[j]) / (t[i] − t[j])
    /// with j the first sample at most <paramref name="window"/> seconds before i. Smooths the one-second samples
    /// into the throughput curve of the plot.
    /// </summary>
    public static double[] TrailingRate(IReadOnlyList<double> seconds, IReadOnlyList<long> counts, double window)
    {
        ArgumentNullException.ThrowIfNull(seconds);
        ArgumentNullException.ThrowIfNull(counts);
        if (seconds.Count != counts.Count) throw new ArgumentException("One count per time.", nameof(counts));
        var rates = new double[seconds.Count];
        var j = 0;
        for (var i = 0; i < seconds.Count; i++)
        {
            while (j < i && seconds[i] - seconds[j] > window) j++;
            var span = seconds[i] - seconds[j];
            rates[i] = span > 0 ? (counts[i] - counts[j]) / span : 0;
        }
        return rates;
    }
}
