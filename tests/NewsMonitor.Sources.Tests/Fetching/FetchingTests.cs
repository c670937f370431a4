using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using NewsMonitor.Sources.Fetching;
using NewsMonitor.Testing;
using static NewsMonitor.Sources.Tests.Fetching.FetchTestKit;

namespace NewsMonitor.Sources.Tests.Fetching;

/// <summary>What one fetch answers against a friendly or hostile feed server on loopback.</summary>
public sealed class FetchingTests
{
    private const string RssText = "<rss version=\"2.0\"><channel><title>أخبار</title></channel></rss>";
    private static readonly byte[] Rss = Encoding.UTF8.GetBytes(RssText);

    [Fact]
    public async Task A_feed_comes_back_with_its_headers_and_our_user_agent_and_accept()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/feed.xml", new FeedFixture
        {
            Body = Rss,
            ContentType = "application/rss+xml; charset=windows-1256",
            Headers = new Dictionary<string, string> { ["Cache-Control"] = "public, max-age=600" },
        });
        server.Map("/page.html", FeedFixture.Text("<html></html>", "text/html"));
        using var fetcher = Fetcher(options => options.UserAgent = "NewsMonitor/test (+https://example.org/bot)");

        var result = await fetcher.FetchAsync(Feed(server.Url("/feed.xml")), Token);
        await fetcher.FetchAsync(new FetchRequest(server.Url("/page.html"), FetchPurpose.Page), Token);

        Assert.Equal(FetchStatus.Ok, result.Status);
        Assert.Equal(200, result.HttpStatus);
        Assert.Equal(Rss, result.Body);
        Assert.Equal("application/rss+xml; charset=windows-1256", result.ContentType);
        Assert.Equal(TimeSpan.FromMinutes(10), result.MaxAge);
        Assert.Equal(server.Url("/feed.xml"), result.FinalUrl);
        Assert.Null(result.PermanentRedirect);
        Assert.Null(result.Error);
        var feedRequest = server.RequestsTo("/feed.xml").Single();
        Assert.Equal("NewsMonitor/test (+https://example.org/bot)", feedRequest.UserAgent);
        Assert.StartsWith("application/rss+xml", feedRequest.Header("Accept"));
        Assert.Null(feedRequest.IfNoneMatch);
        Assert.Null(feedRequest.IfModifiedSince);
        Assert.StartsWith("text/html", server.RequestsTo("/page.html").Single().Header("Accept"));
    }

    [Fact]
    public async Task Conditional_get_sends_the_validators_and_a_304_is_not_modified()
    {
        await using var server = await FeedServer.StartAsync(Token);
        var lastModified = new DateTimeOffset(2026, 11, 28, 9, 30, 0, TimeSpan.Zero);
        server.Map("/etag.xml", new FeedFixture { Body = Rss, ETag = "\"v1\"", LastModified = lastModified });
        server.Map("/dated.xml", new FeedFixture { Body = Rss, LastModified = lastModified });
        using var fetcher = Fetcher();

        var first = await fetcher.FetchAsync(Feed(server.Url("/etag.xml")), Token);
        var second = await fetcher.FetchAsync(Feed(server.Url("/etag.xml"), first.ETag, first.LastModified), Token);
        var stale = await fetcher.FetchAsync(Feed(server.Url("/etag.xml"), "\"v0\""), Token);
        var dated = await fetcher.FetchAsync(Feed(server.Url("/dated.xml"), lastModified: "Sat, 28 Nov 2026 09:30:00 GMT"), Token);

        Assert.Equal(FetchStatus.Ok, first.Status);
        Assert.Equal("\"v1\"", first.ETag);
        Assert.Equal("Sat, 28 Nov 2026 09:30:00 GMT", first.LastModified);
        Assert.Equal(FetchStatus.NotModified, second.Status);
        Assert.Equal(304, second.HttpStatus);
        Assert.Null(second.Body);
        Assert.Equal("\"v1\"", second.ETag);
        Assert.Equal("Sat, 28 Nov 2026 09:30:00 GMT", second.LastModified);
        Assert.Equal(FetchStatus.Ok, stale.Status);
        Assert.Equal(FetchStatus.NotModified, dated.Status);
        var requests = server.RequestsTo("/etag.xml");
        Assert.Equal("\"v1\"", requests[1].IfNoneMatch);
        Assert.Equal("Sat, 28 Nov 2026 09:30:00 GMT", requests[1].IfModifiedSince);
        Assert.Equal("\"v0\"", requests[2].IfNoneMatch);
        Assert.Null(requests[2].IfModifiedSince);
        Assert.Equal("Sat, 28 Nov 2026 09:30:00 GMT", server.RequestsTo("/dated.xml").Single().IfModifiedSince);
    }

    [Fact]
    public async Task A_gzip_feed_is_decompressed()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/feed.xml", new FeedFixture { Body = Rss, Gzip = true });
        using var fetcher = Fetcher();

        var result = await fetcher.FetchAsync(Feed(server.Url("/feed.xml")), Token);

        Assert.Equal(FetchStatus.Ok, result.Status);
        Assert.Equal(RssText, Encoding.UTF8.GetString(result.Body!));
        Assert.Contains("gzip", server.Requests.Single().Header("Accept-Encoding"));
    }

    [Fact]
    public async Task A_gzip_bomb_stops_at_the_cap_counted_after_decompression()
    {
        await using var server = await FeedServer.StartAsync(Token);
        var bomb = FeedFixture.GzipBomb(expandedBytes: 64L * 1024 * 1024);
        Assert.True(bomb.Body.Length < 128 * 1024, $"the bomb is {bomb.Body.Length} bytes compressed"); // far under the cap as sent
        server.Map("/bomb.xml", bomb);
        using var fetcher = Fetcher(options => options.MaxResponseBytes = 1024 * 1024);

        var result = await fetcher.FetchAsync(Feed(server.Url("/bomb.xml")), Token);

        Assert.Equal(FetchStatus.Failed, result.Status);
        Assert.Equal("response larger than 1048576 bytes after decompression", result.Error);
        Assert.Null(result.Body);
    }

    [Fact]
    public async Task A_plain_body_over_the_cap_fails_too()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/big.xml", new FeedFixture { Body = new byte[300_000] });
        server.Map("/exact.xml", new FeedFixture { Body = new byte[200_000] });
        using var fetcher = Fetcher(options => options.MaxResponseBytes = 200_000);

        var big = await fetcher.FetchAsync(Feed(server.Url("/big.xml")), Token);
        var exact = await fetcher.FetchAsync(Feed(server.Url("/exact.xml")), Token);

        Assert.Equal(FetchStatus.Failed, big.Status);
        Assert.StartsWith("response larger than 200000 bytes", big.Error);
        Assert.Equal(FetchStatus.Ok, exact.Status);
        Assert.Equal(200_000, exact.Body!.Length);
    }

    [Fact]
    public async Task A_server_that_drips_bytes_times_out()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/drip.xml", new FeedFixture { Body = Rss, Drip = TimeSpan.FromSeconds(1) });
        server.Map("/silent.xml", new FeedFixture { Body = Rss, Delay = TimeSpan.FromSeconds(30) });
        using var fetcher = Fetcher(options => options.ResponseTimeout = TimeSpan.FromSeconds(2));
        var started = DateTimeOffset.UtcNow;

        var drip = await fetcher.FetchAsync(Feed(server.Url("/drip.xml")), Token);
        var silent = await fetcher.FetchAsync(Feed(server.Url("/silent.xml")), Token);

        Assert.Equal(FetchStatus.Failed, drip.Status);
        Assert.StartsWith("timed out after 2 s", drip.Error);
        Assert.Equal(200, drip.HttpStatus); // the headers came; the body never finished
        Assert.Equal(FetchStatus.Failed, silent.Status);
        Assert.StartsWith("timed out after 2 s", silent.Error);
        Assert.Null(silent.HttpStatus);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_chain_of_three_redirects_is_followed_with_relative_locations_resolved()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/r1", FeedFixture.Redirect(server.Url("/r2").ToString()));
        server.Map("/r2", FeedFixture.Redirect("r3", 307)); // relative to /r2
        server.Map("/r3", FeedFixture.Redirect("/feeds/final.xml?x=1", 303));
        server.Map("/feeds/final.xml", new FeedFixture { Body = Rss });
        using var fetcher = Fetcher(options => options.MinIntervalPerHost = TimeSpan.FromMilliseconds(50));

        var result = await fetcher.FetchAsync(Feed(server.Url("/r1")), Token);

        Assert.Equal(FetchStatus.Ok, result.Status);
        Assert.Equal(server.Url("/r1"), result.RequestedUrl);
        Assert.Equal(server.Url("/feeds/final.xml?x=1"), result.FinalUrl);
        Assert.Equal(Rss, result.Body);
        Assert.Null(result.PermanentRedirect);
        Assert.Equal(["/r1", "/r2", "/r3", "/feeds/final.xml"], server.Requests.Select(request => request.Path));
    }

    [Theory]
    [InlineData(5, true)]
    [InlineData(6, false)]
    public async Task At_most_five_redirects_are_followed(int hops, bool succeeds)
    {
        await using var server = await FeedServer.StartAsync(Token);
        for (var i = 0; i < hops; i++) server.Map($"/hop{i}", FeedFixture.Redirect(i + 1 < hops ? $"/hop{i + 1}" : "/feed.xml"));
        server.Map("/feed.xml", new FeedFixture { Body = Rss });
        using var fetcher = Fetcher(options => options.MinIntervalPerHost = TimeSpan.FromMilliseconds(20));
        Assert.Equal(5, new FetchOptions().MaxRedirects); // the default is what is tested

        var result = await fetcher.FetchAsync(Feed(server.Url("/hop0")), Token);

        if (succeeds)
        {
            Assert.Equal(FetchStatus.Ok, result.Status);
            Assert.Equal(hops + 1, server.Requests.Count);
        }
        else
        {
            Assert.Equal(FetchStatus.Failed, result.Status);
            Assert.StartsWith("more than 5 redirects", result.Error);
            Assert.Equal(hops, server.Requests.Count);
            Assert.Empty(server.RequestsTo("/feed.xml"));
        }
    }

    [Fact]
    public async Task A_redirect_loop_fails_naming_the_loop()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/a", FeedFixture.Redirect("/b"));
        server.Map("/b", FeedFixture.Redirect("/a", 301));
        using var fetcher = Fetcher(options => options.MinIntervalPerHost = TimeSpan.FromMilliseconds(20));

        var result = await fetcher.FetchAsync(Feed(server.Url("/a")), Token);

        Assert.Equal(FetchStatus.Failed, result.Status);
        Assert.Equal($"redirect loop: {server.Url("/a")} → {server.Url("/b")} → {server.Url("/a")}", result.Error);
        Assert.Null(result.PermanentRedirect);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Leading_permanent_redirects_are_reported_and_temporary_ones_are_not()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/old", FeedFixture.Redirect("/new", 301));
        server.Map("/new", FeedFixture.Redirect("/newer", 308));
        server.Map("/newer", FeedFixture.Redirect("/today", 302));
        server.Map("/today", new FeedFixture { Body = Rss });
        server.Map("/moving", FeedFixture.Redirect("/old", 302));
        server.Map("/gone", FeedFixture.Redirect("/missing", 301));
        using var fetcher = Fetcher(options => options.MinIntervalPerHost = TimeSpan.FromMilliseconds(20));

        var moved = await fetcher.FetchAsync(Feed(server.Url("/old")), Token);
        var temporary = await fetcher.FetchAsync(Feed(server.Url("/moving")), Token);
        var toNowhere = await fetcher.FetchAsync(Feed(server.Url("/gone")), Token);

        Assert.Equal(FetchStatus.Ok, moved.Status);
        Assert.Equal(server.Url("/newer"), moved.PermanentRedirect);
        Assert.Equal(server.Url("/today"), moved.FinalUrl);
        Assert.Equal(FetchStatus.Ok, temporary.Status);
        Assert.Null(temporary.PermanentRedirect);
        Assert.Equal(FetchStatus.Failed, toNowhere.Status);
        Assert.Equal("HTTP 404 Not Found", toNowhere.Error);
        Assert.Null(toNowhere.PermanentRedirect); // a feed is never moved to a URL that fails
    }

    [Fact]
    public async Task A_loopback_target_is_refused_by_the_policy_without_a_request()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/feed.xml", new FeedFixture { Body = Rss });
        using var fetcher = Fetcher(options => options.AllowPrivateTargets = false);

        var direct = await fetcher.FetchAsync(Feed(server.Url("/feed.xml")), Token);
        var byName = await fetcher.FetchAsync(Feed(new Uri($"http://localhost:{server.BaseAddress.Port}/feed.xml")), Token);

        Assert.Equal(FetchStatus.Failed, direct.Status);
        Assert.Null(direct.HttpStatus);
        Assert.Equal("127.0.0.1 is loopback (127.0.0.0/8) and not allowed as an outbound target.", direct.Error);
        Assert.Equal(FetchStatus.Failed, byName.Status);
        Assert.Contains("loopback", byName.Error);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData(404, "HTTP 404 Not Found")]
    [InlineData(500, "HTTP 500 Internal Server Error")]
    [InlineData(410, "HTTP 410 Gone")]
    public async Task An_error_status_fails_with_its_code_and_reason(int status, string error)
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/feed.xml", FeedFixture.StatusOnly(status));
        using var fetcher = Fetcher();

        var result = await fetcher.FetchAsync(Feed(server.Url("/feed.xml")), Token);

        Assert.Equal(FetchStatus.Failed, result.Status);
        Assert.Equal(status, result.HttpStatus);
        Assert.Equal(error, result.Error);
        Assert.Null(result.Body);
    }

    [Fact]
    public async Task A_closed_port_fails_as_connection_refused()
    {
        using var fetcher = Fetcher();
        var url = FeedServer.ClosedPortUrl();

        var result = await fetcher.FetchAsync(Feed(url), Token);

        Assert.Equal(FetchStatus.Failed, result.Status);
        Assert.Null(result.HttpStatus);
        Assert.StartsWith($"could not connect to {url.Authority}", result.Error);
        Assert.Contains("refused", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Urls_that_are_not_http_fail_without_throwing()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/ftp", FeedFixture.Redirect("ftp://example.org/feed.xml"));
        using var fetcher = Fetcher();

        var direct = await fetcher.FetchAsync(Feed(new Uri("file:///etc/passwd")), Token);
        var redirected = await fetcher.FetchAsync(Feed(server.Url("/ftp")), Token);

        Assert.Equal("file:///etc/passwd is not an http or https URL.", direct.Error);
        Assert.Equal("ftp://example.org/feed.xml is not an http or https URL.", redirected.Error);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_throws()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/slow.xml", new FeedFixture { Body = Rss, Delay = TimeSpan.FromSeconds(20) });
        using var fetcher = Fetcher();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetcher.FetchAsync(Feed(server.Url("/slow.xml")), cancel.Token));
    }

    [Theory]
    [InlineData("120", 120.0)]
    [InlineData("0", 0.0)]
    [InlineData("999999999", 86400.0)] // capped at a day
    public void Retry_after_in_seconds(string header, double seconds)
    {
        Assert.True(RetryConditionHeaderValue.TryParse(header, out var parsed));
        Assert.Equal(TimeSpan.FromSeconds(seconds), PoliteFetcher.RetryAfterOf(parsed, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Retry_after_as_a_date_is_the_delay_from_now_and_a_past_date_is_zero()
    {
        var now = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        Assert.True(RetryConditionHeaderValue.TryParse(now.AddSeconds(90).ToString("R", CultureInfo.InvariantCulture), out var later));
        Assert.True(RetryConditionHeaderValue.TryParse(now.AddSeconds(-90).ToString("R", CultureInfo.InvariantCulture), out var earlier));

        Assert.Equal(TimeSpan.FromSeconds(90), PoliteFetcher.RetryAfterOf(later, now));
        Assert.Equal(TimeSpan.Zero, PoliteFetcher.RetryAfterOf(earlier, now));
        Assert.Null(PoliteFetcher.RetryAfterOf(null, now));
        Assert.False(RetryConditionHeaderValue.TryParse("soon", out _)); // malformed: the response carries no typed value
    }
}
