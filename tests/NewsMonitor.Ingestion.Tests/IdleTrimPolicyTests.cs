using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Ingestion.Tests;

public class IdleTrimPolicyTests
{
    private const long MB = 1 << 20;

    private static IdleTrimPolicy Policy() => new(idleAllocationBytes: 8 * MB, idleChecks: 3, minimumReturnBytes: 32 * MB);

    [Fact]
    public void A_trim_comes_after_the_given_number_of_quiet_checks_and_only_once()
    {
        var policy = Policy();
        Assert.False(policy.Next(500 * MB, 200 * MB, 45 * MB)); // busy
        Assert.False(policy.Next(1 * MB, 200 * MB, 45 * MB));
        Assert.False(policy.Next(1 * MB, 200 * MB, 45 * MB));
        Assert.True(policy.Next(1 * MB, 200 * MB, 45 * MB));
        Assert.False(policy.Next(1 * MB, 200 * MB, 45 * MB)); // still idle: the trim was done
        Assert.False(policy.Next(1 * MB, 200 * MB, 45 * MB));
    }

    [Fact]
    public void Work_in_between_starts_the_count_again_and_allows_the_next_trim()
    {
        var policy = Policy();
        Assert.False(policy.Next(1 * MB, 200 * MB, 45 * MB));
        Assert.False(policy.Next(1 * MB, 200 * MB, 45 * MB));
        Assert.False(policy.Next(20 * MB, 200 * MB, 45 * MB)); // a burst just before the third quiet check
        Assert.False(policy.Next(1 * MB, 200 * MB, 45 * MB));
        Assert.False(policy.Next(1 * MB, 200 * MB, 45 * MB));
        Assert.True(policy.Next(1 * MB, 200 * MB, 45 * MB));
        Assert.False(policy.Next(100 * MB, 200 * MB, 45 * MB));
        Assert.False(policy.Next(1 * MB, 200 * MB, 45 * MB));
        Assert.False(policy.Next(1 * MB, 200 * MB, 45 * MB));
        Assert.True(policy.Next(1 * MB, 200 * MB, 45 * MB));
    }

    [Fact]
    public void Nothing_is_trimmed_when_little_would_come_back()
    {
        var policy = Policy();
        for (var i = 0; i < 10; i++) Assert.False(policy.Next(1 * MB, 70 * MB, 45 * MB)); // 25 MB to give back: below 32
        Assert.True(policy.Next(1 * MB, 90 * MB, 45 * MB)); // the heap grew while idle enough to be worth it
    }
}
