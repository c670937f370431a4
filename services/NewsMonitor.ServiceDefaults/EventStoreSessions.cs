using System.Diagnostics;
using JasperFx.Events;
using Marten;

namespace NewsMonitor.ServiceDefaults;

/// <summary>Small conventions every service follows when it writes events.</summary>
public static class EventStoreSessions
{
    /// <summary>Stores the current trace context on the events this session appends, so the relay continues the trace.</summary>
    public static IDocumentSession KeepTraceContext(this IDocumentSession session)
    {
        if (Activity.Current?.Id is { } traceParent) session.SetHeader(Telemetry.TraceParentHeader, traceParent);
        return session;
    }

    /// <summary>
    /// The write every consumer makes: reads a stream's aggregate under optimistic concurrency, lets
    /// <paramref name="decide"/> choose the event to append (null: nothing to do, e.g. a redelivery), and saves with the
    /// trace context. A concurrent writer makes the save fail (version conflict or stream-id collision), so the message
    /// is retried and decides again on the state that won.
    /// </summary>
    /// <returns>True when an event was stored.</returns>
    public static Task<bool> DecideAndAppendAsync<TAggregate>(this IDocumentSession session, Guid streamId, Func<TAggregate?, Task<object?>> decide, CancellationToken cancellationToken)
        where TAggregate : class =>
        session.DecideAndAppendEventsAsync<TAggregate>(streamId, async aggregate => await decide(aggregate) is { } decided ? [decided] : [], cancellationToken);

    /// <summary>As <see cref="DecideAndAppendAsync{TAggregate}"/>, for a decision that may append several events (none: nothing to do).</summary>
    /// <returns>True when events were stored.</returns>
    public static async Task<bool> DecideAndAppendEventsAsync<TAggregate>(this IDocumentSession session, Guid streamId, Func<TAggregate?, Task<IReadOnlyList<object>>> decide, CancellationToken cancellationToken)
        where TAggregate : class
    {
        var stream = await session.Events.FetchForWriting<TAggregate>(streamId, cancellationToken);
        var decided = await decide(stream.Aggregate);
        if (decided.Count == 0) return false;
        stream.AppendMany(decided);
        session.KeepTraceContext();
        await session.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>True when saving failed because a stream with that id already exists: the work was already done.</summary>
    public static bool IsStreamCollision(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is ExistingStreamIdCollisionException) return true;
            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(IsStreamCollision)) return true;
        }
        return false;
    }
}
