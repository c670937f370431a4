using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.EndToEnd.Tests;
using NewsMonitor.Testing;
using Npgsql;

namespace NewsMonitor.Reliability.Tests;

/// <summary>What a scenario's fault step may use: the system, the load's planned articles and their ids, the clock.</summary>
public sealed class FaultContext(RunningSystem system, ScenarioLoad load, IReadOnlyList<Guid> subscriptionIds, Stopwatch clock)
{
    /// <summary>The running system.</summary>
    public RunningSystem System { get; } = system;

    /// <summary>The scenario's load.</summary>
    public ScenarioLoad Load { get; } = load;

    /// <summary>The scenario's subscription ids, by index.</summary>
    public IReadOnlyList<Guid> SubscriptionIds { get; } = subscriptionIds;

    /// <summary>Time since the load started.</summary>
    public TimeSpan Elapsed => clock.Elapsed;

    /// <summary>Notes for the result line (what the fault did, in a few words).</summary>
    public List<string> Notes { get; } = [];
}

/// <summary>One scenario's result line.</summary>
public sealed record ScenarioResult(string Scenario, int Articles, int Subscriptions, TimeSpan FaultAt, int StoredAtFault, TimeSpan? Recovery,
    Totals Totals, int Refusals, IReadOnlyList<string> Notes)
{
    /// <summary>Header of the results table.</summary>
    public const string Header =
        "| scenario | articles | subscriptions | fault at | time to recover | stored | classified | extracted | evaluated | alerts | lost | doubled | error-queued | client retries | notes |\n" +
        "| --- | ---: | ---: | --- | --- | --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | --- |";

    /// <summary>The result as a Markdown table row (expected vs got is <c>got/expected</c>).</summary>
    public string ToRow() => string.Create(CultureInfo.InvariantCulture,
        $"| {Scenario} | {Articles} | {Subscriptions} | {FaultAt.TotalSeconds:0.0} s ({StoredAtFault} stored) | {(Recovery is { } r ? $"{r.TotalSeconds:0.0} s" : "not recovered")} | " +
        $"{Totals.Stored} | {Totals.Classified} | {Totals.Extracted} | {Totals.Evaluated} | {Totals.Alerts} | {Totals.Lost} | {Totals.Doubled} | {Totals.ErrorQueued} | {Refusals} | {string.Join("; ", Notes)} |");
}

/// <summary>
/// Runs one fault scenario: subscriptions, then the load through the gateway; once half of it is stored, the fault; then
/// waits (with a deadline, never a fixed sleep) until every total is reached and the system is quiet, and reads the totals
/// again so that late copies count as doubled.
/// </summary>
public static class ScenarioRunner
{
    /// <summary>Articles per scenario: <c>NEWSMONITOR_RELIABILITY_ARTICLES</c>, else the default (see docs/reliability.md for the measured rate).</summary>
    public static int ArticleCount { get; } = int.Parse(Environment.GetEnvironmentVariable("NEWSMONITOR_RELIABILITY_ARTICLES") ?? "400", CultureInfo.InvariantCulture);

    /// <summary>Subscriptions per scenario.</summary>
    public const int SubscriptionCount = 200;

    private static readonly Lazy<IReadOnlyList<string>> Vocabulary = new(() => ScenarioLoad.VocabularyOf(SampleArticles.All.Select(article => article.Body)));

