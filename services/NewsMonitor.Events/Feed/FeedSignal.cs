using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;

namespace NewsMonitor.Events.Feed;

/// <summary>
/// Wakes the feed's Server-Sent Events streams when events are committed, so a live stream does not poll the store
/// while nothing happens. Streams still re-read on a timer (<see cref="EventFeedOptions.Poll"/>): with several
/// replicas the daemon runs this subscription on one node only.
/// </summary>
public sealed class FeedSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next signal (or never; callers wait with a timeout).</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Wakes every waiting stream.</summary>
    public void Raise() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}

/// <summary>
/// A Marten subscription that raises <see cref="FeedSignal"/> for every page of committed events. It also keeps the
/// async daemon, and with it the high-water mark the feed reads up to, running in a service with no projection.
/// </summary>
public sealed class FeedSignalSubscription(FeedSignal signal) : SubscriptionBase
{
    /// <inheritdoc />
    public override Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        signal.Raise();
        return Task.FromResult<IChangeListener>(NullChangeListener.Instance);
    }
}
