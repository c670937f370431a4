using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NewsMonitor.Sources.Sources;

namespace NewsMonitor.Sources.Tests;

/// <summary>
/// The one write path under contention on a source: pause, resume, PUT and DELETE from 20 tasks at once through the real
/// endpoints. Every answer is 200/204/404/409 (never 500); every stored event is SourceRules' decision on the state the
/// earlier ones left; the inline read model equals a fold of the stream.
/// </summary>
public sealed class SourceConcurrencyTests(SourcesApiFixture fixture) : IClassFixture<SourcesApiFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Twenty_conflicting_commands_store_only_decisions_made_on_the_state_that_won()
    {
        var url = $"https://race-{Guid.NewGuid():N}.example/feed.xml";
        var created = await fixture.Client.PostAsJsonAsync("/api/v1/sources", new { url }, Token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("id").GetGuid();

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, 20).Select(async task =>
        {
            await start.Task;
            using var request = task switch
            {
                13 => new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/sources/{id}"),
                _ when task % 3 == 0 => new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sources/{id}/pause"),
                _ when task % 3 == 1 => new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sources/{id}/resume"),
                _ => new HttpRequestMessage(HttpMethod.Put, $"/api/v1/sources/{id}") { Content = JsonContent.Create(new { url, name = $"name-{task:00}" }) },
            };
            using var response = await fixture.Client.SendAsync(request, Token);
            return response.StatusCode;
        }).ToList();
        start.SetResult();
        var statuses = await Task.WhenAll(tasks);
        Assert.All(statuses, status => Assert.Contains(status, new[] { HttpStatusCode.OK, HttpStatusCode.NoContent, HttpStatusCode.NotFound, HttpStatusCode.Conflict }));

        var store = fixture.Service.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        var stream = (await session.Events.FetchStreamAsync(id, token: Token)).Select(stored => stored.Data).ToList();
        var readModel = (await session.LoadAsync<Source>(id, Token))!;

        // Replay: each stored event is what the decision gives on the state the earlier events left.
        var state = new Source();
        state.Apply(Assert.IsType<SourceAdded>(stream[0]));
        foreach (var stored in stream.Skip(1))
        {
            var decision = stored switch
            {
                SourcePaused paused => SourceRules.DecidePaused(state, true, paused.At),
                SourceResumed resumed => SourceRules.DecidePaused(state, false, resumed.At),
                SourceChanged changed => SourceRules.DecideChange(state, new SourceRules.ValidSource(changed.Url, changed.Name, changed.Kind, changed.IntervalSeconds,
                    changed.Language, changed.FetchPages), changed.At),
                SourceRemoved removed => SourceRules.DecideRemove(state, removed.At),
                _ => throw new Xunit.Sdk.XunitException($"Unexpected event {stored.GetType().Name}."),
            };
            Assert.Equal(SourceRefusal.None, decision.Refusal);
            Assert.Equal(stored, Assert.Single(decision.Events));
            SourceRules.Evolve(state, [stored]);
        }
        Assert.Equal(statuses.Count(status => status == HttpStatusCode.NoContent), stream.Count(stored => stored is SourceRemoved));
        Assert.True(stream.Count(stored => stored is SourceRemoved) <= 1);
        if (statuses.Contains(HttpStatusCode.NotFound)) Assert.True(state.Removed);

        // The inline read model is that fold.
        Assert.Equal((state.Paused, state.Status, state.Removed, state.Name, state.Url, (long)stream.Count),
            (readModel.Paused, readModel.Status, readModel.Removed, readModel.Name, readModel.Url, readModel.Version));
    }
}
