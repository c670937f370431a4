using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NewsMonitor.Testing;

namespace NewsMonitor.EndToEnd.Tests;

/// <summary>The three sample articles through the gateway, every service a separate process on real servers.</summary>
[Collection(SystemCollection.Name)]
public sealed class PipelineTests(RunningSystem system)
{
    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;

    private async Task<JsonElement> GetJsonAsync(string path) => await system.Gateway.GetFromJsonAsync<JsonElement>(path, Cancel);

    private async Task<JsonElement[]> AlertsAsync(Guid subscription) =>
        (await GetJsonAsync($"/api/v1/alerts?subscriptionId={subscription}&limit=100")).GetProperty("items").EnumerateArray().ToArray();

    // Articles stored: other tests' articles keep gaining processing events in the background, so only submissions count.
    private Task<long> StoredArticleEventsAsync() =>
        TestInfrastructure.ScalarAsync<long>($"select count(*) from \"{system.SchemaOf("Ingestion")}\".mt_events where type = 'article_submitted'");

    [Fact]
    public async Task Sample_articles_get_topics_entities_and_exactly_one_alert_each()
    {
        var subscribed = await system.Gateway.PostAsJsonAsync("/api/v1/subscriptions", new { name = "NATO watch", rule = "الناتو", mode = "immediate" }, Cancel);
        Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        var subscription = (await subscribed.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();

        var ids = new List<Guid>();
        foreach (var sample in SampleArticles.All)
        {
            var watch = Stopwatch.StartNew();
            var response = await system.Gateway.PostAsJsonAsync("/api/v1/articles", new { sample.Title, sample.Body, sample.Language, sample.Source }, Cancel);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var outcome = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
            // Stored either way: another class of the collection may have posted this sample under another title first
            // (DashboardTests does), which makes this one a near copy of it. This subscription is new, so it alerts on both.
            Assert.Contains(outcome.GetProperty("status").GetString(), new[] { "accepted", "nearDuplicate" });
            var id = outcome.GetProperty("id").GetGuid();
            ids.Add(id);

            await Eventually.TrueAsync(async () => (await AlertsAsync(subscription)).Any(alert => alert.GetProperty("articleId").GetGuid() == id), $"the alert for {sample.Id}");
            TestContext.Current.TestOutputHelper?.WriteLine($"{sample.Id}: posted → alert visible through the gateway in {watch.ElapsedMilliseconds} ms");
        }

        foreach (var (id, sample) in ids.Zip(SampleArticles.All))
        {
            var processing = await Eventually.GetAsync(async () =>
            {
                var article = await GetJsonAsync($"/api/v1/articles/{id}");
                var p = article.GetProperty("processing");
                return p.GetProperty("classified").GetBoolean() && p.GetProperty("entitiesExtracted").GetBoolean() && p.GetProperty("alertsEvaluated").GetBoolean() ? "done" : null;
            }, $"processing of {sample.Id}");
            Assert.Equal("done", processing);

            var topics = (await GetJsonAsync($"/api/v1/articles/{id}/topics")).GetProperty("topics").EnumerateArray().ToArray();
            Assert.NotEmpty(topics);
            Assert.Contains(topics[0].GetProperty("label").GetString(), new[] { "politics", "international", "defense" });

            var entities = (await GetJsonAsync($"/api/v1/articles/{id}/entities")).GetProperty("entities").EnumerateArray().ToArray();
            var nato = Assert.Single(entities, entity => entity.GetProperty("name").GetString() == "NATO");
            foreach (var mention in nato.GetProperty("mentions").EnumerateArray())
            {
                Assert.Equal(mention.GetProperty("text").GetString(), sample.Body.Substring(mention.GetProperty("start").GetInt32(), mention.GetProperty("length").GetInt32()));
            }
        }

        var alerts = await AlertsAsync(subscription);
        Assert.Equal(ids.Order(), alerts.Select(alert => alert.GetProperty("articleId").GetGuid()).Order());
        Assert.All(alerts, alert => Assert.Equal(["الناتو"], alert.GetProperty("matched").EnumerateArray().Select(term => term.GetString())));

        // Re-posting an article is a duplicate and raises nothing new.
        var first = SampleArticles.All[0];
        var again = await system.Gateway.PostAsJsonAsync("/api/v1/articles", new { first.Title, first.Body, first.Language, first.Source }, Cancel);
        var duplicate = await again.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal("duplicate", duplicate.GetProperty("status").GetString());
        Assert.Equal(ids[0], duplicate.GetProperty("id").GetGuid());
        // Commit first, publish second: the duplicate stored nothing, and the relay has published everything stored, so
        // nothing new can reach the other services; all three articles were processed in full above.
        Assert.Equal(1, await EventStoreProbe.CountAsync(system.SchemaOf("Ingestion"), ids[0], "article_submitted"));
        await EventStoreProbe.CaughtUpAsync(system.SchemaOf("Ingestion"), "article-relay");
        Assert.Equal(3, (await AlertsAsync(subscription)).Length);
    }

    [Fact]
    public async Task Alerts_reach_the_event_stream_through_the_gateway_and_their_latency_is_measured()
    {
        var subscribed = await system.Gateway.PostAsJsonAsync("/api/v1/subscriptions", new { name = "Rutte", rule = "روته" }, Cancel);
        var subscription = (await subscribed.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();
        var response = await system.Gateway.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/alerts/stream?subscriptionId={subscription}"), HttpCompletionOption.ResponseHeadersRead, Cancel);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var stream = new ServerSentEventReader(await response.Content.ReadAsStreamAsync(Cancel));
        await stream.WaitForAsync(e => e.Event == "ready", TimeSpan.FromSeconds(10));

        var latencies = new List<double>();
        for (var i = 0; i < 12; i++)
        {
            var watch = Stopwatch.StartNew();
            // A body too short to be compared for near copies: twelve copies of one longer body would be near copies of
            // the first, and a subscription that alerted on an article raises no alert for its copies (issue 14).
            var posted = await system.Gateway.PostAsJsonAsync("/api/v1/articles", new { title = $"روته {i} {Guid.NewGuid()}", body = "قال مارك روته إن الحلف موحد." }, Cancel);
            var id = (await posted.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();
            var alert = await stream.WaitForAsync(e => e.Event == "alert" && e.Json.GetProperty("articleId").GetGuid() == id, TimeSpan.FromSeconds(15));
            latencies.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal(subscription, alert.Json.GetProperty("subscriptionId").GetGuid());
        }
        latencies.Sort();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"post → alert on the SSE stream through the gateway, 12 articles: min {latencies[0]:F0} ms, median {latencies[6]:F0} ms, max {latencies[^1]:F0} ms");
    }

    [Fact]
    public async Task Malformed_json_answers_400_problem_and_stores_nothing()
    {
        var before = await StoredArticleEventsAsync();
        var response = await system.Gateway.PostAsync("/api/v1/articles", new StringContent("{\"title\": \"قمة\", \"body\": ", Encoding.UTF8, "application/json"), Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("not valid JSON", (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("detail").GetString());
        Assert.Equal(before, await StoredArticleEventsAsync());
    }

    [Fact]
    public async Task The_gateway_refuses_requests_without_the_key_and_reports_health()
    {
        var response = await system.Anonymous.PostAsJsonAsync("/api/v1/articles", new { title = "t", body = "b" }, Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        var health = await system.Anonymous.GetFromJsonAsync<JsonElement>("/health", Cancel);
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.Equal(["alerting", "classification", "entities", "events", "ingestion", "sources"], health.GetProperty("services").EnumerateObject().Select(service => service.Name).Order());
    }
}
