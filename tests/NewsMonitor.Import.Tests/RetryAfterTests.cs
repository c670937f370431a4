using NewsMonitor.Import.Http;

namespace NewsMonitor.Import.Tests;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("5", 5)]
    [InlineData(" 0 ", 0)]
    [InlineData("120", 120)]
    [InlineData("Sun, 29 Nov 2026 12:00:30 GMT", 30)]
    [InlineData("Sun, 29 Nov 2026 11:00:00 GMT", 0)]
    [InlineData("999999999999999999999", 600)]
    [InlineData("86400", 600)]
    public void Delay_seconds_and_http_dates_give_the_wait_capped_at_ten_minutes(string value, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryAfter.Parse(value, Now));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("soon")]
    public void Anything_else_is_no_answer(string? value)
    {
        Assert.Null(RetryAfter.Parse(value, Now));
    }

    [Fact]
    public void Backoff_doubles_to_thirty_seconds_and_jitter_keeps_it_between_half_and_all()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), RetryAfter.Backoff(1, 1));
        Assert.Equal(TimeSpan.FromSeconds(0.5), RetryAfter.Backoff(1, 0));
        Assert.Equal(TimeSpan.FromSeconds(4), RetryAfter.Backoff(3, 1));
        Assert.Equal(TimeSpan.FromSeconds(30), RetryAfter.Backoff(10, 1));
        Assert.InRange(RetryAfter.Backoff(2, 0.5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
    }
}
