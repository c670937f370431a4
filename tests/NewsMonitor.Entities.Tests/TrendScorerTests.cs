using NewsMonitor.Entities.Profiles;

namespace NewsMonitor.Entities.Tests;

public class TrendScorerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 30, 0, TimeSpan.Zero);

    private static EntityMentionHour Hour(string entity, int hoursAgo, int mentions) => new()
    {
        EntityId = entity,
        Hour = EntityMentionHour.HourOf(Now.AddHours(-hoursAgo)),
        Mentions = mentions,
        Articles = 1,
    };

    [Fact]
    public void A_spike_above_the_entitys_own_baseline_outranks_a_steady_stream()
    {
        var hours = new List<EntityMentionHour>();
        // Steady: 10 mentions every day for a week and today.
        for (var day = 0; day < 8; day++) hours.Add(Hour("steady", day * 24 + 1, 10));
        // Spike: 1 mention a day for a week, 12 today.
        for (var day = 1; day < 8; day++) hours.Add(Hour("spike", day * 24 + 1, 1));
        hours.Add(Hour("spike", 1, 12));

        var trends = TrendScorer.Rank(hours, Now, TimeSpan.FromHours(24));
        Assert.Equal(["spike", "steady"], trends.Select(trend => trend.EntityId));
        var spike = trends[0];
        Assert.Equal(12, spike.Mentions);
        Assert.Equal(1, spike.Expected, 3);
        Assert.Equal((12 - 1) / Math.Sqrt(2), spike.Score, 6);
        Assert.Equal(0, trends[1].Score, 6);
    }

    [Fact]
    public void Entities_below_the_minimum_and_hours_outside_the_periods_do_not_count()
    {
        var hours = new List<EntityMentionHour> { Hour("once", 2, 1), Hour("future", -3, 50), Hour("ancient", 24 * 30, 99), Hour("new", 3, 4) };
        var trend = Assert.Single(TrendScorer.Rank(hours, Now, TimeSpan.FromHours(24)));
        Assert.Equal("new", trend.EntityId);
        Assert.Equal(0, trend.Expected);
        Assert.Equal(4, trend.Score, 6);
    }

    [Theory]
    [InlineData("24h", 24 * 60)]
    [InlineData("90m", 90)]
    [InlineData("7d", 7 * 24 * 60)]
    [InlineData("1H", 60)]
    public void Windows_are_read(string text, int minutes) => Assert.Equal(TimeSpan.FromMinutes(minutes), TrendScorer.ParseWindow(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("24")]
    [InlineData("h")]
    [InlineData("-5h")]
    [InlineData("0d")]
    [InlineData("31d")]
    [InlineData("5w")]
    [InlineData("99999999999h")]
    public void Bad_windows_are_refused(string? text) => Assert.Null(TrendScorer.ParseWindow(text));
}
