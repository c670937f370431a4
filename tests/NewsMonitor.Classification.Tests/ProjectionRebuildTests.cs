using NewsMonitor.ServiceDefaults;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NewsMonitor.Classification.Timelines;
using NewsMonitor.Classification.Topics;
using NewsMonitor.Contracts;
using NewsMonitor.Testing;

namespace NewsMonitor.Classification.Tests;

public sealed class ProjectionRebuildFixture() : ServiceFixture<Program>("rebuild")
{
    protected override Type[] ProbedMessages => [];
}

/// <summary>
/// <c>POST /internal/projections/{name}/rebuild</c> (ServiceDefaults, in every service) on the classification service's
/// async timeline projection, while the service runs: the rebuilt documents equal the live ones, and the projection
/// runs on afterwards. Relays, inline projections and unknown names are refused.
/// </summary>
public sealed class ProjectionRebuildTests(ProjectionRebuildFixture fixture) : IClassFixture<ProjectionRebuildFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private IDocumentStore Store => fixture.Service.Services.GetRequiredService<IDocumentStore>();

    private async Task AssignAsync(Guid id, string label, DateTimeOffset at)
    {
        await using var session = Store.LightweightSession();
        session.Events.StartStream<ArticleTopics>(id, new ArticleTopicsAssigned(id, [new TopicScore(label, 0.7)], "lexicon-1", at, null, at));
        await session.SaveChangesInCommitOrderAsync(Cancel);
    }

    /// <summary>Every timeline document, as stored JSON, by id: what a reader sees.</summary>
    private async Task<List<string>> DocumentsAsync()
    {
        await using var session = Store.QuerySession();
        var buckets = await session.Query<TopicBucket>().ToListAsync(Cancel);
        return buckets.OrderBy(bucket => bucket.Id, StringComparer.Ordinal).Select(bucket => JsonSerializer.Serialize(bucket)).ToList();
    }

    private async Task<string> TimelineShardAsync()
    {
        var status = await fixture.Client.GetFromJsonAsync<JsonElement>("/internal/projections", Cancel);
        return status.GetProperty("projections").EnumerateArray().Select(item => item.GetProperty("name").GetString()!)
            .Single(name => name.StartsWith("TopicBucket", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rebuilt_timeline_equals_the_live_one_and_runs_on_afterwards()
    {
        // Articles in several hours and labels, some sharing buckets, so a rebuild has sums to get right.
        var start = DateTimeOffset.UtcNow.AddDays(-3);
        string[] labels = ["politics", "economy", "defense"];
        for (var i = 0; i < 24; i++) await AssignAsync(Guid.NewGuid(), labels[i % labels.Length], start.AddMinutes(37 * i));
        var shard = await TimelineShardAsync();
        var projection = shard.Split(':')[0];
        await EventStoreProbe.CaughtUpAsync(fixture.Schema, projection);
        var live = await DocumentsAsync();
        Assert.True(live.Count > labels.Length * 2, $"{live.Count} buckets");

        // Named as ops status shows it (with the shard suffix); the answer comes once the rebuild has caught up.
        var response = await fixture.Client.PostAsync($"/internal/projections/{shard}/rebuild", null, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal(projection, answer.GetProperty("projection").GetString());
        Assert.True(answer.GetProperty("position").GetInt64() >= await EventStoreProbe.HighestSequenceAsync(fixture.Schema));
        Assert.True(answer.GetProperty("elapsedMs").GetInt64() >= 0);
        Assert.Equal(live, await DocumentsAsync());

        // The daemon runs the projection on: a new event after the rebuild is projected.
        var later = Guid.NewGuid();
        var at = start.AddDays(1);
        await AssignAsync(later, "sports", at);
        await Eventually.TrueAsync(async () =>
        {
            await using var session = Store.QuerySession();
            return await session.LoadAsync<TopicBucket>(TopicBucket.IdOf("sports", "hour", at), Cancel) is { Articles: 1 };
        }, "the timeline projecting an event appended after the rebuild");

        // Unprefixed name works too, and a second rebuild gives the same documents again.
        await EventStoreProbe.CaughtUpAsync(fixture.Schema, projection);
        var before = await DocumentsAsync();
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client.PostAsync($"/internal/projections/{projection}/rebuild", null, Cancel)).StatusCode);
        Assert.Equal(before, await DocumentsAsync());
    }

    [Theory]
    [InlineData("classification-relay", HttpStatusCode.Conflict, "subscription")]
    [InlineData("classification-relay:All", HttpStatusCode.Conflict, "subscription")]
    [InlineData("ArticleTopics", HttpStatusCode.Conflict, "inline")]
    [InlineData("OperatorTopicSet", HttpStatusCode.Conflict, "inline")]
    [InlineData("NoSuchProjection", HttpStatusCode.NotFound, "no projection")]
    [InlineData("topicbucket", HttpStatusCode.NotFound, "no projection")]
    [InlineData("HighWaterMark", HttpStatusCode.NotFound, "no projection")]
    [InlineData("TopicBucket%2F..", HttpStatusCode.NotFound, "no projection")]
    public async Task Relays_inline_projections_and_unknown_names_are_refused_with_a_reason(string name, HttpStatusCode expected, string reason)
    {
        // The relay's progress row exists once the daemon has run it.
        await AssignAsync(Guid.NewGuid(), "politics", DateTimeOffset.UtcNow);
        await EventStoreProbe.CaughtUpAsync(fixture.Schema, "classification-relay");
        var response = await fixture.Client.PostAsync($"/internal/projections/{name}/rebuild", null, Cancel);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_operators_through_the_gateway_may_rebuild()
    {
        using var subscriber = new HttpRequestMessage(HttpMethod.Post, "/internal/projections/TopicBucket/rebuild");
        subscriber.Headers.Add("X-NewsMonitor-Role", "subscriber");
        subscriber.Headers.Add("X-NewsMonitor-Tenant", "acme");
        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Client.SendAsync(subscriber, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Service.CreateBareClient().PostAsync("/internal/projections/TopicBucket/rebuild", null, Cancel)).StatusCode);
    }
}
