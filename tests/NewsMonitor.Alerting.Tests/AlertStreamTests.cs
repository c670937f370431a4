using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Alerting.Alerts;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;

namespace NewsMonitor.Alerting.Tests;

/// <summary>The cursor rules of the stream and the feed, decided without I/O.</summary>
public sealed class AlertCursorTests
{
    [Theory]
    [InlineData("12", null, 12L)]
    [InlineData(null, "7", 7L)]
    [InlineData("12", "7", 12L)] // the header wins over the query
    [InlineData("", "7", 7L)] // an empty header is no header
    [InlineData("0", null, 0L)]
    public void The_stream_resumes_from_the_header_else_the_query(string? header, string? after, long expected)
    {
        Assert.Equal(expected, AlertCursor.ResumeFrom(header, after, out var valid));
        Assert.True(valid);
    }

    [Fact]
    public void Without_a_position_the_stream_starts_at_the_end()
    {
        Assert.Null(AlertCursor.ResumeFrom(null, null, out var valid));
        Assert.True(valid);
    }

    [Theory]
    [InlineData("abc", null)]
    [InlineData("-1", null)]
    [InlineData(" 5", null)]
    [InlineData("5,6", null)] // two Last-Event-ID headers
    [InlineData(null, "1e3")]
    [InlineData(null, "99999999999999999999")]
    [InlineData("x", "5")] // a bad header is not rescued by a good query
    public void A_position_that_is_not_a_number_is_refused(string? header, string? after)
    {
        Assert.Null(AlertCursor.ResumeFrom(header, after, out var valid));
        Assert.False(valid);
    }
}

public sealed class AlertStreamFixture() : ServiceFixture<Program>("alertstream")
{
    protected override Type[] ProbedMessages => [typeof(AlertRaised)];
}

