using NewsMonitor.Load;

namespace NewsMonitor.Load.Tests;

public sealed class StatisticsTests
{
    [Fact]
    public void Percentiles_are_nearest_rank_values_that_were_seen()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToList();
        Assert.Equal(50, Statistics.Percentile(values, 50));
        Assert.Equal(95, Statistics.Percentile(values, 95));
        Assert.Equal(99, Statistics.Percentile(values, 99));
        Assert.Equal(100, Statistics.Percentile(values, 100));
        Assert.Equal(1, Statistics.Percentile(values, 0));
    }

    [Fact]
    public void A_p99_of_few_values_is_the_slowest_not_an_interpolation()
    {
        Assert.Equal(900, Statistics.Percentile([100, 200, 900], 99));
        Assert.Equal(200, Statistics.Percentile([100, 200, 900], 50));
        Assert.Null(Statistics.Percentile([], 99));
        Assert.Throws<ArgumentOutOfRangeException>(() => Statistics.Percentile([1], 101));
    }

    [Fact]
    public void The_summary_line_has_the_issue_s_exact_form_in_invariant_culture()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            Assert.Equal("throughput 16.6 ratio-to-marten 0.050 alert-p99-ms 1234 max-rss-mb 884", Statistics.SummaryLine(16.62, 332.4, 1234.4, 884.2));
            Assert.Equal("throughput 20.0 ratio-to-marten n/a alert-p99-ms n/a max-rss-mb 300", Statistics.SummaryLine(20, null, null, 300));
        }
        finally { Thread.CurrentThread.CurrentCulture = previous; }
    }

    [Fact]
    public void The_trailing_rate_is_the_count_gained_over_the_window()
    {
        double[] seconds = [0, 1, 2, 3, 4, 5];
        long[] counts = [0, 10, 20, 30, 30, 30];
        var rates = Statistics.TrailingRate(seconds, counts, 2);
        Assert.Equal([0, 10, 10, 10, 5, 0], rates);
    }
}
