using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;

namespace NewsMonitor.Alerting.Tests;

public sealed class AlertingFixture() : ServiceFixture<Program>("alerting")
{
    protected override Type[] ProbedMessages => [typeof(AlertRaised), typeof(ArticleAlertsEvaluated)];

    // Test receivers listen on loopback, which only this operator setting allows; retries are quick here.
    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Alerting:Webhooks:AllowPrivateTargets"] = "true",
        ["Alerting:Webhooks:Attempts"] = "4",
        ["Alerting:Webhooks:FirstRetryMilliseconds"] = "50",
    };

    /// <summary>Waits until every event stored so far has been published by the relay and recorded by the probe.</summary>
    public Task SettledAsync() => Probe.SettleAsync(Schema, "alerting-relay");

    /// <summary>
    /// Alerts stored for <paramref name="subscription"/> and <paramref name="article"/>. An alert is committed with the
    /// fact that decided it (and, for the text, with the article's evaluation), so once that fact is known the count is final.
    /// </summary>
    public Task<long> AlertsStoredAsync(Guid subscription, Guid article) => TestInfrastructure.ScalarAsync<long>(
        $"select count(*) from \"{Schema}\".mt_events where type = 'alert_triggered' and data->>'subscriptionId' = '{subscription}' and data->>'articleId' = '{article}'");

    /// <summary>Alerts stored for <paramref name="article"/>, whichever subscription raised them.</summary>
    public Task<long> AlertsStoredAsync(Guid article) => TestInfrastructure.ScalarAsync<long>(
        $"select count(*) from \"{Schema}\".mt_events where type = 'alert_triggered' and data->>'articleId' = '{article}'");

    /// <summary>Waits until alerting has noted the article's text and evaluated every rule that needs only the text.</summary>
    public Task<ArticleAlertsEvaluated> EvaluatedAsync(Guid article) =>
        Probe.WaitForAsync<ArticleAlertsEvaluated>(m => m.ArticleId == article, $"ArticleAlertsEvaluated of {article}");

    /// <summary>Waits for the alert of <paramref name="subscription"/> for <paramref name="article"/>; another test's subscription may alert on the same article.</summary>
    public Task<AlertRaised> AlertAsync(Guid subscription, Guid article) =>
        Probe.WaitForAsync<AlertRaised>(m => m.SubscriptionId == subscription && m.ArticleId == article, $"AlertRaised of {subscription} for {article}");
}

/// <summary>Subscriptions over HTTP, ArticleReceived over RabbitMQ, alerts exactly once.</summary>
public sealed class AlertingServiceTests(AlertingFixture fixture) : IClassFixture<AlertingFixture>
{
    private static HttpRequestMessage AsTenant(HttpMethod method, string path, string tenant, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add(Caller.RoleHeader, "subscriber");
        request.Headers.Add(Caller.TenantHeader, tenant);
        return request;
    }

    private async Task<Guid> SubscribeAsync(string tenant, string rule)
    {
        var response = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, "/api/v1/subscriptions", tenant, new { name = "test", rule }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
    }

