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
    /// <paramref name="data"/> to append with <paramref name="traceParent"/> on it, for a session whose events belong to
    /// different traces (a batch of messages: <see cref="KeepTraceContext"/> would give them all the batch's); as it is
    /// when there is no trace.
    /// </summary>
    public static object WithTraceContext(this IDocumentSession session, object data, string? traceParent)
    {
        if (traceParent is null) return data;
        var wrapped = session.Events.BuildEvent(data);
        wrapped.SetHeader(Telemetry.TraceParentHeader, traceParent);
        return wrapped;
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
        // A document read between two commits (see Agrees): the message is retried and reads again, in a new scope.
        if (!Agrees(stream)) throw new InvalidOperationException($"Stream {streamId} changed while it was read; the message is retried.");
        var decided = await decide(stream.Aggregate);
        if (decided.Count == 0) return false;
        stream.AppendMany(decided);
        session.KeepTraceContext();
        await session.SaveChangesInCommitOrderAsync(cancellationToken);
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
    public static Task<TAnswer> DecideAndAppendWithRetriesAsync<TAggregate, TAnswer>(this IDocumentSession session, Guid streamId,
        Func<TAggregate?, (IReadOnlyList<object> Events, TAnswer Answer)> decide, Func<TAnswer> conflicted, CancellationToken cancellationToken,
        int attempts = WriteAttempts)
        where TAggregate : class =>
        session.DocumentStore.DecideAndAppendWithRetriesAsync(streamId, decide, conflicted, System.Diagnostics.Activity.Current?.Id, cancellationToken, attempts);

    /// <summary>
    /// As <see cref="DecideAndAppendWithRetriesAsync{TAggregate, TAnswer}(IDocumentSession, Guid, Func{TAggregate, ValueTuple{IReadOnlyList{object}, TAnswer}}, Func{TAnswer}, CancellationToken, int)"/>,
    /// with the trace context to store on the events given (a batch consumer's message's, not the batch's).
    /// </summary>
    internal static async Task<TAnswer> DecideAndAppendWithRetriesAsync<TAggregate, TAnswer>(this IDocumentStore store, Guid streamId,
        Func<TAggregate?, (IReadOnlyList<object> Events, TAnswer Answer)> decide, Func<TAnswer> conflicted, string? traceParent, CancellationToken cancellationToken,
        int attempts = WriteAttempts)
        where TAggregate : class
    {
        // Each try reads and writes in a session of its own. A session that tried once keeps what it read: Marten's inline
        // projection applied the next try's events to the document the first try fetched, so an edit between the two was
        // lost from the read model (the stream itself was right). The caller's session only names the store.
        // No stream has the empty id (Marten refuses to read one): it is decided as missing, and nothing is stored under it.
        if (streamId == Guid.Empty)
        {
            var (none, missing) = decide(null);
            return none.Count == 0 ? missing : throw new ArgumentException("Events cannot be appended to the empty stream id.", nameof(streamId));
        }
        for (int attempt = 1, unsettledReads = 0; ;)
        {
            await using var writer = store.LightweightSession();
            var stream = await writer.Events.FetchForWriting<TAggregate>(streamId, cancellationToken);
            if (!Agrees(stream))
            {
                // Read between two commits: read again (not a lost race, so it does not count as one), a bounded number of times.
                if (++unsettledReads >= ConsistentReadAttempts) return conflicted();
                continue;
            }
            var (events, answer) = decide(stream.Aggregate);
            if (events.Count == 0) return answer;
            stream.AppendMany(events);
            if (traceParent is not null) writer.SetHeader(Telemetry.TraceParentHeader, traceParent);
            try
            {
                await writer.SaveChangesInCommitOrderAsync(cancellationToken);
                return answer;
            }
            catch (Exception exception) when (IsWriteConflict(exception))
            {
                // Nothing of this try was stored; the next one decides on what is committed now.
                if (++attempt > attempts) return conflicted();
            }
        }
    }

    // Reads of a stream whose aggregate and version disagreed, in a row, before the write is treated as a conflict.
    private const int ConsistentReadAttempts = 5;

    /// <summary>
    /// Whether the aggregate FetchForWriting read agrees with the version the append will expect. For an inline projection
    /// Marten reads the stream's version and the stored document in two statements, each with its own snapshot under READ
    /// COMMITTED, so a commit between them pairs one version with the document of another: a stale state would then decide
    /// at a fresh version (a lost update the version check cannot see), and the inline projection would apply the new
    /// events to that stale document. An aggregate that carries its version (<see cref="IVersionedAggregate"/>) shows it.
    /// A version of 0 on an existing stream is a document stored before versions were kept: it is taken as it is (the next
    /// append projects it again with its version), or every write to it would be refused as unsettled, forever.
    /// </summary>
    internal static bool Agrees<TAggregate>(JasperFx.Events.IEventStream<TAggregate> stream) where TAggregate : class =>
        stream.Aggregate is not IVersionedAggregate versioned || versioned.Version == 0 || versioned.Version == (stream.StartingVersion ?? 0);

    /// <summary>
    /// The detail of the 409 an endpoint answers when its write kept losing to concurrent writers
    /// (<see cref="DecideAndAppendWithRetriesAsync{TAggregate, TAnswer}"/>): the caller reads the resource again and retries.
    /// </summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult WriteConflict(string what) =>
        Problems.Conflict($"{what} was changed by another request meanwhile, several times in a row; read it again and retry.");
}

/// <summary>
/// An aggregate projected inline that carries the version of its stream (Marten sets a public <c>Version</c> property of
/// a single-stream aggregate to the stream's version when it projects it). The one write path checks it against the
/// version it appends at, so a document read between two commits never decides (see
/// <see cref="EventStoreSessions.DecideAndAppendWithRetriesAsync{TAggregate, TAnswer}"/>).
/// </summary>
public interface IVersionedAggregate
{
    /// <summary>The version of the stream this state was folded up to.</summary>
    long Version { get; }
}

/// <summary>
/// Answers 409 problem+json, not 500, when an endpoint's save lost to a concurrent writer (the version it read moved, or
/// the stream it started exists; <see cref="EventStoreSessions.IsWriteConflict"/>) and the endpoint did not decide again
/// itself: nothing was stored, and the caller reads the resource again and retries. Endpoints on the one write path
/// (<see cref="EventStoreSessions.DecideAndAppendWithRetriesAsync{TAggregate, TAnswer}"/>) retry first and answer their own 409.
/// </summary>
internal sealed class WriteConflictExceptionHandler : Microsoft.AspNetCore.Diagnostics.IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(Microsoft.AspNetCore.Http.HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!EventStoreSessions.IsWriteConflict(exception) || httpContext.Response.HasStarted) return false;
        await EventStoreSessions.WriteConflict("The resource").ExecuteAsync(httpContext);
        return true;
    }
}