    /// <summary>Runs <paramref name="scenario"/> with <paramref name="inject"/> as its fault; returns the result (already written out).</summary>
    public static async Task<ScenarioResult> RunAsync(RunningSystem system, string scenario, Func<FaultContext, Task> inject,
        Func<FaultContext, Task>? beforeLoad = null, int? articles = null)
    {
        var cancel = TestContext.Current.CancellationToken;
        var tag = new string(Enumerable.Range(0, 6).Select(_ => (char)('a' + Random.Shared.Next(26))).ToArray());
        var load = ScenarioLoad.Create(tag, articles ?? ArticleCount, SubscriptionCount, Vocabulary.Value);
        var subscriptionIds = await CreateSubscriptionsAsync(system.Gateway, load, cancel);
        var clock = Stopwatch.StartNew();
        var context = new FaultContext(system, load, subscriptionIds, clock);
        if (beforeLoad is not null) await beforeLoad(context);

        // Messages already parked (by an earlier scenario that failed) are not this scenario's.
        var parkedBefore = (await OpsStatusAsync(system.Gateway, cancel))?.GetProperty("errorMessages").GetInt64() ?? 0;
        var loadDeadline = DateTime.UtcNow.AddMinutes(6);
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var posting = new LoadDriver(system.Gateway).PostAsync(load.Articles, loadDeadline, stopLoad.Token);
        var half = load.Articles.Count / 2;
        await Eventually.TrueAsync(async () => posting.IsCompleted || await StoredAsync(system, load) >= half, "half of the load to be stored", TimeSpan.FromMinutes(4));
        var storedAtFault = (int)await StoredAsync(system, load);
        var faultAt = clock.Elapsed;
        try
        {
            await inject(context);
        }
        catch
        {
            // A failed fault step fails the scenario; its clients must not go on posting into the next one.
            await stopLoad.CancelAsync();
            try { await posting; } catch (OperationCanceledException) { }
            throw;
        }
        var outcome = await posting;
        context.Notes.AddRange(outcome.Unexpected.Take(3));

        // Recovered: every total reached. Then quiet (queues empty, projections and relays at the head), and counted again.
        TimeSpan? recovery = null;
        var recoveryDeadline = DateTime.UtcNow.AddMinutes(4);
        Totals totals;
        while (true)
        {
            totals = await Totals.ReadAsync(system.SchemaOf, load, subscriptionIds, 0);
            if (totals.Lost == 0) { recovery = clock.Elapsed - faultAt; break; }
            if (DateTime.UtcNow > recoveryDeadline) break;
            await Task.Delay(250, cancel);
        }
        var (parkedNow, parkedIn) = await QuietAsync(system, parkedBefore, cancel);
        var errorQueued = Math.Max(0, parkedNow - parkedBefore);
        totals = await Totals.ReadAsync(system.SchemaOf, load, subscriptionIds, errorQueued);
        var result = new ScenarioResult(scenario, load.Articles.Count, load.Subscriptions.Count, faultAt, storedAtFault, recovery, totals, outcome.Refusals, context.Notes);
        await WriteAsync(result);

        Assert.Empty(outcome.Unexpected);
        // A parked message is usually why something is lost: its reason goes with every failure.
        var parked = totals.ErrorQueued == 0 ? "" : $"; {totals.ErrorQueued} message(s) parked ({parkedIn}), why: {await ParkedMessages.ReasonsAsync(system.VirtualHost, cancel)}";
        Assert.True(totals.Lost == 0, $"{scenario}: {totals.Lost} lost ({result.ToRow()}){parked}");
        Assert.True(totals.Doubled == 0, $"{scenario}: {totals.Doubled} doubled ({result.ToRow()}){parked}");
        if (totals.ErrorQueued != 0) Assert.Fail($"{scenario}{parked}");
        await ProjectionChecks.AssertFoldsAsync(system, load);
        return result;
    }

    /// <summary>Articles of <paramref name="load"/> stored so far (ingestion's schema).</summary>
    public static Task<long> StoredAsync(RunningSystem system, ScenarioLoad load) =>
        TestInfrastructure.ScalarAsync<long>($"select count(*) from \"{system.SchemaOf("Ingestion")}\".mt_events where type = 'article_submitted' " +
                                            $"and data->>'url' like 'https://reliability.example.org/{load.Tag}/%'");