/// <summary>Resuming the alert stream from a position, the newest-first feed, and the subscriber's view of an alert and its article.</summary>
public sealed class AlertStreamTests(AlertStreamFixture fixture) : IClassFixture<AlertStreamFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    internal static HttpRequestMessage AsTenant(HttpMethod method, string path, string tenant, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add(Caller.RoleHeader, "subscriber");
        request.Headers.Add(Caller.TenantHeader, tenant);
        return request;
    }

    private static string NewTenant(string what) => $"t-{what}-{Guid.NewGuid().ToString("N")[..8]}";

    private async Task<Guid> SubscribeAsync(string tenant, string rule)
    {
        var response = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, "/api/v1/subscriptions", tenant, new { name = "stream", rule }), Cancel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();
    }

    private static ArticleReceived Received(Guid id, string body) =>
        new(id, "عنوان " + id, body, $"https://example.com/{id}", "ar", "test", DateTimeOffset.Parse("2026-11-29T10:00:00Z", CultureInfo.InvariantCulture), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    /// <summary>Raises one alert per article (each matching the tenant's rule) and returns the articles in publication order.</summary>
    private async Task<List<Guid>> RaiseAsync(int count, string word)
    {
        var articles = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToList();
        foreach (var article in articles) await fixture.Probe.PublishAsync(Received(article, $"خبر عن {word} اليوم"));
        return articles;
    }

    /// <summary>The tenant's alerts as the feed shows them (oldest first), once it holds <paramref name="count"/>.</summary>
    private async Task<List<JsonElement>> FeedAsync(string tenant, int count) => await Eventually.GetAsync(async () =>
    {
        var page = await (await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, "/api/v1/alerts?limit=500", tenant))).Content.ReadFromJsonAsync<JsonElement>();
        var items = page.GetProperty("items").EnumerateArray().ToList();
        return items.Count >= count ? items : null;
    }, $"{count} alerts of {tenant} in the feed");

    private Task<ServerSentEventReader> OpenAsync(string tenant, string query = "", string? lastEventId = null) => OpenStreamAsync(fixture.Client, tenant, query, lastEventId);

    /// <summary>Opens the tenant's alert stream (resuming after <paramref name="lastEventId"/> when given) and waits for <c>ready</c>.</summary>
    internal static async Task<ServerSentEventReader> OpenStreamAsync(HttpClient client, string tenant, string query, string? lastEventId)
    {
        var request = AsTenant(HttpMethod.Get, "/api/v1/alerts/stream" + query, tenant);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reader = new ServerSentEventReader(await response.Content.ReadAsStreamAsync(Cancel));
        await reader.WaitForAsync(e => e.Event == "ready", Wait);
        return reader;
    }

    /// <summary>Reads alert events until one is of <paramref name="last"/>, checking each carries its position as id.</summary>
    private static async Task<List<JsonElement>> ReadUntilAsync(ServerSentEventReader reader, Guid last)
    {
        var alerts = new List<JsonElement>();
        while (true)
        {
            var next = await reader.WaitForAsync(e => e.Event == "alert", Wait);
            var alert = next.Json;
            Assert.Equal(alert.GetProperty("position").GetInt64().ToString(CultureInfo.InvariantCulture), next.Id);
            alerts.Add(alert);
            if (alert.GetProperty("articleId").GetGuid() == last) return alerts;
        }
    }

    /// <summary>A new tenant subscribed to <paramref name="word"/>, with <paramref name="count"/> of its alerts stored (oldest first).</summary>
    private async Task<(string Tenant, List<JsonElement> Stored)> WithAlertsAsync(string what, string word, int count)
    {
        var tenant = NewTenant(what);
        await SubscribeAsync(tenant, word);
        await RaiseAsync(count, word);
        return (tenant, await FeedAsync(tenant, count));
    }

    private static long Position(JsonElement alert) => alert.GetProperty("position").GetInt64();

    private static List<Guid> Articles(IEnumerable<JsonElement> alerts) => alerts.Select(a => a.GetProperty("articleId").GetGuid()).ToList();

    [Fact]
    public async Task A_client_resuming_after_a_position_gets_every_later_alert_in_order_then_live_ones()
    {
        var (tenant, stored) = await WithAlertsAsync("resume", "بلغاريا", 5);

        using var stream = await OpenAsync(tenant, $"?after={Position(stored[1])}");
        var live = (await RaiseAsync(1, "بلغاريا"))[0];
        var received = await ReadUntilAsync(stream, live);

        Assert.Equal(Articles(stored.Skip(2)).Append(live), Articles(received));
        Assert.Equal(received.Select(Position).Order(), received.Select(Position));
        Assert.Equal(Position(stored[^1]), received.Take(3).Max(Position));
    }

    [Fact]
    public async Task The_last_event_id_header_wins_over_the_query()
    {
        var (tenant, stored) = await WithAlertsAsync("header", "رومانيا", 4);

        using var stream = await OpenAsync(tenant, "?after=0", lastEventId: Position(stored[2]).ToString(CultureInfo.InvariantCulture));
        var first = await stream.WaitForAsync(e => e.Event == "alert", Wait);
        Assert.Equal(stored[3].GetProperty("id").GetGuid(), first.Json.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Without_a_position_the_stream_shows_only_alerts_raised_after_it_opened()
    {
        var (tenant, _) = await WithAlertsAsync("live", "كرواتيا", 2);

        using var stream = await OpenAsync(tenant);
        var live = (await RaiseAsync(1, "كرواتيا"))[0];
        var first = await stream.WaitForAsync(e => e.Event == "alert", Wait);
        Assert.Equal(live, first.Json.GetProperty("articleId").GetGuid());
    }

    // Attack review: a live-only client that saw no alert yet had no id to resume from; its EventSource reconnected
    // without Last-Event-ID, at the then current end, and lost every alert raised while it was away.
    [Fact]
    public async Task A_live_client_that_saw_no_alert_resumes_from_the_ready_event_without_a_gap()
    {
        var (tenant, _) = await WithAlertsAsync("gap", "سلوفينيا", 1);

        string? resumeFrom;
        using (var first = await OpenStreamAsync(fixture.Client, tenant, "", null))
        {
            resumeFrom = first.LastEventId;
        }
        Assert.NotNull(resumeFrom);
        var missed = (await RaiseAsync(1, "سلوفينيا"))[0];
        await FeedAsync(tenant, 2);

        using var again = await OpenAsync(tenant, lastEventId: resumeFrom);
        var alert = await again.WaitForAsync(e => e.Event == "alert", Wait);
        Assert.Equal(missed, alert.Json.GetProperty("articleId").GetGuid());
    }

    // Attack review: 200 streams of one tenant wake together on one alert (a wake-up herd on the store's connection pool).
    [Fact]
    public async Task Two_hundred_concurrent_streams_each_get_the_alert_once()
    {
        var (tenant, _) = await WithAlertsAsync("herd", "مالطا", 1);
        var streams = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => OpenAsync(tenant)));
        try
        {
            var live = (await RaiseAsync(1, "مالطا"))[0];
            var received = await Task.WhenAll(streams.Select(stream => ReadUntilAsync(stream, live)));
            Assert.All(received, alerts => Assert.Equal([live], Articles(alerts)));
        }
        finally
        {
            foreach (var stream in streams) stream.Dispose();
        }
    }

    [Fact]
    public async Task Alerts_raised_while_a_client_catches_up_arrive_once_each_in_order()
    {
        var tenant = NewTenant("switch");
        await SubscribeAsync(tenant, "سلوفاكيا");
        var before = await RaiseAsync(10, "سلوفاكيا");
        await FeedAsync(tenant, 10);

        // The client opens from the start while more alerts are being raised: the switch from stored to live happens
        // somewhere among these, wherever the race puts it.
        var raising = RaiseAsync(40, "سلوفاكيا");
        using var stream = await OpenAsync(tenant, "?after=0");
        var during = await raising;
        // An alert raised after all the others, once they are stored: anything doubled would come before it.
        await FeedAsync(tenant, 50);
        var last = (await RaiseAsync(1, "سلوفاكيا"))[0];
        var received = await ReadUntilAsync(stream, last);

        Assert.Equal(51, received.Count);
        Assert.Equal(51, received.Select(a => a.GetProperty("id").GetGuid()).Distinct().Count());
        Assert.Equal(before.Concat(during).Append(last).Order(), Articles(received).Order());
        Assert.Equal(received.Select(Position).Order(), received.Select(Position));
    }

    [Fact]
    public async Task A_stream_that_ends_after_a_deleted_subscription_answers_404_on_resume()
    {
        var tenant = NewTenant("gone");
        var subscription = await SubscribeAsync(tenant, "مالطا");
        using var stream = await OpenAsync(tenant, $"?subscriptionId={subscription}");
        await fixture.Client.SendAsync(AsTenant(HttpMethod.Delete, $"/api/v1/subscriptions/{subscription}", tenant), Cancel);
        using var cancel = new CancellationTokenSource(Wait);
        while (await stream.NextAsync(cancel.Token) is not null) { }
        var again = await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, $"/api/v1/alerts/stream?subscriptionId={subscription}&after=0", tenant), Cancel);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/alerts/stream?after=abc", null)]
    [InlineData("/api/v1/alerts/stream?after=-1", null)]
    [InlineData("/api/v1/alerts/stream?after=5", "not-a-position")]
    [InlineData("/api/v1/alerts?after=x", null)]
    [InlineData("/api/v1/alerts?order=desc&before=x", null)]
    [InlineData("/api/v1/alerts?before=5", null)]
    [InlineData("/api/v1/alerts?order=desc&after=5", null)]
    [InlineData("/api/v1/alerts?order=sideways", null)]
    public async Task Bad_cursors_answer_400_problems(string path, string? lastEventId)
    {
        var request = AsTenant(HttpMethod.Get, path, "t-bad");
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await fixture.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task The_feed_reads_newest_first_with_before()
    {
        var (tenant, stored) = await WithAlertsAsync("desc", "قبرص", 3);

        var first = await (await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, "/api/v1/alerts?order=desc&limit=2", tenant), Cancel)).Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal([Position(stored[2]), Position(stored[1])], first.GetProperty("items").EnumerateArray().Select(Position));
        var next = first.GetProperty("next").GetString();
        Assert.Equal(Position(stored[1]).ToString(CultureInfo.InvariantCulture), next);

        var second = await (await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, $"/api/v1/alerts?order=desc&limit=2&before={next}", tenant), Cancel)).Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal([Position(stored[0])], second.GetProperty("items").EnumerateArray().Select(Position));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task A_subscriber_opens_its_own_alerts_and_their_articles_and_nothing_else()
    {
        var tenant = NewTenant("own");
        var other = NewTenant("other");
        var subscription = await SubscribeAsync(tenant, "آيسلندا");
        var article = (await RaiseAsync(1, "آيسلندا"))[0];
        var entities = new EntitiesExtracted(article, [new ExtractedEntity("iceland", "LOC", "Iceland", [new EntityMention("آيسلندا", 7, 7)], ["ايسلندا"])], "test", DateTimeOffset.UtcNow);
        await fixture.Probe.PublishAsync(entities);
        var alert = (await FeedAsync(tenant, 1))[0];
        var id = alert.GetProperty("id").GetGuid();

        var own = await (await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, $"/api/v1/alerts/{id}", tenant), Cancel)).Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal(subscription, own.GetProperty("subscriptionId").GetGuid());
        Assert.Equal(Position(alert), Position(own));

        var view = await Eventually.GetAsync(async () =>
        {
            var body = await (await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, $"/api/v1/alerts/{id}/article", tenant))).Content.ReadFromJsonAsync<JsonElement>();
            return body.GetProperty("entities").ValueKind == JsonValueKind.Array ? body.GetRawText() : null;
        }, "the article with its entities");
        var shown = JsonDocument.Parse(view).RootElement;
        Assert.Equal(article, shown.GetProperty("id").GetGuid());
        Assert.Equal("عنوان " + article, shown.GetProperty("title").GetString());
        Assert.Equal("خبر عن آيسلندا اليوم", shown.GetProperty("body").GetString());
        Assert.Equal($"https://example.com/{article}", shown.GetProperty("url").GetString());
        Assert.Equal("ar", shown.GetProperty("language").GetString());
        Assert.Equal(DateTimeOffset.Parse("2026-11-29T10:00:00Z", CultureInfo.InvariantCulture), shown.GetProperty("publishedAt").GetDateTimeOffset());
        Assert.Equal("iceland", Assert.Single(shown.GetProperty("entities").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, shown.GetProperty("topics").ValueKind);

        foreach (var path in new[] { $"/api/v1/alerts/{id}", $"/api/v1/alerts/{id}/article", $"/api/v1/alerts/{Guid.NewGuid()}", $"/api/v1/alerts/{Guid.NewGuid()}/article" })
        {
            var response = await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, path, other), Cancel);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }
        // The article id is not an alert id: a subscriber cannot reach an article by its own id here.
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, $"/api/v1/alerts/{article}/article", tenant), Cancel)).StatusCode);
        // Operators see every tenant's alerts.
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client.GetAsync($"/api/v1/alerts/{id}/article", Cancel)).StatusCode);
    }
}

