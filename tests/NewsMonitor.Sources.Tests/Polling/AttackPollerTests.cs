using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Testing;

namespace NewsMonitor.Sources.Tests.Polling;

/// <summary>Attacks on the poller from hostile feeds and pages (issue 14's attack review), end to end.</summary>
public sealed class AttackPollerTests(PollerFixture fixture) : IClassFixture<PollerFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly string[] Stored = ["accepted", "nearDuplicate"];

    private static string Unique(int text) => FeedTexts.English[text] + " Reference " + Guid.NewGuid().ToString("N") + ".";

    private static string Item(Uri link, string title, string pubDate, string text) =>
        $"<item><title>{title}</title><link>{link.AbsoluteUri}</link><pubDate>{pubDate}</pubDate><description>{System.Security.SecurityElement.Escape(text)}</description></item>";

    private static string Rss(params string[] items) =>
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Attack</title><link>http://example.com/</link>" + string.Concat(items) + "</channel></rss>";

    [Fact]
    public async Task An_item_whose_title_decodes_to_NUL_is_ingested_and_the_source_stays_healthy()
    {
        // "&amp;amp;#0;" reaches plain text as "&#0;", which a second entity decode once turned into NUL: the item record
        // (PostgreSQL jsonb refuses \u0000) failed the poll on every retry.
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/nul.xml", FeedFixture.Text(Rss(Item(server.Url("/nul/1"), "Floods &amp;amp;#0; in town", "Sun, 29 Nov 2026 10:00:00 GMT", Unique(0)))));
        var id = await fixture.AddSourceAsync(new { url = server.Url("/nul.xml").AbsoluteUri, intervalSeconds = 3600, fetchPages = "never" });
        var source = await fixture.WaitForPollsAsync(id, 1);
        Assert.Equal(JsonValueKind.Null, source.GetProperty("lastError").ValueKind);
        var item = Assert.Single(await fixture.ItemsAsync(id));
        // Stored (nearDuplicate when another test of this class stored a similar text first), not rejected nor lost.
        Assert.Contains(item.GetProperty("outcome").GetString(), Stored);
        Assert.DoesNotContain('\0', item.GetProperty("title").GetString()!);
    }

    [Fact]
    public async Task A_publication_date_far_in_the_future_is_dropped_not_stored()
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/future.xml", FeedFixture.Text(Rss(
            Item(server.Url("/future/1"), "Far future", "Fri, 31 Dec 9999 10:00:00 GMT", Unique(1)),
            Item(server.Url("/future/2"), "Tomorrow-ish", DateTimeOffset.UtcNow.AddHours(12).ToString("r", CultureInfo.InvariantCulture), Unique(2)))));
        var id = await fixture.AddSourceAsync(new { url = server.Url("/future.xml").AbsoluteUri, intervalSeconds = 3600, fetchPages = "never" });
        await fixture.WaitForPollsAsync(id, 1);
        var items = await fixture.ItemsAsync(id);
        Assert.Equal(2, items.Count);
        foreach (var item in items)
        {
            Assert.Contains(item.GetProperty("outcome").GetString(), Stored);
            var article = await fixture.Articles.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{item.GetProperty("articleId").GetGuid()}", Token);
            var published = article.GetProperty("publishedAt");
            if (item.GetProperty("title").GetString() == "Far future") Assert.Equal(JsonValueKind.Null, published.ValueKind);
            else Assert.NotEqual(JsonValueKind.Null, published.ValueKind);
        }
    }

    [Theory]
    [InlineData("en_US", "en-us")]
    [InlineData("en-us, ar", "en-us")]
    [InlineData("x\u0001y", null)]
    [InlineData("<b>en</b>", null)]
    public async Task A_feed_language_that_is_no_tag_does_not_lose_the_items(string declared, string? stored)
    {
        // og:locale and many feeds write en_US; ingestion refuses an article whose language is no tag, so every item of
        // such a feed was rejected.
        await using var server = await FeedServer.StartAsync(Token);
        var text = Unique(0);
        server.Map("/lang.xml", FeedFixture.Text(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Lang</title><link>http://example.com/</link><language>"
            + System.Security.SecurityElement.Escape(declared).Replace("\u0001", "&amp;#1;", StringComparison.Ordinal) + "</language>"
            + Item(server.Url("/lang/1"), "Language header", "Sun, 29 Nov 2026 10:00:00 GMT", text) + "</channel></rss>"));
        var id = await fixture.AddSourceAsync(new { url = server.Url("/lang.xml").AbsoluteUri, intervalSeconds = 3600, fetchPages = "never" });
        await fixture.WaitForPollsAsync(id, 1);
        var item = Assert.Single(await fixture.ItemsAsync(id));
        Assert.True(Stored.Contains(item.GetProperty("outcome").GetString()), item.ToString());
        var article = await fixture.Articles.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{item.GetProperty("articleId").GetGuid()}", Token);
        if (stored is not null) Assert.Equal(stored, article.GetProperty("language").GetString());
        else Assert.Equal("en", article.GetProperty("language").GetString());
    }

    [Fact]
    public async Task A_poll_slowed_by_hostile_pages_ends_inside_its_lease()
    {
        // The lease is never renewed: a poll that outlives it lets another instance poll the same source at once. Pages
        // that each take just under the response timeout must not stretch one poll past the lease.
        var schema = TestInfrastructure.UniqueName("srcatk");
        var settings = new Dictionary<string, string?>(PollerFixture.Settings)
        {
            ["Sources:Lease"] = "00:00:20",
            ["Sources:ResponseTimeout"] = "00:00:15",
            ["Sources:MaxItemsPerPoll"] = "3",
        };
        await using var server = await FeedServer.StartAsync(Token);
        var items = Enumerable.Range(1, 3).Select(i => Item(server.Url($"/slow/{i}"), $"Slow {i}", "Sun, 29 Nov 2026 10:00:00 GMT", Unique(i - 1))).ToArray();
        server.Map("/slow.xml", FeedFixture.Text(Rss(items)));
        for (var i = 1; i <= 3; i++)
            server.Map($"/slow/{i}", FeedFixture.Text($"<html><body><article><p>{Unique(i - 1)}</p></article></body></html>", "text/html; charset=utf-8") with { Delay = TimeSpan.FromSeconds(11) });
        try
        {
            await using var sources = new ServiceFactory<Program>(schema, fixture.VirtualHost, settings);
            using var client = sources.CreateGatewayClient();
            var response = await client.PostAsJsonAsync("/api/v1/sources", new { url = server.Url("/slow.xml").AbsoluteUri, intervalSeconds = 3600, fetchPages = "always" }, Token);
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("id").GetGuid();
            await Eventually.TrueAsync(async () => await EventStoreProbe.CountAsync(schema, id, "source_polled") >= 1, "the first poll recorded", TimeSpan.FromSeconds(90));
            var overran = await TestInfrastructure.ScalarAsync<long>($"""
                select count(*) from "{schema}".mt_events started join "{schema}".mt_events polled
                  on polled.stream_id = started.stream_id and polled.type = 'source_polled'
                  and polled.seq_id = (select min(seq_id) from "{schema}".mt_events e where e.stream_id = started.stream_id and e.type = 'source_polled' and e.seq_id > started.seq_id)
                where started.stream_id = '{id}' and started.type = 'source_poll_started'
                  and (polled.data->>'at')::timestamptz > (started.data->>'leaseUntil')::timestamptz
                """);
            Assert.Equal(0, overran);
            var source = await client.GetFromJsonAsync<JsonElement>($"/api/v1/sources/{id}", Token);
            Assert.Contains("half its lease", source.GetProperty("lastError").GetString() ?? "", StringComparison.Ordinal);
            Assert.True(source.GetProperty("itemsSeen").GetInt64() < 3);
        }
        finally
        {
            await TestInfrastructure.DropSchemasAsync(schema);
        }
    }
}
