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
    /// Does a message's work once per stream id: when the stream exists the work was done and nothing happens;
    /// otherwise <paramref name="append"/> starts the stream (and any others) and the session is saved. A
    /// concurrent duplicate loses on the stream-id collision and its transaction leaves nothing behind.
    /// </summary>
    /// <returns>True when this call stored the work.</returns>
    public static async Task<bool> AppendOnceAsync(this IDocumentSession session, Guid streamId, Func<Task> append, CancellationToken cancellationToken)
    {
        if (await session.Events.FetchStreamStateAsync(streamId, cancellationToken) is not null) return false;
        session.KeepTraceContext();
        await append();
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (Exception exception) when (IsStreamCollision(exception))
        {
            return false;
        }
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