public sealed class AlertStreamRestartFixture() : ServiceFixture<Program>("alertrestart")
{
    protected override Type[] ProbedMessages => [typeof(AlertRaised)];
}

/// <summary>Resuming across a restart of the alerting service: its own class, since it stops the class's host.</summary>
public sealed class AlertStreamRestartTests(AlertStreamRestartFixture fixture) : IClassFixture<AlertStreamRestartFixture>
{
    [Fact]
    public async Task Alerts_raised_while_alerting_was_down_arrive_once_each_when_the_client_resumes()
    {
        var cancel = TestContext.Current.CancellationToken;
        var wait = TimeSpan.FromSeconds(60);
        var tenant = $"t-restart-{Guid.NewGuid().ToString("N")[..8]}";
        HttpRequestMessage AsTenant(HttpMethod method, string path, object? body = null) => AlertStreamTests.AsTenant(method, path, tenant, body);
        ArticleReceived Received(Guid id) => new(id, "عنوان " + id, "قمة في سراييفو", null, "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        Task<ServerSentEventReader> OpenAsync(string? lastEventId) => AlertStreamTests.OpenStreamAsync(fixture.Client, tenant, "", lastEventId);

        Assert.Equal(HttpStatusCode.Created, (await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, "/api/v1/subscriptions", new { name = "restart", rule = "سراييفو" }), cancel)).StatusCode);
        var first = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();
        var received = new List<ServerSentEvent>();
        using (var stream = await OpenAsync(null))
        {
            foreach (var article in first) await fixture.Probe.PublishAsync(Received(article));
            while (received.Count < first.Count) received.Add(await stream.WaitForAsync(e => e.Event == "alert", wait));
        }
        var lastSeen = received[^1].Id;

