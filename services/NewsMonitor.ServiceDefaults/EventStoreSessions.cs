using System.Diagnostics;
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

    /// <summary>
    /// True when saving failed because a stream with that id already exists (a <c>StartStream</c>, or an append to a stream
    /// read as new, lost to another writer). Marten 9 throws <c>Marten.Exceptions.ExistingStreamIdCollisionException</c>;
    /// JasperFx has a type of the same name, matched too. Whether that means "already done" or "decide again" is the
    /// caller's to say: a collision never proves that the rest of the transaction was stored.
    /// </summary>
    public static bool IsStreamCollision(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException) return true;
            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(IsStreamCollision)) return true;
        }
        return false;
    }

    /// <summary>
    /// True when saving failed because another writer got to the stream first: the version read (FetchForWriting) or the
    /// version stated is no longer the stream's (<see cref="JasperFx.ConcurrencyException"/>, which Marten's
    /// <c>EventStreamUnexpectedMaxEventIdException</c> is), or a stream read as new was started meanwhile
    /// (<see cref="IsStreamCollision"/>). Nothing of the transaction was stored; deciding again on the state that won is safe.
    /// </summary>
    public static bool IsWriteConflict(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is JasperFx.ConcurrencyException || IsStreamCollision(current)) return true;
            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(IsWriteConflict)) return true;
        }
        return false;
    }

    /// <summary>Tries an endpoint makes before it answers 409: a few, since each one re-reads the stream that won.</summary>
    public const int WriteAttempts = 3;

    /// <summary>
    /// The write every endpoint makes (the one write path): reads the stream under optimistic concurrency
    /// (FetchForWriting records the version read), lets the pure <paramref name="decide"/> choose the events and the
    /// answer from the state read (no events: nothing to store, e.g. pausing a paused subscription), appends them at
    /// that version and saves. When another writer committed in between, the pending events are dropped and the
    /// decision is made again on the state that won, up to <paramref name="attempts"/> times; then
    /// <paramref name="conflicted"/> is answered (typically <see cref="Problems.Conflict"/>, 409). Never "last writer
    /// wins". <paramref name="decide"/> may run more than once: it must not have effects of its own.
    /// </summary>
    /// <returns>The answer of the decision that was stored, or <paramref name="conflicted"/>'s.</returns>
    public static async Task<TAnswer> DecideAndAppendWithRetriesAsync<TAggregate, TAnswer>(this IDocumentSession session, Guid streamId,
        Func<TAggregate?, (IReadOnlyList<object> Events, TAnswer Answer)> decide, Func<TAnswer> conflicted, CancellationToken cancellationToken,
        int attempts = WriteAttempts)
        where TAggregate : class
    {
        for (var attempt = 1; ; attempt++)
        {
            var stream = await session.Events.FetchForWriting<TAggregate>(streamId, cancellationToken);
            var (events, answer) = decide(stream.Aggregate);
            if (events.Count == 0) return answer;
            stream.AppendMany(events);
            session.KeepTraceContext();
            try
            {
                await session.SaveChangesAsync(cancellationToken);
                return answer;
            }
            catch (Exception exception) when (IsWriteConflict(exception))
            {
                // Nothing of this attempt was stored; forget it, so the next one starts from what is committed.
                session.EjectAllPendingChanges();
                if (attempt >= attempts) return conflicted();
            }
        }
    }

    /// <summary>
    /// The detail of the 409 an endpoint answers when its write kept losing to concurrent writers
    /// (<see cref="DecideAndAppendWithRetriesAsync{TAggregate, TAnswer}"/>): the caller reads the resource again and retries.
    /// </summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult WriteConflict(string what) =>
        Problems.Conflict($"{what} was changed by another request meanwhile, several times in a row; read it again and retry.");
}
