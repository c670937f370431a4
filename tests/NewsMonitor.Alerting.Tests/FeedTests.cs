using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.ServiceModel.Syndication;
using System.Text;
using System.Text.Json;
using System.Xml;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NewsMonitor.Alerting.Feeds;
using NewsMonitor.Alerting.Subscriptions;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;

namespace NewsMonitor.Alerting.Tests;

/// <summary>The alerting service with a public base URL for feeds and its logs captured at Debug.</summary>
public sealed class FeedFixture() : ServiceFixture<Program>("feeds"), IAsyncLifetime
{
    public const string PublicBaseUrl = "https://news.example";

    public CapturedLogs Logs { get; } = new();

    protected override Type[] ProbedMessages => [typeof(AlertRaised)];

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Alerting:PublicBaseUrl"] = PublicBaseUrl + "/",
        ["Alerting:Webhooks:AllowPrivateTargets"] = "true",
        ["Alerting:Webhooks:Attempts"] = "2",
        ["Alerting:Webhooks:FirstRetryMilliseconds"] = "50",
        ["Logging:LogLevel:Default"] = "Debug",
        ["Logging:LogLevel:Microsoft"] = "Debug",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace",
        ["Logging:LogLevel:Marten"] = "Debug",
        ["Logging:Console:LogLevel:Default"] = "Warning",
    };

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        Service.Services.GetRequiredService<ILoggerFactory>().AddProvider(Logs);
    }

    /// <summary>A client as the gateway forwards a key-less request: the internal credential, no identity.</summary>
    public HttpClient Reader()
    {
        var client = Service.CreateBareClient();
        client.DefaultRequestHeaders.Add(GatewayCredential.Header, AsGateway.InternalKey);
        return client;
    }
}

