using System.Text;
using Microsoft.AspNetCore.Http;
using NewsMonitor.Sources.Fetching;
using NewsMonitor.Testing;
using static NewsMonitor.Sources.Tests.Fetching.FetchTestKit;

namespace NewsMonitor.Sources.Tests.Fetching;

/// <summary>Per-host limits as the feed server saw them: concurrency, spacing of starts, back-off after 429/503.</summary>
public sealed class PolitenessTests
{
    private static readonly byte[] Rss = Encoding.UTF8.GetBytes("<rss version=\"2.0\"><channel><title>t</title></channel></rss>");

    /// <summary>
    /// One request first, left out of the measures: the fetcher spaces the starts of its requests, and the server stamps
    /// a request when it begins handling it, so a first request on a cold server (new connection, first-request JIT, a
    /// loaded machine) is stamped late, by up to a third of a second here, and would make the next start look early.
    /// </summary>
    // Opens the fetcher's two connections to the server before the measured requests. The spacing rule is kept where the
    // fetcher sends; a request that must first open a connection reaches the server late by that connection's setup, which
    // under load was once 300 ms and made two starts look 0.14 ms apart on the server's clock. With both connections open
    // (the second warm-up request starts while the first is still being answered), every measured request goes out on a
    // warm connection and the server sees the spacing the fetcher kept.
    private static async Task WarmUpAsync(FeedServer server, PoliteFetcher fetcher, TimeSpan interval)
    {
        server.Map("/warm-up", new FeedFixture { Body = Rss, Delay = interval + TimeSpan.FromMilliseconds(500) });
        var warmUps = await Task.WhenAll(fetcher.FetchAsync(Feed(server.Url("/warm-up")), Token), fetcher.FetchAsync(Feed(server.Url("/warm-up")), Token));
        Assert.All(warmUps, warmUp => Assert.Equal(FetchStatus.Ok, warmUp.Status));
        Assert.Equal(2, FeedServer.MaxOverlap(server.RequestsTo("/warm-up")));
        server.ClearRequests();
    }

