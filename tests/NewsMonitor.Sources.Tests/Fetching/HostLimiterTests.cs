using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NewsMonitor.Sources.Fetching;
using static NewsMonitor.Sources.Tests.Fetching.FetchTestKit;

namespace NewsMonitor.Sources.Tests.Fetching;

/// <summary>The per-host limiter on its own (real clock), and how the fetcher is configured.</summary>
public sealed class HostLimiterTests
{
    [Fact]
    public async Task A_third_request_waits_for_a_slot_and_a_cancelled_waiter_leaves_nothing_behind()
    {
        var limiter = new HostLimiter(2, TimeSpan.Zero, TimeProvider.System);
        var first = (await limiter.AcquireAsync("example.org:80", Token)).Lease!;
        var second = (await limiter.AcquireAsync("example.org:80", Token)).Lease!;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var third = limiter.AcquireAsync("example.org:80", cancel.Token);
        var fourth = limiter.AcquireAsync("example.org:80", Token);

        Assert.False(third.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => third);
        Assert.False(fourth.IsCompleted);
        first.Dispose();
        var fourthLease = (await fourth.WaitAsync(TimeSpan.FromSeconds(10), Token)).Lease!;
        second.Dispose();
        fourthLease.Dispose();
        first.Dispose(); // twice is harmless: the slot is not released again

        limiter.Sweep();
        Assert.Equal(0, limiter.TrackedHosts);
    }

    [Fact]
    public async Task Hosts_are_keyed_by_host_and_port()
    {
        Assert.Equal("example.org:443", HostLimiter.KeyOf(new Uri("https://Example.ORG/feed")));
        Assert.Equal("example.org:8080", HostLimiter.KeyOf(new Uri("http://example.org:8080/feed")));
        var limiter = new HostLimiter(1, TimeSpan.Zero, TimeProvider.System);
        using var a = (await limiter.AcquireAsync("example.org:80", Token)).Lease!;
        using var b = (await limiter.AcquireAsync("example.org:8080", Token)).Lease!; // not held up by the other port
        Assert.Equal(2, limiter.TrackedHosts);
    }

    [Fact]
    public async Task A_back_off_refuses_at_once_with_its_end_and_is_never_shortened()
    {
        var limiter = new HostLimiter(2, TimeSpan.Zero, TimeProvider.System);
        var until = DateTimeOffset.UtcNow.AddMinutes(5);
        using (var lease = (await limiter.AcquireAsync("example.org:80", Token)).Lease!)
        {
            lease.BackOff(until, "it answered HTTP 429");
            lease.BackOff(until.AddMinutes(-4), "it answered HTTP 503");
        }

        var (refused, backingOffUntil, reason) = await limiter.AcquireAsync("example.org:80", Token);

        Assert.Null(refused);
        Assert.Equal(until, backingOffUntil);
        Assert.Equal("it answered HTTP 429", reason);
        limiter.Sweep();
        Assert.Equal(1, limiter.TrackedHosts);
    }

    [Fact]
    public void Options_bind_from_the_Sources_section_and_bad_values_are_refused()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sources:MaxConcurrentPerHost"] = "3",
            ["Sources:MinIntervalPerHost"] = "00:00:02",
            ["Sources:MaxResponseBytes"] = "1000",
            ["Sources:AllowPrivateTargets"] = "true",
        }).Build();
        using var provider = new ServiceCollection().AddPoliteFetcher(configuration).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<FetchOptions>>().Value;
        Assert.Equal(3, options.MaxConcurrentPerHost);
        Assert.Equal(TimeSpan.FromSeconds(2), options.MinIntervalPerHost);
        Assert.Equal(1000, options.MaxResponseBytes);
        Assert.True(options.AllowPrivateTargets);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ResponseTimeout);
        Assert.Same(provider.GetRequiredService<PoliteFetcher>(), provider.GetRequiredService<PoliteFetcher>());

        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Sources:MaxConcurrentPerHost"] = "0" }).Build();
        using var badProvider = new ServiceCollection().AddPoliteFetcher(bad).BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => badProvider.GetRequiredService<IOptions<FetchOptions>>().Value);
        Assert.Contains("Sources:MaxConcurrentPerHost must be at least 1.", error.Message);
    }
}