        // Down: the articles wait in alerting's durable queue; the new host stores their alerts when it starts.
        var whileDown = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
        await fixture.RestartAsync(async () =>
        {
            foreach (var article in whileDown) await fixture.Probe.PublishAsync(Received(article));
        });

        // The alerts raised while down are history by the time the client comes back (in the feed, below the high-water
        // mark): only a resume brings them, a live-only stream would not.
        await Eventually.TrueAsync(async () =>
            (await (await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, "/api/v1/alerts?limit=500"))).Content.ReadFromJsonAsync<JsonElement>())
                .GetProperty("items").GetArrayLength() == first.Count + whileDown.Count, "the alerts raised while down in the feed", wait);
        var sentinel = Guid.NewGuid();
        using (var stream = await OpenAsync(lastSeen))
        {
            await fixture.Probe.PublishAsync(Received(sentinel));
            while (received[^1].Json.GetProperty("articleId").GetGuid() != sentinel) received.Add(await stream.WaitForAsync(e => e.Event == "alert", wait));
        }

        var articles = received.Select(e => e.Json.GetProperty("articleId").GetGuid()).ToList();
        Assert.Equal(first.Concat(whileDown).Append(sentinel).Order(), articles.Order());
        Assert.Equal(articles.Count, articles.Distinct().Count());
        var positions = received.Select(e => long.Parse(e.Id!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(positions.Order(), positions);
    }
}