    private static ArticleReceived Received(Guid id, string body) => new(id, "عنوان " + id, body, null, "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_matching_article_raises_one_alert_however_often_it_is_delivered()
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N")[..8];
        var subscription = await SubscribeAsync(tenant, "الناتو");
        var article = Guid.NewGuid();
        var message = Received(article, "قال الأمين العام للناتو إن الحلف موحد");
        using var consumed = ConsumeProbe.Start(fixture.Service.Services);

        await Task.WhenAll(fixture.Probe.PublishAsync(message), fixture.Probe.PublishAsync(message), fixture.Probe.PublishAsync(message));

        var raised = await fixture.AlertAsync(subscription, article);
        Assert.Equal(["الناتو"], raised.Matched);
        await fixture.EvaluatedAsync(article);
        await fixture.Probe.PublishAsync(message);
        // All four copies consumed: whatever they stored is committed; then everything stored is relayed and recorded.
        await consumed.WaitForAsync<ArticleReceived>(m => m.ArticleId == article, "four copies of ArticleReceived consumed", count: 4);
        await fixture.SettledAsync();

        Assert.Equal(1, await fixture.AlertsStoredAsync(subscription, article));
        Assert.Single(fixture.Probe.Received<AlertRaised>(), m => m.SubscriptionId == subscription && m.ArticleId == article);
        var feed = await (await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, $"/api/v1/alerts?subscriptionId={subscription}", tenant), TestContext.Current.CancellationToken))
            .Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var item = Assert.Single(feed.GetProperty("items").EnumerateArray());
        Assert.Equal(article, item.GetProperty("articleId").GetGuid());
        Assert.Equal(item.GetProperty("position").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), feed.GetProperty("next").GetString());
    }

    [Fact]
    public async Task An_article_that_does_not_match_raises_nothing_but_is_evaluated()
    {
        var subscription = await SubscribeAsync("t-nomatch", "\"الإنفاق الدفاعي\"");
        var article = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(article, "الإنفاق على التعليم ارتفع"));

        var evaluated = await fixture.EvaluatedAsync(article);
        // The evaluation is committed with the alerts of the text: the store's answer is final.
        Assert.Equal(0, await fixture.AlertsStoredAsync(subscription, article));
        // The count published covers every subscription of the class, so compare it with what is stored for the article.
        Assert.Equal(await fixture.AlertsStoredAsync(article), evaluated.AlertCount);
        await fixture.SettledAsync();
        Assert.DoesNotContain(fixture.Probe.Received<AlertRaised>(), m => m.SubscriptionId == subscription);
    }

    [Fact]
    public async Task The_feed_pages_with_its_cursor()
    {
        var tenant = "t-page-" + Guid.NewGuid().ToString("N")[..6];
        var subscription = await SubscribeAsync(tenant, "روسيا");
        var articles = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();
        foreach (var article in articles) await fixture.Probe.PublishAsync(Received(article, "وروسيا تهدد"));
        foreach (var article in articles) await fixture.AlertAsync(subscription, article);

        var seen = new List<Guid>();
        string? after = null;
        for (var page = 0; page < 5 && seen.Count < 3; page++)
        {
            var path = $"/api/v1/alerts?subscriptionId={subscription}&limit=2" + (after is null ? "" : "&after=" + after);
            var feed = await (await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, path, tenant), TestContext.Current.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            seen.AddRange(feed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("articleId").GetGuid()));
            after = feed.GetProperty("next").GetString();
        }
        Assert.Equal(articles.Order(), seen.Order());
    }

    [Fact]
    public async Task The_feed_never_pages_past_an_alert_still_being_committed()
    {
        var tenant = "t-gap-" + Guid.NewGuid().ToString("N")[..6];
        var subscription = await SubscribeAsync(tenant, "مولدوفا");
        // An open transaction holding the next event sequence number stands for a writer that has not committed yet.
        await using var writer = new Npgsql.NpgsqlConnection(TestInfrastructure.Postgres);
        await writer.OpenAsync(TestContext.Current.CancellationToken);
        await using var transaction = await writer.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using (var take = new Npgsql.NpgsqlCommand($"select nextval('\"{fixture.Schema}\".mt_events_sequence')", writer, transaction))
            await take.ExecuteScalarAsync(TestContext.Current.CancellationToken);

        var article = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(article, "قمة في مولدوفا"));
        await Eventually.TrueAsync(async () => await TestInfrastructure.ScalarAsync<long>(
            $"select count(*) from \"{fixture.Schema}\".mt_doc_alert where data->>'articleId' = '{article}' and data->>'subscriptionId' = '{subscription}'") == 1, "the alert stored");

        var feed = await (await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, "/api/v1/alerts", tenant), TestContext.Current.CancellationToken))
            .Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Empty(feed.GetProperty("items").EnumerateArray()); // behind the open writer: not yet

        await transaction.RollbackAsync(TestContext.Current.CancellationToken);
        var shown = await Eventually.GetAsync(async () =>
        {
            var page = await (await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, "/api/v1/alerts", tenant))).Content.ReadFromJsonAsync<JsonElement>();
            return page.GetProperty("items").GetArrayLength() == 1 ? page.GetRawText() : null;
        }, "the alert in the feed once the gap is settled");
        Assert.Contains(article.ToString(), shown);
    }

    [Fact]
    public async Task Another_tenant_sees_neither_the_subscription_nor_its_alerts()
    {
        var subscription = await SubscribeAsync("tenant-a", "بولندا");
        var other = await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, $"/api/v1/subscriptions/{subscription}", "tenant-b"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        var delete = await fixture.Client.SendAsync(AsTenant(HttpMethod.Delete, $"/api/v1/subscriptions/{subscription}", "tenant-b"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        var list = await (await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, "/api/v1/subscriptions", "tenant-b"), TestContext.Current.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), s => s.GetProperty("id").GetGuid() == subscription);
        var own = await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, $"/api/v1/subscriptions/{subscription}", "tenant-a"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task A_deleted_subscription_raises_no_more_alerts()
    {
        var subscription = await SubscribeAsync("t-del", "ليتوانيا");
        var deleted = await fixture.Client.SendAsync(AsTenant(HttpMethod.Delete, $"/api/v1/subscriptions/{subscription}", "t-del"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        var article = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(article, "قمة في ليتوانيا"));
        await fixture.EvaluatedAsync(article);
        Assert.Equal(0, await fixture.AlertsStoredAsync(subscription, article));
        await fixture.SettledAsync();
        Assert.DoesNotContain(fixture.Probe.Received<AlertRaised>(), m => m.SubscriptionId == subscription);
    }

    [Fact]
    public async Task A_changed_rule_applies_to_later_articles()
    {
        var subscription = await SubscribeAsync("t-put", "لاهاي");
        var put = await fixture.Client.SendAsync(AsTenant(HttpMethod.Put, $"/api/v1/subscriptions/{subscription}", "t-put", new { name = "renamed", rule = "فيلنيوس", mode = "daily" }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var article = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(article, "قمة فيلنيوس"));
        var raised = await fixture.AlertAsync(subscription, article);
        Assert.Equal(["فيلنيوس"], raised.Matched);
    }

    [Theory]
    [InlineData("{\"name\": \"x\", \"rule\": \"(الناتو OR\"}", "rule")]
    [InlineData("{\"name\": \"\", \"rule\": \"الناتو\"}", "name")]
    [InlineData("{\"name\": \"x\", \"rule\": \"الناتو\", \"mode\": \"weekly\"}", "mode")]
    [InlineData("{\"name\": \"x\", \"rule\": \"الناتو\", \"webhook\": {\"url\": \"https://example.com\"}}", "webhook")]
    [InlineData("{\"name\": \"x\", \"rule\": \"الناتو\", \"webhook\": {\"url\": \"not a url\", \"secret\": \"0123456789abcdef\"}}", "webhook")]
    public async Task Invalid_subscriptions_answer_400_naming_the_field(string json, string field)
    {
        var before = await fixture.StoredEventsAsync("subscription_created");
        var response = await fixture.Client.PostAsync("/api/v1/subscriptions", new StringContent(json, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(before, await fixture.StoredEventsAsync("subscription_created"));
    }

    [Fact]
    public async Task A_rule_with_an_entity_filter_waits_for_the_entities_and_alerts_once()
    {
        var subscription = await SubscribeAsync("t-entity", "قمة entity:\"Mark Rutte\" entity:روتي");
        var article = Guid.NewGuid();
        using var consumed = ConsumeProbe.Start(fixture.Service.Services);
        await fixture.Probe.PublishAsync(Received(article, "قمة في لاهاي"));
        await fixture.EvaluatedAsync(article);
        Assert.Equal(0, await fixture.AlertsStoredAsync(subscription, article)); // the text alone does not decide this rule

        // روتي is not written in the article: it is one of the entity's aliases, which the event carries.
        var entities = new EntitiesExtracted(article, [new ExtractedEntity("mark-rutte", "PERSON", "Mark Rutte", [new EntityMention("روته", 0, 4)], ["مارك روته", "روته", "روتي", "mark rutte"])], "test", DateTimeOffset.UtcNow);
        await Task.WhenAll(fixture.Probe.PublishAsync(entities), fixture.Probe.PublishAsync(entities));

        var raised = await fixture.AlertAsync(subscription, article);
        Assert.Equal(["قمة", "entity:Mark Rutte", "entity:روتي"], raised.Matched);
        await consumed.WaitForAsync<EntitiesExtracted>(m => m.ArticleId == article, "both copies of EntitiesExtracted consumed", count: 2);
        await fixture.SettledAsync();
        Assert.Equal(1, await fixture.AlertsStoredAsync(subscription, article));
        Assert.Single(fixture.Probe.Received<AlertRaised>(), m => m.SubscriptionId == subscription && m.ArticleId == article);
    }

    [Fact]
    public async Task A_rule_needing_entities_and_topics_is_decided_by_whichever_arrives_last()
    {
        var subscription = await SubscribeAsync("t-both", "topic:defense type:ORG");
        var article = Guid.NewGuid();
        await fixture.Probe.PublishAsync(new ArticleClassified(article, [new TopicScore("defense", 0.9)], "test", DateTimeOffset.UtcNow));
        await fixture.Probe.PublishAsync(new EntitiesExtracted(article, [new ExtractedEntity("nato", "ORG", "NATO", [new EntityMention("الناتو", 0, 6)])], "test", DateTimeOffset.UtcNow));
        // Both facts noted (each is committed with whatever alert it completes), yet the text has not arrived: no alert.
        await Eventually.TrueAsync(async () => await EventStoreProbe.CountAsync(fixture.Schema, article, "article_topics_noted") == 1
            && await EventStoreProbe.CountAsync(fixture.Schema, article, "article_entities_noted") == 1, "topics and entities noted");
        Assert.Equal(0, await fixture.AlertsStoredAsync(subscription, article));
        await fixture.SettledAsync();
        Assert.DoesNotContain(fixture.Probe.Received<AlertRaised>(), m => m.SubscriptionId == subscription);

        await fixture.Probe.PublishAsync(Received(article, "بيان"));
        var raised = await fixture.AlertAsync(subscription, article);
        Assert.Equal(["topic:defense", "type:ORG"], raised.Matched);
    }

    [Fact]
    public async Task A_topic_filter_that_does_not_hold_raises_nothing()
    {
        var subscription = await SubscribeAsync("t-topic", "topic:sports الناتو");
        var article = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(article, "الناتو يجتمع"));
        await fixture.Probe.PublishAsync(new ArticleClassified(article, [new TopicScore("defense", 0.9)], "test", DateTimeOffset.UtcNow));
        // Text and topics both noted: the rule has been decided, by whichever came last, in the same commit.
        await fixture.EvaluatedAsync(article);
        await Eventually.TrueAsync(async () => await EventStoreProbe.CountAsync(fixture.Schema, article, "article_topics_noted") == 1, "topics noted");
        Assert.Equal(0, await fixture.AlertsStoredAsync(subscription, article));
        await fixture.SettledAsync();
        Assert.DoesNotContain(fixture.Probe.Received<AlertRaised>(), m => m.SubscriptionId == subscription);
    }

    [Fact]
    public async Task Wildcards_proximity_and_source_filters_raise_alerts()
    {
        var subscription = await SubscribeAsync("t-rich", "أوكران* NEAR/4 الناتو source:test");
        var article = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(article, "قال الناتو إنه يدعم الأوكرانيين"));
        // Other tests' subscriptions (any rule with الناتو) alert on this article too: wait for this one's own.
        var raised = await fixture.AlertAsync(subscription, article);
        Assert.Equal(["أوكران* NEAR/4 الناتو", "source:test"], raised.Matched);
    }

    [Fact]
    public async Task Alerts_arrive_on_the_callers_event_stream_and_not_on_another_tenants()
    {
        var tenant = "t-sse-" + Guid.NewGuid().ToString("N")[..6];
        var subscription = await SubscribeAsync(tenant, "لاتفيا");
        var otherTenant = "t-sse-other-" + Guid.NewGuid().ToString("N")[..6];
        var otherSubscription = await SubscribeAsync(otherTenant, "سلوفينيا");
        using var own = await OpenStreamAsync(tenant);
        using var other = await OpenStreamAsync(otherTenant);

        var article = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(article, "قمة في لاتفيا"));

        var alert = await own.WaitForAsync(e => e.Event == "alert", TimeSpan.FromSeconds(15));
        Assert.Equal(article, alert.Json.GetProperty("articleId").GetGuid());
        Assert.Equal(subscription, alert.Json.GetProperty("subscriptionId").GetGuid());

        // The node hands each alert to every open stream at once, in order, and each stream filters what it sends. The
        // other tenant's next alert, raised after ours reached our stream, is therefore the first alert its stream may
        // show: had ours leaked, it would come first.
        var later = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(later, "قمة في سلوفينيا"));
        var theirs = await other.WaitForAsync(e => e.Event == "alert", TimeSpan.FromSeconds(15));
        Assert.Equal(later, theirs.Json.GetProperty("articleId").GetGuid());
        Assert.Equal(otherSubscription, theirs.Json.GetProperty("subscriptionId").GetGuid());
    }

    [Fact]
    public async Task A_paused_subscription_raises_nothing_until_resumed()
    {
        var subscription = await SubscribeAsync("t-pause", "إستونيا");
        var paused = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, $"/api/v1/subscriptions/{subscription}/pause", "t-pause"), TestContext.Current.CancellationToken);
        Assert.True((await paused.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("paused").GetBoolean());

        var first = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(first, "قمة في إستونيا"));
        await fixture.EvaluatedAsync(first);
        Assert.Equal(0, await fixture.AlertsStoredAsync(subscription, first));

        await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, $"/api/v1/subscriptions/{subscription}/resume", "t-pause"), TestContext.Current.CancellationToken);
        var second = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(second, "قمة في إستونيا"));
        await fixture.AlertAsync(subscription, second);
        await fixture.SettledAsync();
        Assert.Equal([second], fixture.Probe.Received<AlertRaised>().Where(m => m.SubscriptionId == subscription).Select(m => m.ArticleId));
    }

    private async Task<ServerSentEventReader> OpenStreamAsync(string tenant)
    {
        var response = await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, "/api/v1/alerts/stream", tenant), HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var reader = new ServerSentEventReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        await reader.WaitForAsync(e => e.Event == "ready", TimeSpan.FromSeconds(10));
        return reader;
    }

    [Fact]
    public async Task A_rule_error_carries_its_position()
    {
        var response = await fixture.Client.PostAsJsonAsync("/api/v1/subscriptions", new { name = "x", rule = "(الناتو OR" }, TestContext.Current.CancellationToken);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(10, problem.GetProperty("rulePosition").GetInt32());
    }
}
