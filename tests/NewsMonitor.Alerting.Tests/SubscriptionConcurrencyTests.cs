using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NewsMonitor.Alerting.Subscriptions;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;

namespace NewsMonitor.Alerting.Tests;

/// <summary>
/// The one write path under contention: conflicting commands fired at one subscription from 20 tasks at once through the
/// real endpoints (real PostgreSQL). Every answer is 200/204/404/409 (never 500), and the stream is what some serial
/// order of the successful commands gives: each stored event is the decider's answer to one successful command on the
/// state the earlier events left, the read model equals the fold of the stream, and no success is unaccounted for.
/// </summary>
public sealed class SubscriptionConcurrencyTests(AlertingFixture fixture) : IClassFixture<AlertingFixture>
{
    private enum Kind { Pause, Resume, Change, Delete }

    private sealed record Outcome(int Task, Kind Kind, HttpStatusCode Status, JsonElement? Body);

    private static HttpRequestMessage AsTenant(HttpMethod method, string path, string tenant, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add(Caller.RoleHeader, "subscriber");
        request.Headers.Add(Caller.TenantHeader, tenant);
        return request;
    }

    private static string NameOf(int task) => $"change-{task:00}";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Twenty_conflicting_commands_end_in_a_state_some_serial_order_gives(bool withDeletes)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var tenant = "t-race-" + Guid.NewGuid().ToString("N")[..8];
        var created = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, "/api/v1/subscriptions", tenant, new { name = "race", rule = "الناتو" }), cancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();

        // Pause, resume and change in turn; with deletes, two of the twenty delete (the rest then race a deleted stream).
        Kind KindOf(int task) => withDeletes && task is 9 or 15 ? Kind.Delete : (Kind)(task % 3);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, 20).Select(async task =>
        {
            await start.Task;
            var kind = KindOf(task);
            using var request = kind switch
            {
                Kind.Pause => AsTenant(HttpMethod.Post, $"/api/v1/subscriptions/{id}/pause", tenant),
                Kind.Resume => AsTenant(HttpMethod.Post, $"/api/v1/subscriptions/{id}/resume", tenant),
                Kind.Change => AsTenant(HttpMethod.Put, $"/api/v1/subscriptions/{id}", tenant, new { name = NameOf(task), rule = "روسيا", mode = "immediate" }),
                _ => AsTenant(HttpMethod.Delete, $"/api/v1/subscriptions/{id}", tenant),
            };
            using var response = await fixture.Client.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonElement? body = response.StatusCode == HttpStatusCode.OK ? JsonDocument.Parse(text).RootElement.Clone() : null;
            return new Outcome(task, kind, response.StatusCode, body);
        }).ToList();
        start.SetResult();
        var outcomes = await Task.WhenAll(tasks);

        Assert.All(outcomes, outcome => Assert.Contains(outcome.Status, new[] { HttpStatusCode.OK, HttpStatusCode.NoContent, HttpStatusCode.NotFound, HttpStatusCode.Conflict }));
        Assert.All(outcomes, outcome => Assert.True(outcome.Status != HttpStatusCode.NoContent || outcome.Kind == Kind.Delete, $"{outcome}"));

        var store = fixture.Service.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(id, token: cancellationToken);
        var stream = events.Select(stored => stored.Data).ToList();
        var readModel = await session.LoadAsync<Subscription>(id, cancellationToken);
        var history = $"read model: v{readModel?.Version} {readModel?.Name} paused={readModel?.Paused} deleted={readModel?.Deleted}\n" + string.Join("\n", events.Select(stored => $"{stored.Version} {stored.Sequence} {stored.Data}"))
                      + "\n" + string.Join("\n", outcomes.Select(outcome => $"{outcome.Task} {outcome.Kind} {(int)outcome.Status} {outcome.Body?.GetProperty("paused")}"));

        // The read model is the fold of the stream.
        Assert.True(SubscriptionDecider.Fold(null, stream)! with { Version = stream.Count } == readModel, history);

        // Replay: each event after the creation is the decider's answer to one successful command, on the state so far.
        Assert.IsType<SubscriptionCreated>(stream[0]);
        Assert.IsType<SubscriptionFeedIssued>(stream[1]);
        var state = SubscriptionDecider.Fold(null, stream.Take(2))!;
        var successes = outcomes.Where(outcome => outcome.Status is HttpStatusCode.OK or HttpStatusCode.NoContent).ToList();
        var changesStored = new List<string>();
        var pausedSeen = false;
        var runningSeen = true;
        foreach (var stored in stream.Skip(2))
        {
            SubscriptionCommand command = stored switch
            {
                SubscriptionPaused paused => new PauseSubscription(id, paused.At),
                SubscriptionResumed resumed => new ResumeSubscription(id, resumed.At),
                SubscriptionChanged changed => new ChangeSubscription(id, changed.Name, changed.Rule, changed.Mode, changed.Webhook, changed.Email, changed.At),
                SubscriptionDeleted deleted => new DeleteSubscription(id, deleted.At),
                _ => throw new Xunit.Sdk.XunitException($"Unexpected event {stored.GetType().Name} on the stream."),
            };
            var decision = SubscriptionDecider.Decide(state, command);
            Assert.False(decision.Refused, $"{command} was refused on the state before it, yet it is stored");
            Assert.Equal(stored, Assert.Single(decision.Events));
            if (stored is SubscriptionChanged change) changesStored.Add(change.Name);
            state = SubscriptionDecider.Evolve(state, stored)!;
            if (!state.Deleted) (pausedSeen, runningSeen) = (pausedSeen || state.Paused, runningSeen || !state.Paused);
        }
        Assert.Equal(readModel, state with { Version = stream.Count });

        // Every stored event has its successful command, and every successful command its place in that order.
        int Count<T>() => stream.Count(stored => stored is T);
        Assert.Equal(successes.Where(outcome => outcome.Kind == Kind.Change).Select(outcome => NameOf(outcome.Task)).Order(), changesStored.Order());
        Assert.Equal(successes.Count(outcome => outcome.Kind == Kind.Delete), Count<SubscriptionDeleted>());
        Assert.True(Count<SubscriptionDeleted>() <= 1);
        Assert.True(Count<SubscriptionPaused>() <= successes.Count(outcome => outcome.Kind == Kind.Pause));
        Assert.True(Count<SubscriptionResumed>() <= successes.Count(outcome => outcome.Kind == Kind.Resume));
        // A pause or resume answered 200 without an event was a no-op: the subscription was already so at some point.
        if (successes.Count(outcome => outcome.Kind == Kind.Pause) > Count<SubscriptionPaused>()) Assert.True(pausedSeen, history);
        if (successes.Count(outcome => outcome.Kind == Kind.Resume) > Count<SubscriptionResumed>()) Assert.True(runningSeen, history);
        // Each 200 shows the subscription as its own command left it.
        Assert.All(successes.Where(outcome => outcome.Kind == Kind.Pause), outcome => Assert.True(outcome.Body!.Value.GetProperty("paused").GetBoolean()));
        Assert.All(successes.Where(outcome => outcome.Kind == Kind.Resume), outcome => Assert.False(outcome.Body!.Value.GetProperty("paused").GetBoolean()));
        Assert.All(successes.Where(outcome => outcome.Kind == Kind.Change), outcome => Assert.Equal(NameOf(outcome.Task), outcome.Body!.Value.GetProperty("name").GetString()));
        // A 404 is only ever the answer of a subscription deleted by one of the commands; without deletes there is none.
        if (outcomes.Any(outcome => outcome.Status == HttpStatusCode.NotFound)) Assert.True(state.Deleted);
        if (!withDeletes) Assert.False(state.Deleted);
        if (!withDeletes) Assert.DoesNotContain(outcomes, outcome => outcome.Status == HttpStatusCode.NotFound);

        // What the API shows afterwards is the same final state.
        var after = await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, $"/api/v1/subscriptions/{id}", tenant), cancellationToken);
        if (state.Deleted) Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        else
        {
            var view = await after.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            Assert.Equal((state.Name, state.Paused), (view.GetProperty("name").GetString(), view.GetProperty("paused").GetBoolean()));
        }
    }

    [Fact]
    public async Task A_subscription_stored_before_versions_were_kept_can_still_be_changed()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var tenant = "t-legacy-" + Guid.NewGuid().ToString("N")[..8];
        var created = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, "/api/v1/subscriptions", tenant, new { name = "legacy", rule = "الناتو" }), cancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();
        // The document as a deployment before issue 16 stored it: no version (read back as 0) on a stream at version 2.
        var stripped = await TestInfrastructure.ScalarAsync<long>(
            $"with changed as (update \"{fixture.Schema}\".mt_doc_subscription set data = data - 'version' where id = '{id}' returning 1) select count(*) from changed");
        Assert.Equal(1, stripped);

        using var pause = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, $"/api/v1/subscriptions/{id}/pause", tenant), cancellationToken);
        Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        using var change = await fixture.Client.SendAsync(AsTenant(HttpMethod.Put, $"/api/v1/subscriptions/{id}", tenant, new { name = "legacy-2", rule = "روسيا", mode = "immediate" }), cancellationToken);
        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        await using var session = fixture.Service.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var stored = await session.LoadAsync<Subscription>(id, cancellationToken);
        Assert.NotNull(stored);
        Assert.True(stored.Paused);
        Assert.Equal("legacy-2", stored.Name);
        Assert.True(stored.Version > 2, $"the document is projected again with its version, got {stored.Version}");
    }
}
