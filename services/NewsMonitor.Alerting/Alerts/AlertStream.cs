using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Marten;
using MassTransit;
using NewsMonitor.Alerting.Subscriptions;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Alerts;

/// <summary>
/// Wakes this node's stream clients when alerts were committed. Every node receives every AlertRaised on a queue of its
/// own; the relay publishes one only once the event store's high-water mark covers it, so a woken client finds it in the
/// store. The signal carries nothing: clients read the alerts themselves, from their own position, so a slow client or a
/// lost wake-up (a fallback poll covers it) never loses one.
/// </summary>
public sealed class AlertWakeUp
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes at the next <see cref="Signal"/>. Take it before reading the store, then wait on it: an alert committed
    /// between the read and the wait then still wakes the client.
    /// </summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Wakes every client waiting on <see cref="Next"/>.</summary>
    public void Signal() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}

/// <summary>Receives every AlertRaised on this node's own temporary queue and wakes the node's stream clients.</summary>
public sealed class AlertStreamConsumer(AlertWakeUp wakeUp) : IConsumer<AlertRaised>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<AlertRaised> context)
    {
        wakeUp.Signal();
        return Task.CompletedTask;
    }
}

/// <summary>
/// <c>GET /api/v1/alerts/stream</c>: the caller's alerts as Server-Sent Events (operators: all), each with its position as
/// the event id. The stream is read from the store: each client reads the alerts after its own position, up to the event
/// store's high-water mark, sends them, and then waits for the node's wake-up (<see cref="AlertWakeUp"/>) or
/// <see cref="Poll"/>. Resuming (<c>Last-Event-ID</c> or <c>after</c>) is therefore the same loop started from an older
/// position: the missed alerts, then the live ones, with no gap and no duplicate at the switch, whatever happened to
/// this node meanwhile. A stream of one subscription ends within <see cref="Recheck"/> of the subscription's deletion;
/// the gateway ends a stream whose key was revoked.
/// </summary>
public static class AlertStreamApi
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    /// <summary>How many alerts a client reads from the store at once; a full batch is followed at once by the next.</summary>
    private const int Batch = 200;

    /// <summary>How often a stream of one subscription checks that the subscription still exists.</summary>
    public static readonly TimeSpan Recheck = TimeSpan.FromSeconds(2);

    /// <summary>How long a client waits for a wake-up before it reads the store anyway (a wake-up lost with a broker hiccup costs this much delay, no alert).</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <summary>Maps the stream endpoint.</summary>
    public static IEndpointRouteBuilder MapAlertStreamApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/alerts/stream", async Task<IResult> (HttpContext http, AlertWakeUp wakeUp, IDocumentStore store, Guid? subscriptionId, string? after,
            CancellationToken cancellationToken) =>
        {
            var caller = Caller.From(http);
            var resume = AlertCursor.ResumeFrom(http.Request.Headers["Last-Event-ID"].ToString(), after, out var valid);
            if (!valid) return Problems.BadRequest("Invalid cursor", "Last-Event-ID and after must be the position of an alert (the id of its event).");
            if (subscriptionId is { } id && !await IsOpenAsync(store, id, caller, cancellationToken))
                return Problems.NotFound($"No subscription with id {id}.");
            long position;
            if (resume is { } from) position = from;
            else
            {
                // Live only: everything at or below the mark is history, everything above it is yet to come.
                await using var session = store.QuerySession();
                position = await AlertQueries.HighWaterMarkAsync(session, cancellationToken);
            }
            return TypedResults.ServerSentEvents(Events(wakeUp, store, caller, subscriptionId, position, cancellationToken));
        }).RequireAuthorization(Access.Subscribers);
        return app;
    }

    private static async Task<bool> IsOpenAsync(IDocumentStore store, Guid subscriptionId, Caller caller, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await SubscriptionsApi.FindAsync(session, subscriptionId, caller, cancellationToken) is not null;
    }

    private static async IAsyncEnumerable<SseItem<AlertView>> Events(AlertWakeUp wakeUp, IDocumentStore store, Caller caller, Guid? subscriptionId, long position,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // ready and heartbeat carry the position reached as their id: a client that saw no alert yet (a live-only stream)
        // still reconnects with a Last-Event-ID (EventSource sends the last id it saw), so alerts raised while it was away
        // are not lost to a restart at the then current end.
        yield return new SseItem<AlertView>(null!, "ready") { EventId = AlertCursor.Format(position) };
        var quietSince = DateTimeOffset.UtcNow;
        var checkedAt = DateTimeOffset.UtcNow;
        while (!cancellationToken.IsCancellationRequested)
        {
            // Taken before the read: an alert committed after the read still wakes this client.
            var woken = wakeUp.Next;
            // A client that leaves mid-read ends its stream quietly: whatever the read threw then is not an error of ours.
            if (await OrGoneAsync(ReadAsync(store, caller, subscriptionId, position, cancellationToken), cancellationToken) is not var (alerts, reached)) yield break;
            foreach (var alert in alerts)
            {
                quietSince = DateTimeOffset.UtcNow;
                yield return new SseItem<AlertView>(AlertView.Of(alert), "alert") { EventId = AlertCursor.Format(alert.Sequence) };
            }
            position = reached;
            if (alerts.Count == Batch) continue;

            await Task.WhenAny(woken, Task.Delay(Poll, cancellationToken));
            if (cancellationToken.IsCancellationRequested) yield break;
            if (subscriptionId is { } id && DateTimeOffset.UtcNow - checkedAt >= Recheck)
            {
                checkedAt = DateTimeOffset.UtcNow;
                // A deleted subscription ends its stream; the client's reconnect then answers 404.
                if (await OrGoneAsync(IsOpenAsync(store, id, caller, cancellationToken), cancellationToken) is not true) yield break;
            }
            // A heartbeat keeps proxies from closing a quiet connection.
            if (DateTimeOffset.UtcNow - quietSince >= Heartbeat)
            {
                quietSince = DateTimeOffset.UtcNow;
                yield return new SseItem<AlertView>(null!, "heartbeat") { EventId = AlertCursor.Format(position) };
            }
        }
    }

    // The task's result, or null when it failed because the client left (the request was aborted).
    private static async Task<T?> OrGoneAsync<T>(Task<T> task, CancellationToken cancellationToken) where T : struct
    {
        try
        {
            return await task;
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    // The next alerts after the position, and the position the client has then reached: the last alert of a full batch,
    // else the high-water mark (every alert at or below it is committed, so none the caller may see is left behind it).
    private static async Task<(IReadOnlyList<Alert> Alerts, long Reached)> ReadAsync(IDocumentStore store, Caller caller, Guid? subscriptionId, long position,
        CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        var highWater = await AlertQueries.HighWaterMarkAsync(session, cancellationToken);
        if (highWater <= position) return ([], position);
        var alerts = await AlertQueries.ReadAsync(session, caller, subscriptionId, AlertOrder.Ascending, position, null, highWater, Batch, cancellationToken);
        return (alerts, alerts.Count == Batch ? alerts[^1].Sequence : highWater);
    }
}