    [Fact]
    public async Task Four_fetches_to_one_host_run_at_most_two_at_once_and_start_apart()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/slow.xml", new FeedFixture { Body = Rss, Delay = TimeSpan.FromMilliseconds(700) });
        using var fetcher = Fetcher();
        await WarmUpAsync(server, fetcher, TimeSpan.FromMilliseconds(300));

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => fetcher.FetchAsync(Feed(server.Url("/slow.xml")), Token)));

        Assert.All(results, result => Assert.Equal(FetchStatus.Ok, result.Status));
        var requests = server.RequestsTo("/slow.xml");
        Assert.Equal(4, requests.Count);
        Assert.Equal(2, FeedServer.MaxOverlap(requests)); // the limit is used, and not exceeded
        Assert.True(server.MaxConcurrentRequests <= 2, $"the server saw {server.MaxConcurrentRequests} at once");
        var gap = FeedServer.MinGapBetweenStarts(requests)!.Value;
        Assert.True(gap >= TimeSpan.FromMilliseconds(300) - ServerClockSlack, $"starts only {gap.TotalMilliseconds} ms apart: {string.Join(", ", requests)}");
    }

    [Fact]
    public async Task Default_options_keep_requests_to_a_host_a_second_apart_and_two_at_once()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/feed.xml", new FeedFixture { Body = Rss, Delay = TimeSpan.FromMilliseconds(1500) });
        var defaults = new FetchOptions();
        Assert.Equal(2, defaults.MaxConcurrentPerHost);
        Assert.Equal(TimeSpan.FromSeconds(1), defaults.MinIntervalPerHost);
        using var fetcher = Fetcher(options =>
        {
            options.MaxConcurrentPerHost = defaults.MaxConcurrentPerHost;
            options.MinIntervalPerHost = defaults.MinIntervalPerHost;
        });
        await WarmUpAsync(server, fetcher, defaults.MinIntervalPerHost);

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => fetcher.FetchAsync(Feed(server.Url("/feed.xml")), Token)));

        Assert.All(results, result => Assert.Equal(FetchStatus.Ok, result.Status));
        var requests = server.RequestsTo("/feed.xml");
        Assert.Equal(2, FeedServer.MaxOverlap(requests));
        var gap = FeedServer.MinGapBetweenStarts(requests)!.Value;
        Assert.True(gap >= TimeSpan.FromSeconds(1) - ServerClockSlack, $"starts only {gap.TotalMilliseconds} ms apart: {string.Join(", ", requests)}");
    }

    [Fact]
    public async Task A_429_with_Retry_After_keeps_the_host_alone_until_then()
    {
        await using var server = await FeedServer.StartAsync(Token);
        var calls = 0;
        server.Map("/feed.xml", async context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = "2";
                return;
            }
            await context.Response.Body.WriteAsync(Rss, context.RequestAborted);
        });
        using var fetcher = Fetcher(options => options.HostBackoff = TimeSpan.FromMilliseconds(500));

        var limited = await fetcher.FetchAsync(Feed(server.Url("/feed.xml")), Token);
        var meanwhile = await fetcher.FetchAsync(Feed(server.Url("/other.xml")), Token);

        Assert.Equal(FetchStatus.Failed, limited.Status);
        Assert.Equal(429, limited.HttpStatus);
        Assert.Equal("HTTP 429 Too Many Requests", limited.Error);
        Assert.Equal(TimeSpan.FromSeconds(2), limited.RetryAfter);
        Assert.Equal(FetchStatus.Failed, meanwhile.Status); // a different path on the same host waits too
        Assert.Null(meanwhile.HttpStatus);
        Assert.Contains("backing off until", meanwhile.Error);
        Assert.InRange(meanwhile.RetryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.Single(server.Requests);

        var ok = await Eventually.GetAsync(async () =>
        {
            var result = await fetcher.FetchAsync(Feed(server.Url("/feed.xml")), Token);
            return result.Status == FetchStatus.Ok ? result : null;
        }, "the host to be asked again", TimeSpan.FromSeconds(15));

        var requests = server.RequestsTo("/feed.xml");
        Assert.Equal(2, requests.Count); // the attempts during the back-off never reached the server
        Assert.True(requests[1].Started - requests[0].Started >= TimeSpan.FromSeconds(2), string.Join(", ", requests));
        Assert.Equal(Rss, ok.Body);
    }

    [Fact]
    public async Task A_503_with_a_malformed_Retry_After_backs_off_for_the_configured_time()
    {
        await using var server = await FeedServer.StartAsync(Token);
        var calls = 0;
        server.Map("/feed.xml", async context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "soon, maybe";
                return;
            }
            await context.Response.Body.WriteAsync(Rss, context.RequestAborted);
        });
        using var fetcher = Fetcher(options => options.HostBackoff = TimeSpan.FromSeconds(1));

        var unavailable = await fetcher.FetchAsync(Feed(server.Url("/feed.xml")), Token);

        Assert.Equal(FetchStatus.Failed, unavailable.Status);
        Assert.Equal("HTTP 503 Service Unavailable", unavailable.Error);
        Assert.Null(unavailable.RetryAfter);
        await Eventually.TrueAsync(async () => (await fetcher.FetchAsync(Feed(server.Url("/feed.xml")), Token)).Status == FetchStatus.Ok,
            "the host to be asked again", TimeSpan.FromSeconds(15));
        var requests = server.RequestsTo("/feed.xml");
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].Started - requests[0].Started >= TimeSpan.FromSeconds(1), string.Join(", ", requests));
    }

    [Fact]
    public async Task A_host_backing_off_does_not_hold_up_another_host()
    {
        await using var limited = await FeedServer.StartAsync(Token);
        await using var other = await FeedServer.StartAsync(Token);
        limited.Map("/feed.xml", FeedFixture.StatusOnly(429, new Dictionary<string, string> { ["Retry-After"] = "60" }));
        other.Map("/feed.xml", new FeedFixture { Body = Rss });
        using var fetcher = Fetcher();

        Assert.Equal(429, (await fetcher.FetchAsync(Feed(limited.Url("/feed.xml")), Token)).HttpStatus);
        var backingOff = await fetcher.FetchAsync(Feed(limited.Url("/feed.xml")), Token);
        var started = DateTimeOffset.UtcNow;
        var result = await fetcher.FetchAsync(Feed(other.Url("/feed.xml")), Token);

        Assert.Contains("backing off until", backingOff.Error);
        Assert.Equal(FetchStatus.Ok, result.Status);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(5));
        Assert.Single(limited.Requests);
        Assert.Single(other.Requests);
    }

    [Fact]
    public async Task The_limiter_forgets_idle_hosts_but_not_hosts_backing_off()
    {
        await using var idle = await FeedServer.StartAsync(Token);
        await using var limited = await FeedServer.StartAsync(Token);
        idle.Map("/feed.xml", new FeedFixture { Body = Rss });
        limited.Map("/feed.xml", FeedFixture.StatusOnly(503, new Dictionary<string, string> { ["Retry-After"] = "60" }));
        using var fetcher = Fetcher();

        await fetcher.FetchAsync(Feed(idle.Url("/feed.xml")), Token);
        await fetcher.FetchAsync(Feed(limited.Url("/feed.xml")), Token);
        Assert.Equal(2, fetcher.Limiter.TrackedHosts);

        await Eventually.TrueAsync(() =>
        {
            fetcher.Limiter.Sweep();
            return Task.FromResult(fetcher.Limiter.TrackedHosts == 1);
        }, "the idle host to be forgotten", TimeSpan.FromSeconds(10));
        Assert.Contains("backing off", (await fetcher.FetchAsync(Feed(limited.Url("/feed.xml")), Token)).Error);
    }
}
