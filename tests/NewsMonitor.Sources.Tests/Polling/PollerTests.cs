using Microsoft.AspNetCore.Http;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NewsMonitor.Testing;

namespace NewsMonitor.Sources.Tests.Polling;

/// <summary>
/// The poller end to end: feeds on a loopback FeedServer, the sources service polling them and the real ingestion
/// storing the articles, on real PostgreSQL and RabbitMQ.
/// </summary>
public sealed class PollerTests(PollerFixture fixture) : IClassFixture<PollerFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly string[] ChromeMarkers = ["NAV_MARKER", "ADVERT_MARKER", "ADVERT_MID_MARKER", "COMMENT_MARKER", "COOKIE_BANNER_MARKER", "ANALYTICS_SCRIPT_MARKER", "EVIL_SCRIPT_MARKER"];

    private static List<string> Paragraphs(string fixture) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "FeedFixtures", fixture)).Select(line => line.Trim()).Where(line => line.Length > 0).ToList();

    private static string NoScheme(Uri url) => NoScheme(url.AbsoluteUri);

    private static string NoScheme(string url) => url[url.IndexOf("//", StringComparison.Ordinal)..];

    [Fact]
    public async Task Every_kind_of_feed_is_ingested_once_with_clean_text_and_a_second_poll_adds_nothing()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        await using var server = await FeedServer.StartAsync(Token);
        using var outgoing = new OutgoingRequests(server.Url("/"));
        var rssLinks = new[] { server.Url("/news/flood"), server.Url("/news/cup") };
        server.Map("/rss.xml", FeedFixture.Text(FeedTexts.Rss(
            ("Flood in the lower town", rssLinks[0], "<p>" + FeedTexts.English[0] + "</p>"),
            ("Cup semi-final comeback", rssLinks[1], "<p>" + FeedTexts.English[1] + "</p><script>EVIL_SCRIPT_MARKER</script>"))) with { ETag = "\"rss-v1\"" });
        server.Map("/atom.xml", FeedFixture.Text(FeedTexts.Atom("Rates left unchanged", server.Url("/news/rates"), "<p>" + FeedTexts.English[2] + "</p>"), "application/atom+xml"));
        server.Map("/summary.xml", FeedFixture.Text(FeedTexts.SummaryOnlyRss(("بلينكن وروته", server.Url("/pages/blinken.html"), "بلينكن وروته يبحثان دعم أوكرانيا… اقرأ المزيد"))));
        server.Map("/pages/blinken.html", new FeedFixture { Body = FeedTexts.Fixture("article.html"), ContentType = "text/html; charset=utf-8" });
        server.Map("/news-sitemap.xml", FeedFixture.Text(FeedTexts.NewsSitemap(server.Url("/pages/washington.html"), "قمة واشنطن"), "application/xml"));
        // Declared windows-1256 only inside the page (meta http-equiv), not in the header.
        server.Map("/pages/washington.html", new FeedFixture { Body = FeedTexts.Fixture("article-og-url-1256.html"), ContentType = "text/html" });
        // Declared windows-1256 only in the XML declaration.
        server.Map("/arabic-1256.xml", new FeedFixture { Body = FeedTexts.Fixture("rss-windows-1256.xml"), ContentType = "application/rss+xml" });

        var articlesBefore = await fixture.StoredArticlesAsync();
        var rss = await fixture.AddSourceAsync(new { url = server.Url("/rss.xml").AbsoluteUri, name = "RSS test", intervalSeconds = 3600 });
        var atom = await fixture.AddSourceAsync(new { url = server.Url("/atom.xml").AbsoluteUri, kind = "atom", intervalSeconds = 3600 });
        var summary = await fixture.AddSourceAsync(new { url = server.Url("/summary.xml").AbsoluteUri, intervalSeconds = 3600 });
        var sitemap = await fixture.AddSourceAsync(new { url = server.Url("/news-sitemap.xml").AbsoluteUri, kind = "sitemap", intervalSeconds = 3600 });
        var arabic = await fixture.AddSourceAsync(new { url = server.Url("/arabic-1256.xml").AbsoluteUri, intervalSeconds = 3600, fetchPages = "never", language = "ar" });
        Guid[] all = [rss, atom, summary, sitemap, arabic];
        foreach (var id in all)
        {
            var polled = await fixture.WaitForPollsAsync(id, 1);
            Assert.True(polled.GetProperty("lastError").ValueKind == JsonValueKind.Null, $"source {id}: {polled}");
            Assert.Equal("active", polled.GetProperty("status").GetString());
        }

        var expected = new Dictionary<Guid, int> { [rss] = 2, [atom] = 1, [summary] = 1, [sitemap] = 1, [arabic] = 1 };
        var articleIds = new List<Guid>();
        foreach (var (id, count) in expected)
        {
            var items = await fixture.ItemsAsync(id);
            Assert.Equal(count, items.Count);
            foreach (var item in items)
            {
                // Stored: new, or a near copy of an earlier article (kept, marked); never refused or dropped.
                Assert.Contains(item.GetProperty("outcome").GetString(), new[] { "accepted", "nearDuplicate" });
                articleIds.Add(item.GetProperty("articleId").GetGuid());
            }
            var source = await fixture.SourceAsync(id);
            Assert.Equal(count, source.GetProperty("itemsSeen").GetInt64());
            Assert.Equal(count, source.GetProperty("articlesAccepted").GetInt64());
        }
        Assert.Equal(articleIds.Count, articleIds.Distinct().Count());
        Assert.Equal(articlesBefore + 6, await fixture.StoredArticlesAsync());

        var articles = new Dictionary<Guid, JsonElement>();
        foreach (var articleId in articleIds)
            articles[articleId] = await fixture.Articles.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{articleId}", Token);
        foreach (var body in articles.Values.Select(article => article.GetProperty("body").GetString()!))
        {
            foreach (var marker in ChromeMarkers) Assert.DoesNotContain(marker, body, StringComparison.Ordinal);
            Assert.DoesNotContain("<p>", body, StringComparison.Ordinal);
        }

        // The summary-only item: the page's main text, its canonical URL, its language.
        var blinken = articles[(await fixture.ItemsAsync(summary))[0].GetProperty("articleId").GetGuid()];
        foreach (var paragraph in Paragraphs("article.paragraphs.txt")) Assert.Contains(paragraph, blinken.GetProperty("body").GetString()!, StringComparison.Ordinal);
        // (Ingestion's canonical form of a URL prefers https.)
        Assert.Equal(NoScheme(server.Url("/world/2024/blinken-rutte")), NoScheme(blinken.GetProperty("url").GetString()!));
        Assert.Equal("ar", blinken.GetProperty("language").GetString());
        Assert.Equal("بلينكن وروته", blinken.GetProperty("title").GetString());

        // The news-sitemap page, decoded from windows-1256 declared in the page only.
        var washington = articles[(await fixture.ItemsAsync(sitemap))[0].GetProperty("articleId").GetGuid()];
        Assert.Contains(Paragraphs("article-og-url.paragraphs.txt")[0], washington.GetProperty("body").GetString()!, StringComparison.Ordinal);
        Assert.Equal("قمة واشنطن", washington.GetProperty("title").GetString());

        // The windows-1256 feed (declared only in the XML declaration).
        var old = articles[(await fixture.ItemsAsync(arabic))[0].GetProperty("articleId").GetGuid()];
        Assert.Equal("الناتو يتفق على خطة دفاع عن دول البلطيق وبولندا", old.GetProperty("title").GetString());
        Assert.Contains("ستولتنبرغ", old.GetProperty("body").GetString()!, StringComparison.Ordinal);

        // The RSS items: whole text from content:encoded, no page fetched for them, the source's name on the article.
        var flood = articles.Values.Single(article => NoScheme(article.GetProperty("url").GetString()!) == NoScheme(rssLinks[0]));
        Assert.Equal(FeedTexts.English[0], flood.GetProperty("body").GetString()!.Trim());
        Assert.Equal("RSS test", flood.GetProperty("source").GetString());
        Assert.Empty(server.RequestsTo("/news/flood"));

        // A second poll of every source: nothing new is stored; the RSS feed answers 304 to its ETag.
        foreach (var id in all) await fixture.PollNowAsync(id);
        foreach (var id in all) await fixture.WaitForPollsAsync(id, 2);
        Assert.Equal(articlesBefore + 6, await fixture.StoredArticlesAsync());
        foreach (var (id, count) in expected)
        {
            Assert.Equal(count, (await fixture.ItemsAsync(id)).Count);
            Assert.Equal(count, (await fixture.SourceAsync(id)).GetProperty("itemsSeen").GetInt64());
        }
        Assert.Equal(1, (await fixture.SourceAsync(rss)).GetProperty("notModified").GetInt64());
        Assert.Equal("\"rss-v1\"", server.RequestsTo("/rss.xml")[^1].IfNoneMatch);
        // Pages were fetched once each: items already seen are not fetched again.
        Assert.Single(server.RequestsTo("/pages/blinken.html"));
        Assert.Single(server.RequestsTo("/pages/washington.html"));

        // Politeness: never more than 2 requests at once (by the server's clock), and starts spaced by the client's clock,
        // when each request leaves HttpClient. The server's clock cannot show the spacing: a request that must connect
        // first reaches it late by the connection's setup, and under CI load that ate a 300 ms gap whole (3.7 ms seen).
        // Six sources polled together without the limiter start within a few milliseconds; a third of the spacing leaves
        // room for a late continuation between the limiter and the send. The exact spacing is checked on warm
        // connections in Fetching/PolitenessTests.
        Assert.True(FeedServer.MaxOverlap(server.Requests) <= 2, $"at most 2 at once: {FeedServer.MaxOverlap(server.Requests)}");
        Assert.True(outgoing.Starts.Count >= server.Requests.Count, $"{outgoing.Starts.Count} starts seen by the client, {server.Requests.Count} requests by the server");
        Assert.True(outgoing.MinGapBetweenStarts() >= PollerFixture.HostSpacing / 3,
            $"starts at least {PollerFixture.HostSpacing / 3} apart (spacing {PollerFixture.HostSpacing}): {outgoing.MinGapBetweenStarts()}; " +
            string.Join(", ", outgoing.Starts.Select(start => $"{start.Url.PathAndQuery}@{start.At.TotalMilliseconds:0}ms")));
        Assert.All(server.Requests, request => Assert.StartsWith("NewsMonitor/", request.UserAgent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_429_with_retry_after_is_recorded_and_the_next_poll_waits_for_it()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/limited.xml", FeedFixture.StatusOnly(429, new Dictionary<string, string> { ["Retry-After"] = "3" }));
        var id = await fixture.AddSourceAsync(new { url = server.Url("/limited.xml").AbsoluteUri, intervalSeconds = 1 });

        var first = await fixture.WaitForPollsAsync(id, 1);
        Assert.Contains("429", first.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.True(first.GetProperty("nextPollAt").GetDateTimeOffset() - first.GetProperty("lastPolledAt").GetDateTimeOffset() >= TimeSpan.FromSeconds(2.9),
            $"next poll after Retry-After: {first}");

        await fixture.WaitForPollsAsync(id, 2);
        await fixture.Client.PostAsync($"/api/v1/sources/{id}/pause", null, Token);
        var requests = server.RequestsTo("/limited.xml");
        Assert.True(requests.Count >= 2);
        Assert.True(requests[1].Started - requests[0].Started >= TimeSpan.FromSeconds(2.9), $"second request waited for Retry-After: {requests[1].Started - requests[0].Started}");
    }

    [Fact]
    public async Task Another_source_on_a_host_that_backs_off_is_deferred_not_failed()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/limited.xml", FeedFixture.StatusOnly(429, new Dictionary<string, string> { ["Retry-After"] = "4" }));
        server.Map("/fine.xml", FeedFixture.Text(FeedTexts.EmptyRss));
        var limited = await fixture.AddSourceAsync(new { url = server.Url("/limited.xml").AbsoluteUri, intervalSeconds = 3600 });
        await fixture.WaitForPollsAsync(limited, 1);
        await fixture.Client.PostAsync($"/api/v1/sources/{limited}/pause", null, Token);

        var fine = await fixture.AddSourceAsync(new { url = server.Url("/fine.xml").AbsoluteUri, intervalSeconds = 3600 });
        var deferred = await fixture.WaitForPollsAsync(fine, 1);
        Assert.Empty(server.RequestsTo("/fine.xml"));
        Assert.Contains("backing off", deferred.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal(("active", 0), (deferred.GetProperty("status").GetString(), deferred.GetProperty("consecutiveFailures").GetInt32()));

        // Once the host may be asked again, the source is polled.
        var polled = await fixture.WaitForPollsAsync(fine, 2);
        Assert.Single(server.RequestsTo("/fine.xml"));
        Assert.Equal(JsonValueKind.Null, polled.GetProperty("lastError").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, polled.GetProperty("lastSuccessAt").ValueKind);
        Assert.True(server.RequestsTo("/fine.xml")[0].Started - server.RequestsTo("/limited.xml")[0].Started >= TimeSpan.FromSeconds(3.9));
    }

    [Fact]
    public async Task Hostile_and_broken_feeds_are_recorded_with_their_reason_and_the_poller_goes_on()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/malformed.xml", new FeedFixture { Body = FeedTexts.Fixture("malformed.xml") });
        server.Map("/xxe.xml", new FeedFixture { Body = FeedTexts.Fixture("xxe.xml") });
        server.Map("/laughs.xml", new FeedFixture { Body = FeedTexts.Fixture("billion-laughs.xml") });
        server.Map("/html.xml", new FeedFixture { Body = FeedTexts.Fixture("html-as-feed.html"), ContentType = "text/html; charset=utf-8" });
        server.Map("/bomb.xml", FeedFixture.GzipBomb(50_000_000));
        server.Map("/loop-a.xml", FeedFixture.Redirect("/loop-b.xml"));
        server.Map("/loop-b.xml", FeedFixture.Redirect("/loop-a.xml"));
        server.Map("/drip.xml", FeedFixture.Text(FeedTexts.EmptyRss) with { Drip = TimeSpan.FromMilliseconds(500) });
        server.Map("/missing.xml", FeedFixture.StatusOnly(404));
        server.Map("/good.xml", FeedFixture.Text(FeedTexts.EmptyRss));
        var cases = new Dictionary<string, string>
        {
            ["/malformed.xml"] = "malformed XML",
            ["/xxe.xml"] = "DTDs are not allowed",
            ["/laughs.xml"] = "DTDs are not allowed",
            ["/html.xml"] = "an HTML page, not a feed",
            ["/bomb.xml"] = "after decompression",
            ["/loop-a.xml"] = "redirect loop",
            ["/drip.xml"] = "timed out",
            ["/missing.xml"] = "HTTP 404",
        };
        var ids = new Dictionary<string, Guid>();
        foreach (var path in cases.Keys) ids[path] = await fixture.AddSourceAsync(new { url = server.Url(path).AbsoluteUri, intervalSeconds = 3600 });

        foreach (var (path, reason) in cases)
        {
            var source = await fixture.WaitForPollsAsync(ids[path], 1);
            Assert.Contains(reason, source.GetProperty("lastError").GetString() ?? "", StringComparison.Ordinal);
            // (These tests cap the failure backoff at 1 s, so a source may have failed again by now.)
            Assert.True(source.GetProperty("consecutiveFailures").GetInt32() >= 1);
            Assert.Equal(JsonValueKind.Null, source.GetProperty("lastSuccessAt").ValueKind);
            Assert.Equal(0, source.GetProperty("itemsSeen").GetInt64());
        }

        foreach (var id in ids.Values) await fixture.Client.PostAsync($"/api/v1/sources/{id}/pause", null, Token);

        // Still polling: a source added after all that is read.
        var good = await fixture.AddSourceAsync(new { url = server.Url("/good.xml").AbsoluteUri, intervalSeconds = 3600 });
        var polled = await fixture.WaitForPollsAsync(good, 1);
        Assert.Equal(JsonValueKind.Null, polled.GetProperty("lastError").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, polled.GetProperty("lastSuccessAt").ValueKind);
    }

    [Fact]
    public async Task A_source_failing_five_times_in_a_row_is_failing_and_resume_clears_it()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/broken.xml", FeedFixture.StatusOnly(500));
        var id = await fixture.AddSourceAsync(new { url = server.Url("/broken.xml").AbsoluteUri, intervalSeconds = 1 });

        var fourth = await fixture.WaitForPollsAsync(id, 4);
        Assert.Equal("active", fourth.GetProperty("status").GetString());
        await Eventually.TrueAsync(async () => (await fixture.SourceAsync(id)).GetProperty("consecutiveFailures").GetInt32() >= 5, "five failures");
        var failing = await fixture.SourceAsync(id);
        Assert.Equal("failing", failing.GetProperty("status").GetString());
        Assert.Contains("HTTP 500", failing.GetProperty("lastError").GetString(), StringComparison.Ordinal);

        // An operator's resume forgets the failures.
        await fixture.Client.PostAsync($"/api/v1/sources/{id}/pause", null, Token);
        var resumed = await (await fixture.Client.PostAsync($"/api/v1/sources/{id}/resume", null, Token)).Content.ReadFromJsonAsync<JsonElement>(Token);
        Assert.Equal(("active", 0), (resumed.GetProperty("status").GetString(), resumed.GetProperty("consecutiveFailures").GetInt32()));
        await fixture.Client.DeleteAsync($"/api/v1/sources/{id}", Token);
    }

    [Fact]
    public async Task A_permanent_redirect_moves_the_feed_after_three_polls()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/old.xml", FeedFixture.Redirect("/new.xml", 301));
        server.Map("/new.xml", FeedFixture.Text(FeedTexts.EmptyRss));
        var id = await fixture.AddSourceAsync(new { url = server.Url("/old.xml").AbsoluteUri, intervalSeconds = 1 });

        var second = await fixture.WaitForPollsAsync(id, 2);
        Assert.Equal(server.Url("/old.xml").AbsoluteUri, second.GetProperty("url").GetString());
        await Eventually.TrueAsync(async () => (await fixture.SourceAsync(id)).GetProperty("url").GetString() == server.Url("/new.xml").AbsoluteUri, "the feed URL moved");
        await fixture.WaitForPollsAsync(id, 4);
        await fixture.Client.DeleteAsync($"/api/v1/sources/{id}", Token);
        // Three polls went through the redirect; after the move the new URL is polled directly.
        Assert.Equal(3, server.RequestsTo("/old.xml").Count);
    }

    [Fact]
    public async Task Two_instances_on_one_schema_never_poll_the_same_source_at_once()
    {
        await using var server = await FeedServer.StartAsync(Token);
        var paths = Enumerable.Range(0, 6).Select(i => $"/slow-{i}.xml").ToList();
        // Slow answers keep each poll open long enough for the other instance to try the same source.
        foreach (var path in paths) server.Map(path, FeedFixture.Text(FeedTexts.EmptyRss) with { Delay = TimeSpan.FromMilliseconds(400) });
        await using var second = fixture.NewSourcesInstance();
        _ = second.CreateGatewayClient(); // starts its poller

        var ids = new List<Guid>();
        foreach (var path in paths) ids.Add(await fixture.AddSourceAsync(new { url = server.Url(path).AbsoluteUri, intervalSeconds = 1 }));
        foreach (var id in ids) await fixture.WaitForPollsAsync(id, 4, TimeSpan.FromSeconds(90));
        foreach (var id in ids) await fixture.Client.PostAsync($"/api/v1/sources/{id}/pause", null, Token);

        foreach (var path in paths)
        {
            var requests = server.RequestsTo(path);
            Assert.True(requests.Count >= 4);
            Assert.Equal(1, FeedServer.MaxOverlap(requests));
        }
        // Every lease ended in a poll (one may still be running): no source was taken twice.
        foreach (var id in ids)
        {
            var started = await EventStoreProbe.CountAsync(fixture.Schema, id, "source_poll_started");
            Assert.InRange(started - await fixture.PollsAsync(id), 0, 1);
        }
    }

    [Fact]
    public async Task A_poll_interrupted_by_a_shutdown_gives_its_source_back_at_once()
    {
        await using var server = await FeedServer.StartAsync(Token);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Map("/interrupted.xml", async context =>
        {
            // The first request is held until the instance polling it has shut down; later ones answer at once.
            await release.Task.WaitAsync(context.RequestAborted);
            context.Response.ContentType = "application/rss+xml; charset=utf-8";
            await context.Response.WriteAsync(FeedTexts.EmptyRss, context.RequestAborted);
        });
        var id = await fixture.AddSourceAsync(new { url = server.Url("/interrupted.xml").AbsoluteUri, intervalSeconds = 3600 });
        await Eventually.TrueAsync(() => Task.FromResult(server.RequestsTo("/interrupted.xml").Count == 1), "the poll started");

        await fixture.RestartSourcesAsync();
        release.SetResult();

        // The lease (1 min in these tests) was given back: the restarted instance polls at once, and nothing was counted.
        var polled = await fixture.WaitForPollsAsync(id, 2, TimeSpan.FromSeconds(30));
        Assert.True(polled.GetProperty("consecutiveFailures").GetInt32() == 0, polled.ToString());
        Assert.NotEqual(JsonValueKind.Null, polled.GetProperty("lastSuccessAt").ValueKind);
        Assert.Equal(2, server.RequestsTo("/interrupted.xml").Count);
    }

    [Fact]
    public async Task A_restart_keeps_the_sources_state_and_its_validators()
    {
        await using var server = await FeedServer.StartAsync(Token);
        var link = server.Url("/news/restart");
        server.Map("/restart.xml", FeedFixture.Text(FeedTexts.Rss(("Restart story " + Guid.NewGuid().ToString("N"), link, "<p>A short story about a restart, told once.</p>")))
            with { LastModified = new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero) });
        var id = await fixture.AddSourceAsync(new { url = server.Url("/restart.xml").AbsoluteUri, intervalSeconds = 3600, fetchPages = "never" });
        var before = await fixture.WaitForPollsAsync(id, 1);
        Assert.Equal(1, before.GetProperty("itemsSeen").GetInt64());
        var articles = await fixture.StoredArticlesAsync();

        await fixture.RestartSourcesAsync();

        var after = await fixture.SourceAsync(id);
        foreach (var field in new[] { "lastPolledAt", "lastSuccessAt", "nextPollAt", "itemsSeen", "articlesAccepted", "status" })
            Assert.Equal(before.GetProperty(field).ToString(), after.GetProperty(field).ToString());
        await fixture.PollNowAsync(id);
        var second = await fixture.WaitForPollsAsync(id, 2);
        Assert.Equal(1, second.GetProperty("notModified").GetInt64());
        Assert.Equal("Sun, 29 Nov 2026 09:00:00 GMT", server.RequestsTo("/restart.xml")[^1].IfModifiedSince);
        Assert.Equal(articles, await fixture.StoredArticlesAsync());
        Assert.Single(await fixture.ItemsAsync(id));
    }

    [Fact]
    public async Task Items_over_the_per_poll_cap_wait_for_the_next_poll_which_reads_the_whole_feed_again()
    {
        await using var server = await FeedServer.StartAsync(Token);
        string[] stories =
        [
            "Volunteers planted four hundred oak saplings along the canal path on Sunday morning.",
            "The regional orchestra announced a winter season of seven concerts in the old cathedral.",
            "A cargo ship ran aground near the harbour entrance and was refloated at high tide.",
            "Primary schools will open their libraries to families every Saturday from January.",
            "The tram line extension to the airport passed its final safety inspection yesterday.",
        ];
        var items = stories.Select((story, i) => ($"Story {i}: {story.Split(' ')[1]}", server.Url($"/cap/{i}"), $"<p>{story}</p>")).ToArray();
        server.Map("/cap.xml", FeedFixture.Text(FeedTexts.Rss(items)) with { ETag = "\"cap-v1\"" });
        var articles = await fixture.StoredArticlesAsync();
        var id = await fixture.AddSourceAsync(new { url = server.Url("/cap.xml").AbsoluteUri, intervalSeconds = 3600, fetchPages = "never" });

        var first = await fixture.WaitForPollsAsync(id, 1);
        Assert.Equal(3, first.GetProperty("itemsSeen").GetInt64());
        Assert.Contains("2 new item(s) left for the next poll", first.GetProperty("lastError").GetString(), StringComparison.Ordinal);

        await fixture.PollNowAsync(id);
        var second = await fixture.WaitForPollsAsync(id, 2);
        // The ETag of a poll that left items behind was not kept: the feed was read again in full.
        Assert.Null(server.RequestsTo("/cap.xml")[1].IfNoneMatch);
        Assert.Equal(5, second.GetProperty("itemsSeen").GetInt64());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("lastError").ValueKind);
        Assert.Equal(articles + 5, await fixture.StoredArticlesAsync());

        await fixture.PollNowAsync(id);
        var third = await fixture.WaitForPollsAsync(id, 3);
        Assert.Equal("\"cap-v1\"", server.RequestsTo("/cap.xml")[2].IfNoneMatch);
        Assert.Equal(1, third.GetProperty("notModified").GetInt64());
        Assert.Equal(5, (await fixture.ItemsAsync(id)).Count);
    }
}
