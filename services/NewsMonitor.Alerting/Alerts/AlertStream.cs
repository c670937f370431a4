using System.Collections.Concurrent;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Marten;
using MassTransit;
using NewsMonitor.Alerting.Subscriptions;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Alerts;

/// <summary>
/// Fans alerts out to the Server-Sent Events clients connected to this node. Every node receives every
/// AlertRaised on a queue of its own, so a client sees all its alerts whichever replica it is connected to; a
/// republished alert (same id) is shown once.
/// </summary>
public sealed class AlertBroadcaster
{
    private const int RecentCapacity = 10_000;
    private readonly ConcurrentDictionary<Guid, Channel<AlertRaised>> _listeners = new();
    private readonly HashSet<Guid> _recent = [];
    private readonly Queue<Guid> _recentOrder = new();

    /// <summary>Number of connected clients.</summary>
    public int Listeners => _listeners.Count;

    /// <summary>Sends an alert to every connected client, once per alert id.</summary>
    public void Publish(AlertRaised alert)
    {
        lock (_recent)
        {
            if (!_recent.Add(alert.AlertId)) return;
            _recentOrder.Enqueue(alert.AlertId);
            if (_recentOrder.Count > RecentCapacity) _recent.Remove(_recentOrder.Dequeue());
        }
        foreach (var listener in _listeners.Values) listener.Writer.TryWrite(alert);
    }

    /// <summary>The alerts published from now on, until <paramref name="cancellationToken"/> ends the connection.</summary>
    public async IAsyncEnumerable<AlertRaised> ListenAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A slow client loses its oldest alerts rather than holding memory without bound.
        var channel = Channel.CreateBounded<AlertRaised>(new BoundedChannelOptions(1_000) { FullMode = BoundedChannelFullMode.DropOldest });
        var id = Guid.NewGuid();
        _listeners[id] = channel;
        try
        {
            await foreach (var alert in channel.Reader.ReadAllAsync(cancellationToken)) yield return alert;
        }
        finally
        {
            _listeners.TryRemove(id, out _);
        }
    }
}

/// <summary>Receives every AlertRaised on this node's own temporary queue and hands it to the broadcaster.</summary>
public sealed class AlertStreamConsumer(AlertBroadcaster broadcaster) : IConsumer<AlertRaised>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<AlertRaised> context)
    {
        broadcaster.Publish(context.Message);
        return Task.CompletedTask;
    }
}

/// <summary>
/// <c>GET /api/v1/alerts/stream</c>: the caller's alerts as Server-Sent Events (operators: all). A stream of one
/// subscription ends within <see cref="Recheck"/> of the subscription's deletion; the gateway ends a stream whose key
/// was revoked.
/// </summary>
public static class AlertStreamApi
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    /// <summary>How often a stream of one subscription checks that the subscription still exists.</summary>
    public static readonly TimeSpan Recheck = TimeSpan.FromSeconds(2);

    /// <summary>Maps the stream endpoint.</summary>
    public static IEndpointRouteBuilder MapAlertStreamApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/alerts/stream", async Task<IResult> (HttpContext http, AlertBroadcaster broadcaster, IDocumentStore store, Guid? subscriptionId, CancellationToken cancellationToken) =>
        {
            var caller = Caller.From(http);
            if (subscriptionId is { } id && !await IsOpenAsync(store, id, caller, cancellationToken))
                return Problems.NotFound($"No subscription with id {id}.");
            return TypedResults.ServerSentEvents(Events(broadcaster, store, caller, subscriptionId, cancellationToken));
        }).RequireAuthorization(Access.Subscribers);
        return app;
    }

    private static async Task<bool> IsOpenAsync(IDocumentStore store, Guid subscriptionId, Caller caller, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await SubscriptionsApi.FindAsync(session, subscriptionId, caller, cancellationToken) is not null;
    }

    private static async IAsyncEnumerable<SseItem<AlertView>> Events(AlertBroadcaster broadcaster, IDocumentStore store, Caller caller, Guid? subscriptionId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The stream may end while a read is pending (the subscription was deleted, the client left): stop the read and
        // let it finish before the enumerator is disposed, which a pending MoveNextAsync would refuse.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var alerts = broadcaster.ListenAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        // Listening starts with the first MoveNextAsync; only then is the client told the stream is ready.
        var next = alerts.MoveNextAsync().AsTask();
        try
        {
            yield return new SseItem<AlertView>(null!, "ready");
            var quietSince = DateTimeOffset.UtcNow;
            while (!cancellationToken.IsCancellationRequested)
            {
                var finished = await Task.WhenAny(next, Task.Delay(Recheck, cancellationToken)).ConfigureAwait(false);
                if (finished != next)
                {
                    // A deleted subscription ends its stream; the client's reconnect then answers 404.
                    if (subscriptionId is { } id && !await IsOpenAsync(store, id, caller, cancellationToken)) yield break;
                    // A heartbeat keeps proxies from closing a quiet connection.
                    if (DateTimeOffset.UtcNow - quietSince < Heartbeat) continue;
                    quietSince = DateTimeOffset.UtcNow;
                    yield return new SseItem<AlertView>(null!, "heartbeat");
                    continue;
                }
                if (!await next) yield break;
                var alert = alerts.Current;
                next = alerts.MoveNextAsync().AsTask();
                if (!caller.CanSee(alert.Tenant) || (subscriptionId is { } only && alert.SubscriptionId != only)) continue;
                quietSince = DateTimeOffset.UtcNow;
                yield return new SseItem<AlertView>(
                    new AlertView(alert.AlertId, alert.SubscriptionId, alert.ArticleId, alert.Title, alert.Matched, alert.RaisedAt, 0), "alert")
                { EventId = alert.AlertId.ToString() };
            }
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await next;
            }
            catch (OperationCanceledException)
            {
                // The pending read was stopped.
            }
            await alerts.DisposeAsync();
        }
    }
}
