using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NewsMonitor.Contracts;
using NewsMonitor.Events.Feed;
using NewsMonitor.Testing;
using Npgsql;

namespace NewsMonitor.Events.Tests;

/// <summary>The events service on real PostgreSQL and RabbitMQ; its stream heartbeat shortened so a test can see one.</summary>
public sealed class EventFeedFixture() : ServiceFixture<Program>("evfeed")
{
    protected override Type[] ProbedMessages => [];

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Events:Heartbeat"] = "00:00:02",
    };
}

/// <summary>
/// Integration events published on the test's virtual host, read back through the feed. Tests share the fixture's store
/// and keep apart by their own message ids.
/// </summary>
public sealed class EventFeedTests(EventFeedFixture fixture) : IClassFixture<EventFeedFixture>
{
    private const string Received = "org.newsmonitor.article.received";
    private const string Classified = "org.newsmonitor.article.classified";
    private const string Extracted = "org.newsmonitor.article.entities-extracted";
    private const string AlertType = "org.newsmonitor.alert.raised";
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static ArticleReceived ReceivedOf(Guid articleId) =>
        new(articleId, "عنوان الخبر", "نص الخبر", $"https://news.example/{articleId:N}", "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    private static HttpRequestMessage As(string role, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-NewsMonitor-Role", role);
        request.Headers.Add("X-NewsMonitor-Tenant", "default");
        return request;
    }

    private async Task<JsonElement> PageAsync(string query, string role = "operator")
    {
        using var response = await fixture.Client.SendAsync(As(role, "/api/v1/events" + query), Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Token);
    }

    // Every event of the feed from position 0, page by page, as the caller sees it.
    private async Task<List<JsonElement>> ReadAllAsync(string role = "operator", string? types = null, int limit = 1000)
    {
        var all = new List<JsonElement>();
        var after = "0";
        while (true)
        {
            var page = await PageAsync($"?after={after}&limit={limit}" + (types is null ? "" : $"&types={types}"), role);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            all.AddRange(items);
            var next = page.GetProperty("next").GetString()!;
            if (items.Count < limit) return all;
            after = next;
        }
    }

    private async Task<List<JsonElement>> WaitForIdsAsync(IReadOnlyCollection<Guid> ids, string role = "operator")
    {
        var wanted = ids.Select(id => id.ToString()).ToHashSet();
        return await Eventually.GetAsync(async () =>
        {
            var mine = (await ReadAllAsync(role)).Where(item => wanted.Contains(item.GetProperty("id").GetString()!)).ToList();
            return mine.Count >= wanted.Count ? mine : null;
        }, $"{wanted.Count} events in the feed");
    }

    [Fact]
    public async Task Article_events_are_cloudevents_whose_id_is_the_amqp_message_id()
    {
        var articleId = Guid.NewGuid();
        var (received, classified, extracted) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await fixture.Probe.PublishAsync(ReceivedOf(articleId), received);
        await fixture.Probe.PublishAsync(new ArticleClassified(articleId, [new TopicScore("economy", 0.8)], "lexicon-1", DateTimeOffset.UtcNow), classified);
        await fixture.Probe.PublishAsync(new EntitiesExtracted(articleId, [new ExtractedEntity("org:opec", "ORG", "OPEC", [new EntityMention("أوبك", 0, 4)])], "gazetteer-1", DateTimeOffset.UtcNow), extracted);

        var mine = await WaitForIdsAsync([received, classified, extracted], role: "integrator");

        var byId = mine.ToDictionary(item => Guid.Parse(item.GetProperty("id").GetString()!));
        Assert.Equal(Received, byId[received].GetProperty("type").GetString());
        Assert.Equal(Classified, byId[classified].GetProperty("type").GetString());
        Assert.Equal(Extracted, byId[extracted].GetProperty("type").GetString());
        foreach (var item in mine)
        {
            Assert.Equal("1.0", item.GetProperty("specversion").GetString());
            Assert.Equal(articleId.ToString(), item.GetProperty("subject").GetString());
            Assert.Equal("application/json", item.GetProperty("datacontenttype").GetString());
            Assert.True(item.GetProperty("time").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
            Assert.Equal(articleId, item.GetProperty("data").GetProperty("articleId").GetGuid());
            Assert.True(long.Parse(item.GetProperty("position").GetString()!) > 0);
        }
        Assert.Equal("urn:newsmonitor:ingestion", byId[received].GetProperty("source").GetString());
        Assert.Equal("عنوان الخبر", byId[received].GetProperty("data").GetProperty("title").GetString());
        Assert.Equal("أوبك", byId[extracted].GetProperty("data").GetProperty("entities")[0].GetProperty("mentions")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_redelivered_message_is_in_the_feed_once()
    {
        using var consumed = ConsumeProbe.Start(fixture.Service.Services);
        var articleId = Guid.NewGuid();
        var messageId = Guid.NewGuid();
        var message = ReceivedOf(articleId);

        await fixture.Probe.PublishAsync(message, messageId);
        await WaitForIdsAsync([messageId]);
        // The same event again, as after a relay's crash: consumed (acknowledged), not recorded.
        await fixture.Probe.PublishAsync(message, messageId);
        await fixture.Probe.PublishAsync(message, messageId);
        await consumed.WaitForAsync<ArticleReceived>(received => received.ArticleId == articleId, "the copies to be consumed", count: 2);

        Assert.Equal(1, await EventStoreProbe.CountAsync(fixture.Schema, messageId));
        Assert.Single(await ReadAllAsync(), item => item.GetProperty("id").GetString() == messageId.ToString());
    }

    [Fact]
    public async Task Positions_are_ascending_stable_and_paging_neither_skips_nor_repeats()
    {
        var ids = Enumerable.Range(0, 25).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids) await fixture.Probe.PublishAsync(ReceivedOf(Guid.NewGuid()), id);
        var wanted = ids.Select(id => id.ToString()).ToHashSet();
        await WaitForIdsAsync(ids);

        var inOnePage = await ReadAllAsync();
        var inSmallPages = await ReadAllAsync(limit: 3);

        var positions = inOnePage.Select(item => long.Parse(item.GetProperty("position").GetString()!)).ToList();
        Assert.Equal(positions.Order(), positions);
        Assert.Equal(positions.Count, positions.Distinct().Count());
        Assert.Equal(
            inOnePage.Select(item => (item.GetProperty("id").GetString(), item.GetProperty("position").GetString())),
            inSmallPages.Select(item => (item.GetProperty("id").GetString(), item.GetProperty("position").GetString())));
        Assert.Equal(25, inOnePage.Count(item => wanted.Contains(item.GetProperty("id").GetString()!)));
    }

    [Fact]
    public async Task A_caught_up_page_moves_the_cursor_to_the_head_of_the_log()
    {
        var id = Guid.NewGuid();
        await fixture.Probe.PublishAsync(ReceivedOf(Guid.NewGuid()), id);
        var item = (await WaitForIdsAsync([id])).Single();
        var position = long.Parse(item.GetProperty("position").GetString()!);

        // Filtered to a type this test never published after it: the page is empty and the cursor still moves on.
        var page = await PageAsync($"?after={position - 1}&types={AlertType}&limit=10");

        Assert.Empty(page.GetProperty("items").EnumerateArray());
        Assert.True(long.Parse(page.GetProperty("next").GetString()!) >= position);
    }

    [Fact]
    public async Task A_types_filter_returns_only_those_types()
    {
        var articleId = Guid.NewGuid();
        var (received, classified) = (Guid.NewGuid(), Guid.NewGuid());
        await fixture.Probe.PublishAsync(ReceivedOf(articleId), received);
        await fixture.Probe.PublishAsync(new ArticleClassified(articleId, [], "lexicon-1", DateTimeOffset.UtcNow), classified);
        await WaitForIdsAsync([received, classified]);

        var onlyClassified = await ReadAllAsync(types: Classified);

        Assert.All(onlyClassified, item => Assert.Equal(Classified, item.GetProperty("type").GetString()));
        Assert.Contains(onlyClassified, item => item.GetProperty("id").GetString() == classified.ToString());
        Assert.DoesNotContain(onlyClassified, item => item.GetProperty("id").GetString() == received.ToString());
    }

    [Fact]
    public async Task Readers_polling_during_concurrent_writes_see_every_event_once()
    {
        // Eight writers at once, as the consumer's concurrent deliveries (and other replicas) write: positions are taken
        // under the log's lock in commit order, so a reader that pages while they write never steps over one.
        var store = fixture.Service.Services.GetRequiredService<Marten.IDocumentStore>();
        var start = (await PageAsync($"?limit=1000&types={AlertType}")).GetProperty("next").GetString()!;
        var articleId = Guid.NewGuid();
        var ids = Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, 40).Select(_ => Guid.NewGuid()).ToList()).ToList();
        var writers = ids.Select(batch => Task.Run(async () =>
        {
            foreach (var id in batch)
            {
                await using var session = store.LightweightSession();
                await FeedLog.AppendAsync(session, [(id, new ArticleAlertsEvaluated(articleId, 0, DateTimeOffset.UtcNow))], Token);
            }
        })).ToList();

        var seen = new List<string>();
        var after = start;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (seen.Count < 320 && DateTime.UtcNow < deadline)
        {
            var page = await PageAsync($"?after={after}&limit=7&types=org.newsmonitor.article.alerts-evaluated");
            seen.AddRange(page.GetProperty("items").EnumerateArray()
                .Where(item => item.GetProperty("subject").GetString() == articleId.ToString())
                .Select(item => item.GetProperty("id").GetString()!));
            after = page.GetProperty("next").GetString()!;
        }
        await Task.WhenAll(writers);

        Assert.Equal(ids.SelectMany(batch => batch).Select(id => id.ToString()).Order(), seen.Order());
    }

    [Fact]
    public async Task A_write_waits_for_the_log_lock_so_no_position_is_taken_while_another_write_is_open()
    {
        var store = fixture.Service.Services.GetRequiredService<Marten.IDocumentStore>();
        var id = Guid.NewGuid();
        // An open write, as a slow transaction of another consumer would hold it.
        await using var held = await HeldAdvisoryLock.TakeAsync(FeedLog.LockClass, fixture.Schema, Token);
        var highest = await EventStoreProbe.HighestSequenceAsync(fixture.Schema);

        var write = Task.Run(async () =>
        {
            await using var session = store.LightweightSession();
            await FeedLog.AppendAsync(session, [(id, ReceivedOf(Guid.NewGuid()))], Token);
        }, Token);
        await held.WaitForWaitersAsync(1, "the write to wait for the log's lock");

        Assert.False(write.IsCompleted);
        Assert.Equal(highest, await EventStoreProbe.HighestSequenceAsync(fixture.Schema));
        await held.ReleaseAsync(Token);
        await write;
        Assert.Single(await WaitForIdsAsync([id]));
    }

    [Fact]
    public async Task An_append_skips_ids_already_in_the_log_or_repeated_in_its_batch()
    {
        var store = fixture.Service.Services.GetRequiredService<Marten.IDocumentStore>();
        var (first, second, third) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var message = new ArticleAlertsEvaluated(Guid.NewGuid(), 0, DateTimeOffset.UtcNow);

        await using (var session = store.LightweightSession())
            Assert.Equal(2, await FeedLog.AppendAsync(session, [(first, message), (first, message), (second, message)], Token));
        await using (var session = store.LightweightSession())
            Assert.Equal(1, await FeedLog.AppendAsync(session, [(second, message), (third, message), (first, message)], Token));

        foreach (var id in new[] { first, second, third }) Assert.Equal(1, await EventStoreProbe.CountAsync(fixture.Schema, id));
    }

    [Theory]
    [InlineData("?after=abc", "Invalid cursor")]
    [InlineData("?after=-1", "Invalid cursor")]
    [InlineData("?types=org.newsmonitor.article.nope", "Invalid types")]
    [InlineData("?limit=0", "Invalid limit")]
    [InlineData("?limit=1001", "Invalid limit")]
    [InlineData("/stream?after=x", "Invalid cursor")]
    [InlineData("/stream?types=article_received", "Invalid types")]
    public async Task A_bad_cursor_type_or_limit_answers_400_problem(string query, string title)
    {
        using var response = await fixture.Client.SendAsync(As("integrator", "/api/v1/events" + query), Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
        Assert.Equal(title, problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Integrators_never_see_alerts_or_digests_and_operators_do()
    {
        var (alertMessage, digestMessage, articleMessage) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var articleId = Guid.NewGuid();
        await fixture.Probe.PublishAsync(new AlertRaised(Guid.NewGuid(), Guid.NewGuid(), "acme", articleId, "t", ["x"], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow), alertMessage);
        await fixture.Probe.PublishAsync(new AlertDigestCompiled(Guid.NewGuid(), Guid.NewGuid(), "acme", DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow, [], DateTimeOffset.UtcNow), digestMessage);
        await fixture.Probe.PublishAsync(ReceivedOf(articleId), articleMessage);

        var operatorView = await WaitForIdsAsync([alertMessage, digestMessage, articleMessage]);
        Assert.Contains(operatorView, item => item.GetProperty("type").GetString() == AlertType);
        Assert.Contains(operatorView, item => item.GetProperty("type").GetString() == "org.newsmonitor.digest.compiled");

        var integratorView = await ReadAllAsync("integrator");
        Assert.Contains(integratorView, item => item.GetProperty("id").GetString() == articleMessage.ToString());
        Assert.DoesNotContain(integratorView, item => item.GetProperty("type").GetString()!.StartsWith("org.newsmonitor.alert.", StringComparison.Ordinal));
        Assert.DoesNotContain(integratorView, item => item.GetProperty("type").GetString() == "org.newsmonitor.digest.compiled");
        Assert.DoesNotContain("acme", JsonSerializer.Serialize(integratorView), StringComparison.Ordinal);

        foreach (var path in new[] { $"/api/v1/events?types={AlertType}", $"/api/v1/events/stream?types={AlertType}" })
        {
            using var forbidden = await fixture.Client.SendAsync(As("integrator", path), Token);
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }
        using var subscriber = await fixture.Client.SendAsync(As("subscriber", "/api/v1/events"), Token);
        Assert.Equal(HttpStatusCode.Forbidden, subscriber.StatusCode);
        using var bare = await fixture.Service.CreateBareClient().GetAsync("/api/v1/events", Token);
        Assert.Equal(HttpStatusCode.Unauthorized, bare.StatusCode);
    }

    private async Task<(HttpResponseMessage Response, ServerSentEventReader Events)> OpenStreamAsync(string query, string? lastEventId = null)
    {
        var request = As("integrator", "/api/v1/events/stream" + query);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await fixture.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        return (response, new ServerSentEventReader(await response.Content.ReadAsStreamAsync(Token)));
    }

    [Fact]
    public async Task A_stream_resumed_with_last_event_id_has_no_gap_and_no_duplicate()
    {
        var start = (await PageAsync("?limit=1000&types=" + Classified)).GetProperty("next").GetString()!;
        var first = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToList();
        var second = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToList();
        var articleId = Guid.NewGuid();
        foreach (var id in first) await fixture.Probe.PublishAsync(new ArticleClassified(articleId, [], "v", DateTimeOffset.UtcNow), id);

        var seen = new List<ServerSentEvent>();
        var (response, events) = await OpenStreamAsync($"?after={start}&types={Classified}");
        using (response)
        using (events)
        {
            // Leave after the first five of this test's events, as a dropped connection would.
            while (seen.Count(IsMine) < 5) seen.Add(await events.WaitForAsync(e => e.Event == "cloudevent", TimeSpan.FromSeconds(30)));
        }
        var lastId = seen[^1].Id!;
        // Published while the client is away, and after it came back: both must arrive, once.
        foreach (var id in second.Take(5)) await fixture.Probe.PublishAsync(new ArticleClassified(articleId, [], "v", DateTimeOffset.UtcNow), id);

        var (again, resumed) = await OpenStreamAsync($"?after={start}&types={Classified}", lastEventId: lastId);
        using (again)
        using (resumed)
        {
            foreach (var id in second.Skip(5)) await fixture.Probe.PublishAsync(new ArticleClassified(articleId, [], "v", DateTimeOffset.UtcNow), id);
            while (seen.Count(IsMine) < 20) seen.Add(await resumed.WaitForAsync(e => e.Event == "cloudevent", TimeSpan.FromSeconds(30)));
        }

        var mine = seen.Where(IsMine).Select(e => Guid.Parse(e.Json.GetProperty("id").GetString()!)).ToList();
        Assert.Equal(20, mine.Distinct().Count());
        Assert.Equal(first.Concat(second).Order(), mine.Order());
        var positions = seen.Select(e => long.Parse(e.Id!)).ToList();
        Assert.Equal(positions.Order(), positions);
        Assert.Equal(positions.Count, positions.Distinct().Count());
        Assert.All(seen, e => Assert.Equal(e.Id, e.Json.GetProperty("position").GetString()));

        bool IsMine(ServerSentEvent e) => e.Event == "cloudevent" && e.Json.GetProperty("data").GetProperty("articleId").GetGuid() == articleId;
    }

    [Fact]
    public async Task A_quiet_stream_sends_heartbeats()
    {
        var head = (await PageAsync("?limit=1000&types=org.newsmonitor.digest.compiled")).GetProperty("next").GetString()!;
        var (response, events) = await OpenStreamAsync($"?after={head}&types={Received}");
        using (response)
        using (events)
        {
            var heartbeat = await events.WaitForAsync(e => e.Event == "heartbeat", TimeSpan.FromSeconds(20));
            Assert.Null(heartbeat.Id);
        }
    }
}