/// <summary>
/// The private Atom feed of a subscription: its content and order, conditional GET, rotation and revocation by the
/// owner only, a deleted subscription, hostile paths, and the token kept out of logs, traces and the database.
/// </summary>
public sealed class FeedTests(FeedFixture fixture) : IClassFixture<FeedFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static HttpRequestMessage AsTenant(HttpMethod method, string path, string tenant, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add(Caller.RoleHeader, "subscriber");
        request.Headers.Add(Caller.TenantHeader, tenant);
        return request;
    }

    private async Task<(Guid Id, string Url)> SubscribeAsync(string tenant, string rule, string name = "feed")
    {
        var response = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, "/api/v1/subscriptions", tenant, new { name, rule }), Cancel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();
        return (id, await FeedUrlAsync(tenant, id) ?? throw new InvalidOperationException("no feed on a new subscription"));
    }

    private async Task<string?> FeedUrlAsync(string tenant, Guid id)
    {
        var view = await (await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, $"/api/v1/subscriptions/{id}", tenant), Cancel)).Content.ReadFromJsonAsync<JsonElement>(Cancel);
        var feed = view.GetProperty("feed");
        return feed.ValueKind == JsonValueKind.Null ? null : feed.GetProperty("url").GetString();
    }

    private static string PathOf(string url) => new Uri(url).AbsolutePath;

    private static string TokenOf(string url) => PathOf(url)["/feeds/".Length..^".atom".Length];

    private async Task<HttpResponseMessage> ReadAsync(string url, Action<HttpRequestMessage>? conditions = null)
    {
        using var reader = fixture.Reader();
        var request = new HttpRequestMessage(HttpMethod.Get, PathOf(url));
        conditions?.Invoke(request);
        var response = await reader.SendAsync(request, Cancel);
        if (response.StatusCode == HttpStatusCode.InternalServerError)
            throw new InvalidOperationException(string.Join("\n", fixture.Logs.Lines.Where(line => line.Contains("Exception", StringComparison.Ordinal)).TakeLast(3)));
        return response;
    }

    private static SyndicationFeed Parse(byte[] body)
    {
        using var reader = XmlReader.Create(new MemoryStream(body));
        return SyndicationFeed.Load(reader);
    }

    private async Task<Guid> AlertAsync(Guid subscription, string body, string url)
    {
        var article = Guid.NewGuid();
        await fixture.Probe.PublishAsync(new ArticleReceived(article, "عنوان " + body, body, url, "ar", "feed-test", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
        return (await fixture.Probe.WaitForAsync<AlertRaised>(m => m.SubscriptionId == subscription && m.ArticleId == article, $"the alert of {article}")).AlertId;
    }

    private static async Task AssertNotFoundAsync(HttpResponseMessage response, string what)
    {
        Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{what}: {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_feed_shows_the_newest_alerts_first_with_their_articles_links_and_language()
    {
        var tenant = "t-feed-" + Guid.NewGuid().ToString("N")[..6];
        var (id, url) = await SubscribeAsync(tenant, "بلغراد", "بلغراد & <أخبار>");
        Assert.StartsWith(FeedFixture.PublicBaseUrl + "/feeds/", url, StringComparison.Ordinal);
        Assert.EndsWith(".atom", url, StringComparison.Ordinal);
        Assert.Equal(FeedTokens.TokenLength, TokenOf(url).Length);

        var empty = await ReadAsync(url);
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Empty(Parse(await empty.Content.ReadAsByteArrayAsync(Cancel)).Items);

        var alerts = new List<Guid>();
        for (var i = 0; i < 3; i++) alerts.Add(await AlertAsync(id, $"وصل الوفد إلى بلغراد {i} {Guid.NewGuid():N}", $"https://news.example.org/a/{i}?x=1&y=2"));

        var response = await ReadAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Contains("private", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.NotNull(response.Headers.ETag);
        Assert.NotNull(response.Content.Headers.LastModified);
        var body = await response.Content.ReadAsByteArrayAsync(Cancel);
        var text = Encoding.UTF8.GetString(body);
        Assert.DoesNotContain(TokenOf(url), text, StringComparison.Ordinal);
        var feed = Parse(body);
        Assert.Equal($"urn:uuid:{id}", feed.Id);
        Assert.Equal("NewsMonitor: بلغراد & <أخبار>", feed.Title.Text);
        // Newest first: the alert raised last is the first entry.
        Assert.Equal(alerts.AsEnumerable().Reverse().Select(alert => $"urn:uuid:{alert}"), feed.Items.Select(item => item.Id));
        var positions = (await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/alerts?subscriptionId={id}", Cancel)).GetProperty("items")
            .EnumerateArray().OrderByDescending(item => item.GetProperty("position").GetInt64()).Select(item => $"urn:uuid:{item.GetProperty("id").GetGuid()}");
        Assert.Equal(positions, feed.Items.Select(item => item.Id));
        var newest = feed.Items.First();
        Assert.StartsWith("عنوان وصل الوفد إلى بلغراد 2", newest.Title.Text, StringComparison.Ordinal);
        Assert.Equal(new Uri("https://news.example.org/a/2?x=1&y=2"), Assert.Single(newest.Links).Uri);
        Assert.Equal("Matched: بلغراد", ((TextSyndicationContent)newest.Summary).Text);
        Assert.Contains("xml:lang=\"ar\"", text, StringComparison.Ordinal);
        Assert.True(feed.LastUpdatedTime >= newest.LastUpdatedTime);
    }

    [Fact]
    public async Task Conditional_gets_answer_304_until_a_new_alert_arrives()
    {
        var tenant = "t-etag-" + Guid.NewGuid().ToString("N")[..6];
        var (id, url) = await SubscribeAsync(tenant, "سراييفو");
        await AlertAsync(id, $"اجتماع في سراييفو {Guid.NewGuid():N}", "https://news.example.org/s/1");
        var first = await ReadAsync(url);
        var etag = first.Headers.ETag!;
        var lastModified = first.Content.Headers.LastModified!.Value;

        var byTag = await ReadAsync(url, request => request.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.NotModified, byTag.StatusCode);
        Assert.Empty(await byTag.Content.ReadAsByteArrayAsync(Cancel));
        Assert.Equal(etag, byTag.Headers.ETag);
        var byDate = await ReadAsync(url, request => request.Headers.IfModifiedSince = lastModified);
        Assert.Equal(HttpStatusCode.NotModified, byDate.StatusCode);
        // A tag that does not match wins over a date that does.
        var otherTag = await ReadAsync(url, request =>
        {
            request.Headers.IfNoneMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"other\""));
            request.Headers.IfModifiedSince = lastModified;
        });
        Assert.Equal(HttpStatusCode.OK, otherTag.StatusCode);

        await AlertAsync(id, $"اجتماع آخر في سراييفو {Guid.NewGuid():N}", "https://news.example.org/s/2");
        var changed = await ReadAsync(url, request => request.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag);
        Assert.Equal(2, Parse(await changed.Content.ReadAsByteArrayAsync(Cancel)).Items.Count());
    }

    [Fact]
    public async Task Rotating_retires_the_old_token_at_once_and_revoking_closes_the_feed_until_rotated()
    {
        var tenant = "t-rotate-" + Guid.NewGuid().ToString("N")[..6];
        var (id, old) = await SubscribeAsync(tenant, "زغرب");
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(old)).StatusCode);

        var rotated = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, $"/api/v1/subscriptions/{id}/feed/rotate", tenant), Cancel);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var fresh = (await rotated.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("url").GetString()!;
        Assert.NotEqual(old, fresh);
        Assert.Equal(fresh, await FeedUrlAsync(tenant, id));
        await AssertNotFoundAsync(await ReadAsync(old), "the rotated-out token");
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(fresh)).StatusCode);

        // Another tenant can neither rotate nor revoke it, and learns nothing: the same 404 as for no subscription.
        await AssertNotFoundAsync(await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, $"/api/v1/subscriptions/{id}/feed/rotate", "t-other"), Cancel), "another tenant's rotate");
        await AssertNotFoundAsync(await fixture.Client.SendAsync(AsTenant(HttpMethod.Delete, $"/api/v1/subscriptions/{id}/feed", "t-other"), Cancel), "another tenant's revoke");
        await AssertNotFoundAsync(await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, $"/api/v1/subscriptions/{Guid.NewGuid()}/feed/rotate", tenant), Cancel), "no subscription");
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(fresh)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client.SendAsync(AsTenant(HttpMethod.Delete, $"/api/v1/subscriptions/{id}/feed", tenant), Cancel)).StatusCode);
        await AssertNotFoundAsync(await ReadAsync(fresh), "the revoked token");
        Assert.Null(await FeedUrlAsync(tenant, id));
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client.SendAsync(AsTenant(HttpMethod.Delete, $"/api/v1/subscriptions/{id}/feed", tenant), Cancel)).StatusCode);

        var reissued = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, $"/api/v1/subscriptions/{id}/feed/rotate", tenant), Cancel);
        var third = (await reissued.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("url").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(third)).StatusCode);
        await AssertNotFoundAsync(await ReadAsync(fresh), "the revoked token after a new one");
    }

    [Fact]
    public async Task Concurrent_rotations_leave_exactly_one_working_token_the_one_stored_last()
    {
        var tenant = "t-race-" + Guid.NewGuid().ToString("N")[..6];
        var (id, first) = await SubscribeAsync(tenant, "تيرانا");
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            fixture.Client.SendAsync(AsTenant(HttpMethod.Post, $"/api/v1/subscriptions/{id}/feed/rotate", tenant), Cancel)));
        Assert.All(answers, answer => Assert.True(answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{answer.StatusCode}"));
        var won = new List<string>();
        foreach (var answer in answers.Where(answer => answer.StatusCode == HttpStatusCode.OK))
            won.Add((await answer.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("url").GetString()!);
        Assert.NotEmpty(won);
        var lastHash = await TestInfrastructure.ScalarAsync<string>(
            $"select data->>'tokenHash' from \"{fixture.Schema}\".mt_events where stream_id = '{id}' and type = 'subscription_feed_issued' order by seq_id desc limit 1");
        // Every success was stored (one issue event per 200, plus the one at creation), and only the last stored one works.
        Assert.Equal(won.Count + 1L, await TestInfrastructure.ScalarAsync<long>(
            $"select count(*) from \"{fixture.Schema}\".mt_events where stream_id = '{id}' and type = 'subscription_feed_issued'"));
        var current = Assert.Single(won, url => FeedTokens.Hash(TokenOf(url)) == lastHash);
        Assert.Equal(current, await FeedUrlAsync(tenant, id));
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(current)).StatusCode);
        foreach (var url in won.Where(url => url != current).Append(first)) await AssertNotFoundAsync(await ReadAsync(url), "a token that lost");
    }

    [Fact]
    public async Task A_deleted_subscriptions_feed_answers_404()
    {
        var tenant = "t-deleted-" + Guid.NewGuid().ToString("N")[..6];
        var (id, url) = await SubscribeAsync(tenant, "سكوبيه");
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client.SendAsync(AsTenant(HttpMethod.Delete, $"/api/v1/subscriptions/{id}", tenant), Cancel)).StatusCode);
        await AssertNotFoundAsync(await ReadAsync(url), "a deleted subscription's feed");
        await AssertNotFoundAsync(await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, $"/api/v1/subscriptions/{id}/feed/rotate", tenant), Cancel), "rotating a deleted subscription's feed");
    }

    [Fact]
    public async Task Without_the_gateways_credential_the_feed_answers_401()
    {
        var (_, url) = await SubscribeAsync("t-bare-" + Guid.NewGuid().ToString("N")[..6], "بودغوريتسا");
        using var bare = fixture.Service.CreateBareClient();
        var response = await bare.GetAsync(PathOf(url), Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var guessed = fixture.Service.CreateBareClient();
        guessed.DefaultRequestHeaders.Add(GatewayCredential.Header, "a-guess");
        Assert.Equal(HttpStatusCode.Unauthorized, (await guessed.GetAsync(PathOf(url), Cancel)).StatusCode);
    }

    [Fact]
    public async Task Hostile_feed_paths_answer_404_problems_and_store_nothing()
    {
        var (_, url) = await SubscribeAsync("t-hostile-" + Guid.NewGuid().ToString("N")[..6], "ليوبليانا");
        var token = TokenOf(url);
        string[] paths =
        [
            "/feeds/x.atom", "/FEEDS/x.ATOM", $"/feeds/{token.ToUpperInvariant()}.atom", $"/feeds/{token}x.atom", $"/feeds/{token[..^1]}.atom",
            $"/feeds/{token}", $"/feeds/{token}.rss", $"/feeds/{token}.atom.atom", $"/feeds/%2e%2e/{token}.atom", $"/feeds/..%2f{token}.atom",
            $"/feeds/{token[..^1]}%2e.atom", $"/feeds/{token[..^1]}\u0430.atom", $"/feeds/{new string('A', 5000)}.atom", "/feeds/.atom",
            $"/feeds/{token[..^3]}%20%20%20.atom", $"/feeds/{token}.atom/x", $"/feeds/{token[..^2]}'\".atom",
        ];
        var before = await fixture.StoredEventsAsync();
        foreach (var path in paths)
        {
            var response = await ReadAsync("http://localhost" + path);
            // 404 from the feed; 401 where no route matches at all (the service's fallback: no caller), as at the gateway.
            Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest or HttpStatusCode.RequestUriTooLong, $"{path}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain(token, await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        }
        Assert.Equal(before, await fixture.StoredEventsAsync());
        // The router matches literals in any case, so this spelling is the same feed; the token itself is case-sensitive.
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync($"http://localhost/FEEDS/{token}.ATOM")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(url)).StatusCode);
    }

    [Fact]
    public async Task The_token_is_in_no_log_no_trace_and_no_table_but_sealed()
    {
        var tags = new List<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (tags) tags.AddRange(activity.TagObjects.Select(tag => $"{activity.DisplayName} {tag.Key}={tag.Value}"));
            },
        };
        ActivitySource.AddActivityListener(listener);
        var tenant = "t-secret-" + Guid.NewGuid().ToString("N")[..6];
        var (id, url) = await SubscribeAsync(tenant, "بريشتينا");
        await AlertAsync(id, $"زيارة إلى بريشتينا {Guid.NewGuid():N}", "https://news.example.org/p/1");
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(url)).StatusCode);
        var rotated = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, $"/api/v1/subscriptions/{id}/feed/rotate", tenant), Cancel);
        var fresh = (await rotated.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("url").GetString()!;
        await AssertNotFoundAsync(await ReadAsync(url), "the old token");
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(fresh)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client.SendAsync(AsTenant(HttpMethod.Delete, $"/api/v1/subscriptions/{id}/feed", tenant), Cancel)).StatusCode);
        await AssertNotFoundAsync(await ReadAsync(fresh), "the revoked token");

        var logs = fixture.Logs.Lines.ToArray();
        // The logs saw these requests (the endpoint, by its pattern), never a token.
        Assert.Contains(logs, line => line.Contains("/feeds/{token}.atom", StringComparison.Ordinal));
        foreach (var token in new[] { TokenOf(url), TokenOf(fresh) })
        {
            Assert.All(logs, line => Assert.DoesNotContain(token, line, StringComparison.Ordinal));
            lock (tags)
            {
                Assert.Contains(tags, tag => tag.Contains(SecretPaths.Redacted, StringComparison.Ordinal));
                Assert.All(tags, tag => Assert.DoesNotContain(token, tag, StringComparison.Ordinal));
            }
            var tables = await TestInfrastructure.ScalarAsync<string>(
                $"select coalesce(string_agg(t::text, E'\\n'), '') from \"{fixture.Schema}\".mt_events t where stream_id = '{id}'")
                + await TestInfrastructure.ScalarAsync<string>($"select coalesce(string_agg(t::text, E'\\n'), '') from \"{fixture.Schema}\".mt_doc_subscription t");
            Assert.Contains(FeedTokens.Hash(token), tables, StringComparison.Ordinal);
            Assert.DoesNotContain(token, tables, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_subscription_made_before_feeds_gets_a_token_at_start_unless_its_feed_was_revoked()
    {
        var legacy = Guid.CreateVersion7();
        var revoked = Guid.CreateVersion7();
        var store = fixture.Service.Services.GetRequiredService<IDocumentStore>();
        await using (var session = store.LightweightSession())
        {
            // As stored before issue 15: a creation without a feed; and one whose owner later revoked the feed.
            session.Events.StartStream<Subscription>(legacy, new SubscriptionCreated(legacy, "t-legacy-feed", "legacy", "الجبل الأسود", "immediate", DateTimeOffset.UtcNow));
            session.Events.StartStream<Subscription>(revoked, new SubscriptionCreated(revoked, "t-legacy-feed", "revoked", "الجبل الأسود", "immediate", DateTimeOffset.UtcNow),
                new SubscriptionFeedRevoked(revoked, DateTimeOffset.UtcNow));
            await session.SaveChangesInCommitOrderAsync(Cancel);
        }
        Assert.Null(await FeedUrlAsync("t-legacy-feed", legacy));

        var start = ActivatorUtilities.CreateInstance<LegacyFeedTokens>(fixture.Service.Services);
        await Task.WhenAll(start.StartAsync(Cancel), ActivatorUtilities.CreateInstance<LegacyFeedTokens>(fixture.Service.Services).StartAsync(Cancel));

        var url = await FeedUrlAsync("t-legacy-feed", legacy);
        Assert.NotNull(url);
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(url)).StatusCode);
        Assert.Null(await FeedUrlAsync("t-legacy-feed", revoked));
        // Two starts at once issued one token: the later one finds it, or its save fails on the version the first moved.
        Assert.Equal(1L, await TestInfrastructure.ScalarAsync<long>(
            $"select count(*) from \"{fixture.Schema}\".mt_events where stream_id = '{legacy}' and type = 'subscription_feed_issued'"));
    }
}
