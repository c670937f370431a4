using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.Testing;

namespace NewsMonitor.EndToEnd.Tests;

/// <summary>
/// Issue 16's operator tools through the gateway of the running system: a message parked in a real service's error
/// queue is replayed and processed once, and a projection is rebuilt from its events while the services run.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class OperationsTests(RunningSystem system)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private const string ClassifyQueue = "classification-classify-article";

    private async Task<long?> ParkedAsync(string queue)
    {
        var status = await system.Gateway.GetFromJsonAsync<JsonElement>("/api/v1/ops/status", Cancel);
        var entry = status.GetProperty("errorQueues").EnumerateArray().FirstOrDefault(item => item.GetProperty("queue").GetString() == queue);
        return entry.ValueKind == JsonValueKind.Undefined ? null : entry.GetProperty("messages").GetInt64();
    }

    [Fact]
    public async Task A_parked_article_is_replayed_and_classified_once_and_the_timeline_rebuilds_to_the_same()
    {
        var status = await system.Gateway.GetFromJsonAsync<JsonElement>("/api/v1/ops/status", Cancel);
        Assert.Contains(status.GetProperty("queues").EnumerateArray(), queue => queue.GetProperty("name").GetString() == ClassifyQueue);

        // An ArticleReceived that failed classification, parked as MassTransit parks it: in the error queue, with fault headers.
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host("127.0.0.1", TestInfrastructure.RabbitPort, system.VirtualHost, host =>
        {
            host.Username(TestInfrastructure.RabbitUserOf(system.VirtualHost));
            host.Password(TestInfrastructure.RabbitPassword);
        }));
        await bus.StartAsync(Cancel);
        var id = Guid.NewGuid();
        var sample = SampleArticles.Get("nato-washington-summit-2024");
        try
        {
            var parking = await bus.GetSendEndpoint(new Uri($"queue:{ClassifyQueue}_error"));
            await parking.Send(new ArticleReceived(id, sample.Title, sample.Body, null, "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow), context =>
            {
                context.Headers.Set("MT-Reason", "fault");
                context.Headers.Set("MT-Fault-ExceptionType", "System.TimeoutException");
                context.Headers.Set("MT-Fault-Message", "the database did not answer");
                context.Headers.Set("MT-Host-MachineName", "classification-1");
            }, Cancel);
        }
        finally
        {
            await bus.StopAsync(Cancel);
        }
        await Eventually.TrueAsync(async () => await ParkedAsync(ClassifyQueue) >= 1, "the parked message counted on the operations status", TimeSpan.FromSeconds(60));

        var replay = await system.Gateway.PostAsync($"/api/v1/ops/errors/{ClassifyQueue}_error/replay", null, Cancel);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        var replayed = await replay.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal(ClassifyQueue, replayed.GetProperty("queue").GetString());
        Assert.True(replayed.GetProperty("replayed").GetInt64() >= 1);

        var topics = await Eventually.GetAsync(async () =>
        {
            var response = await system.Gateway.GetAsync($"/api/v1/articles/{id}/topics", Cancel);
            return response.IsSuccessStatusCode ? (object)await response.Content.ReadFromJsonAsync<JsonElement>(Cancel) : null;
        }, "the replayed article's topics");
        var label = ((JsonElement)topics).GetProperty("topics").EnumerateArray().First().GetProperty("label").GetString()!;
        // Processed once: the text noted and the topics assigned, one event each.
        Assert.Equal(1, await EventStoreProbe.CountAsync(system.SchemaOf("Classification"), id, "article_text_noted"));
        Assert.Equal(1, await EventStoreProbe.CountAsync(system.SchemaOf("Classification"), id, "article_topics_assigned"));
        await Eventually.TrueAsync(async () => await ParkedAsync(ClassifyQueue) == 0, "the error queue empty on the operations status", TimeSpan.FromSeconds(60));

        // The timeline projection (classification's async TopicBucket), rebuilt through the gateway, reads the same.
        var timeline = $"/api/v1/topics/{label}/timeline?bucket=hour&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}";
        await Eventually.TrueAsync(async () => (await system.Gateway.GetFromJsonAsync<JsonElement>(timeline, Cancel)).GetProperty("items").EnumerateArray().Any(item => item.GetProperty("articles").GetInt32() >= 1),
            "the article in its label's timeline");
        await EventStoreProbe.CaughtUpAsync(system.SchemaOf("Classification"), "TopicBucket");
        var before = (await system.Gateway.GetFromJsonAsync<JsonElement>(timeline, Cancel)).GetRawText();
        var rebuild = await system.Gateway.PostAsync("/api/v1/ops/projections/TopicBucket:All/rebuild", null, Cancel);
        Assert.Equal(HttpStatusCode.OK, rebuild.StatusCode);
        var rebuilt = await rebuild.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal("classification", rebuilt.GetProperty("service").GetString());
        Assert.Equal("TopicBucket", rebuilt.GetProperty("projection").GetString());
        Assert.True(rebuilt.GetProperty("position").GetInt64() >= 1);
        Assert.Equal(before, (await system.Gateway.GetFromJsonAsync<JsonElement>(timeline, Cancel)).GetRawText());
    }

    [Fact]
    public async Task Rebuilds_of_relays_unknown_names_and_replays_of_hostile_names_are_refused_and_only_operators_may_ask()
    {
        foreach (var (path, expected) in new[]
                 {
                     ("/api/v1/ops/projections/classification-relay/rebuild?service=classification", HttpStatusCode.Conflict),
                     ("/api/v1/ops/projections/ArticleTopics/rebuild?service=classification", HttpStatusCode.Conflict),
                     ("/api/v1/ops/projections/ArticleTopics/rebuild", HttpStatusCode.NotFound),
                     ("/api/v1/ops/projections/NoSuchThing/rebuild", HttpStatusCode.NotFound),
                     ("/api/v1/ops/projections/TopicBucket/rebuild?service=nowhere", HttpStatusCode.BadRequest),
                     ("/api/v1/ops/projections/..%2Finternal/rebuild", HttpStatusCode.BadRequest),
                     ($"/api/v1/ops/errors/{ClassifyQueue.ToUpperInvariant()}/replay", HttpStatusCode.BadRequest),
                     ("/api/v1/ops/errors/amq.direct/replay", HttpStatusCode.BadRequest),
                     ("/api/v1/ops/errors/nothing-here/replay", HttpStatusCode.NotFound),
                 })
        {
            var response = await system.Gateway.PostAsync(path, null, Cancel);
            Assert.True(expected == response.StatusCode, $"{path}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        var integrator = await system.IssueKeyAsync("integrator", "default", "ops e2e integrator");
        using var client = new HttpClient { BaseAddress = system.GatewayAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", integrator);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/v1/ops/projections/TopicBucket/rebuild", null, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync($"/api/v1/ops/errors/{ClassifyQueue}/replay", null, Cancel)).StatusCode);
    }
}
