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