    /// <summary>The operations status (<c>GET /api/v1/ops/status</c>), or null while the gateway cannot answer it.</summary>
    public static async Task<JsonElement?> OpsStatusAsync(HttpClient gateway, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await gateway.GetAsync("/api/v1/ops/status", cancellationToken);
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken) : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    // Waits until no work queue holds a message and every projection and relay is at its store's head; returns the error-queue count.
    private static async Task<(long Parked, string Where)> QuietAsync(RunningSystem system, long parkedBefore, CancellationToken cancellationToken)
    {
        long errors = 0;
        var where = "";
        var waitingOn = "no answer from the operations status yet";
        var quiet = false;
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                if (await OpsStatusAsync(system.Gateway, cancellationToken) is not { } status) return false;
                if (status.GetProperty("queues").ValueKind != JsonValueKind.Array) return false;
                errors = status.GetProperty("errorMessages").GetInt64();
                // Which error queues hold them, so a failure names the consumer that gave up.
                where = string.Join(", ", status.GetProperty("errorQueues").EnumerateArray()
                    .Where(queue => queue.GetProperty("messages").GetInt64() > 0)
                    .Select(queue => $"{queue.GetProperty("errorQueue").GetString()}: {queue.GetProperty("messages").GetInt64()}"));
                // The duplicates scenario's MessageProbe queue (test-probe) is the test's own and outlives its consumer: not the system's work.
                var busy = status.GetProperty("queues").EnumerateArray().Any(queue => !queue.GetProperty("error").GetBoolean() && queue.GetProperty("name").GetString() != "test-probe"
                    && queue.GetProperty("ready").GetInt64() + queue.GetProperty("unacknowledged").GetInt64() > 0);
                var behind = status.GetProperty("services").EnumerateArray().Any(service => service.GetProperty("projections").ValueKind != JsonValueKind.Array
                    || service.GetProperty("projections").EnumerateArray().Any(projection => projection.GetProperty("lag").GetInt64() > 0));
                // What is still busy, for the failure message.
                waitingOn = string.Join(", ", status.GetProperty("queues").EnumerateArray()
                        .Where(queue => !queue.GetProperty("error").GetBoolean() && queue.GetProperty("name").GetString() != "test-probe" && queue.GetProperty("ready").GetInt64() + queue.GetProperty("unacknowledged").GetInt64() > 0)
                        .Select(queue => $"{queue.GetProperty("name").GetString()} ({queue.GetProperty("ready").GetInt64()} ready, {queue.GetProperty("unacknowledged").GetInt64()} unacked)")
                    .Concat(status.GetProperty("services").EnumerateArray().SelectMany(service => service.GetProperty("projections").ValueKind != JsonValueKind.Array
                        ? [$"{service.GetProperty("name").GetString()}: projections unreadable"]
                        : service.GetProperty("projections").EnumerateArray().Where(projection => projection.GetProperty("lag").GetInt64() > 0)
                            .Select(projection => $"{service.GetProperty("name").GetString()}/{projection.GetProperty("name").GetString()} lag {projection.GetProperty("lag").GetInt64()}"))));
                quiet = !busy && !behind;
                // The management API refreshes its counts every few seconds: a replay's error queue reads full for a moment
                // after it was emptied. Quiet and nothing new parked ends the wait; quiet with parked messages is reported.
                return quiet && errors <= parkedBefore;
            }, "the system to be quiet (queues empty, projections at the head)", TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException exception)
        {
            if (!quiet) throw new TimeoutException($"{exception.Message} Still busy: {waitingOn}.", exception);
        }
        return (errors, where);
    }

    private static async Task<IReadOnlyList<Guid>> CreateSubscriptionsAsync(HttpClient gateway, ScenarioLoad load, CancellationToken cancellationToken)
    {
        var ids = new Guid[load.Subscriptions.Count];
        await Parallel.ForEachAsync(load.Subscriptions, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (subscription, token) =>
        {
            using var response = await gateway.PostAsJsonAsync("/api/v1/subscriptions",
                new { name = $"reliability {load.Tag} {subscription.Index}", rule = subscription.Rule, mode = "immediate" }, token);
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"subscription {subscription.Rule}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token)}");
            ids[subscription.Index] = (await response.Content.ReadFromJsonAsync<JsonElement>(token)).GetProperty("id").GetGuid();
        });
        return ids;
    }

    private static async Task WriteAsync(ScenarioResult result)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(ScenarioResult.Header);
        TestContext.Current.TestOutputHelper?.WriteLine(result.ToRow());
        var file = Path.Combine(await Infrastructure.StateDirectoryAsync(), "reliability-results.md");
        var header = File.Exists(file) ? "" : ScenarioResult.Header + "\n";
        await File.AppendAllTextAsync(file, header + result.ToRow() + "\n");
    }
}
