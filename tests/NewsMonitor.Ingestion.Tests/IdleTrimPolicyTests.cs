using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Ingestion.Tests;

public class IdleTrimPolicyTests
{
    private const long MB = 1 << 20;

    private static IdleTrimPolicy Policy(int idleChecks = 3) => new(idleAllocationBytes: 8 * MB, idleChecks, minimumReturnBytes: 32 * MB);

    [Fact]
    public void A_trim_comes_after_the_given_number_of_quiet_checks_and_only_once()
    {
        var policy = Policy();
        Assert.False(policy.Next(500 * MB, 200 * MB)); // busy
        Assert.False(policy.Next(1 * MB, 200 * MB));
        Assert.False(policy.Next(1 * MB, 200 * MB));
        Assert.True(policy.Next(1 * MB, 200 * MB));
        policy.Trimmed(40 * MB);
        for (var i = 0; i < 20; i++) Assert.False(policy.Next(1 * MB, 200 * MB)); // still idle: the trim was done
    }

    [Fact]
    public void Work_in_between_starts_the_count_again_and_allows_the_next_trim()
    {
        var policy = Policy();
        Assert.False(policy.Next(1 * MB, 200 * MB));
        Assert.False(policy.Next(1 * MB, 200 * MB));
        Assert.False(policy.Next(8 * MB, 200 * MB)); // exactly the idle allocation counts as busy, just before the third quiet check
        Assert.False(policy.Next(8 * MB - 1, 200 * MB));
        Assert.False(policy.Next(1 * MB, 200 * MB));
        Assert.True(policy.Next(1 * MB, 200 * MB));
        policy.Trimmed(40 * MB);
        Assert.False(policy.Next(100 * MB, 200 * MB));
        Assert.False(policy.Next(1 * MB, 200 * MB));
        Assert.False(policy.Next(1 * MB, 200 * MB));
        Assert.True(policy.Next(1 * MB, 200 * MB));
    }

    [Fact]
    public void The_next_trim_needs_the_heap_to_have_grown_since_the_last_by_the_minimum()
    {
        var policy = Policy(idleChecks: 1);
        Assert.True(policy.Next(1 * MB, 32 * MB)); // the first: measured from nothing
        policy.Trimmed(40 * MB);
        Assert.False(policy.Next(100 * MB, 71 * MB)); // busy
        Assert.False(policy.Next(1 * MB, 72 * MB - 1)); // 32 MB less a byte over the floor
        Assert.False(policy.Next(100 * MB, 72 * MB));
        Assert.True(policy.Next(1 * MB, 72 * MB)); // exactly 32 MB over the floor
    }

    [Fact]
    public void Nothing_is_trimmed_when_the_heap_never_grew_enough()
    {
        var policy = Policy();
        for (var i = 0; i < 10; i++) Assert.False(policy.Next(1 * MB, 32 * MB - 1));
        Assert.True(policy.Next(1 * MB, 32 * MB)); // the heap grew while idle enough to be worth it
    }

    [Theory]
    [InlineData(30, 3)]
    [InlineData(31, 4)]
    [InlineData(10, 1)]
    [InlineData(1, 1)]
    [InlineData(0, 1)]
    [InlineData(-5, 1)]
    [InlineData(double.NaN, 1)]
    [InlineData(double.PositiveInfinity, 1)]
    [InlineData(1e300, int.MaxValue)]
    public void Idle_seconds_become_whole_checks_and_nonsense_becomes_one(double seconds, int checks) =>
        Assert.Equal(checks, IdleTrimPolicy.ChecksFor(seconds, TimeSpan.FromSeconds(10)));
}
