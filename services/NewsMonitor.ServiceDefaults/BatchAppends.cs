using Marten;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// One message's decision in a batch (<see cref="BatchAppends.DecideAndAppendBatchAsync{TAggregate}"/>): the stream it
/// writes, the pure decision on that stream's state (no events: nothing to do, e.g. a redelivery), and the W3C trace
/// context of the message, stored on its events so that the relay continues that message's trace.
/// </summary>
public sealed record BatchDecision<TAggregate>(Guid StreamId, Func<TAggregate?, IReadOnlyList<object>> Decide, string? TraceParent)
    where TAggregate : class;

/// <summary>
/// The one write path (<see cref="EventStoreSessions"/>) for a batch of messages: every stream of the batch read in one
/// round trip, every decision's events saved in one transaction, under one commit-order lock, with one commit.
/// </summary>
/// <remarks>
/// Why: the commit-order lock serialises a store's writers (<see cref="CommitOrder"/>). Saved one message at a time, a
/// service's writes queued behind each other: under issue 17's load the entities service's saves waited 2–4 s for the
/// lock (median) while each held it through three round trips of a busy machine. A batch pays those once.
/// Nothing about the semantics changes: each stream is still appended at the version it was read at, and a save that
/// loses to another writer stores nothing of the batch; then every decision is made again on its own, on the state that
/// won (see <see cref="DecideAndAppendBatchAsync{TAggregate}"/>).
/// </remarks>
public static class BatchAppends
{
    /// <summary>
    /// Reads the streams of <paramref name="decisions"/> in one batched query (<c>FetchForWriting</c> each, so the version
    /// read is what the append expects), lets each decision choose its events, and saves them all in commit order in one
    /// transaction. When that save loses to a concurrent writer (a version moved, a stream started meanwhile) nothing of it
    /// was stored, and every decision of the batch is made again in a session of its own, on the state that won, up to
    /// <see cref="EventStoreSessions.WriteAttempts"/> times each. A stream that appears twice in the batch, or whose
    /// document was read between two commits, is decided on its own after the batch, so a later decision always sees the
    /// earlier one's events.
    /// </summary>
    /// <returns>How many decisions stored events.</returns>
    /// <exception cref="InvalidOperationException">A decision kept losing to concurrent writers: the caller (a consumer) lets the message be retried.</exception>
    public static async Task<int> DecideAndAppendBatchAsync<TAggregate>(this IDocumentStore store, IReadOnlyList<BatchDecision<TAggregate>> decisions, CancellationToken cancellationToken)
        where TAggregate : class
    {
        var batched = new List<BatchDecision<TAggregate>>();
        var alone = new List<BatchDecision<TAggregate>>();
        var seen = new HashSet<Guid>();
        foreach (var decision in decisions)
        {
            // Marten refuses to read the empty id; the single path decides it as missing and stores nothing under it.
            if (decision.StreamId != Guid.Empty && seen.Add(decision.StreamId)) batched.Add(decision);
            else alone.Add(decision);
        }

        var stored = 0;
        if (batched.Count > 0)
        {
            await using var session = store.LightweightSession();
            var reads = session.CreateBatchQuery();
            var streams = batched.Select(decision => reads.Events.FetchForWriting<TAggregate>(decision.StreamId)).ToList();
            await reads.Execute(cancellationToken);
            var appended = new List<BatchDecision<TAggregate>>();
            for (var i = 0; i < batched.Count; i++)
            {
                var stream = await streams[i];
                if (!EventStoreSessions.Agrees(stream))
                {
                    alone.Add(batched[i]);
                    continue;
                }
                var events = batched[i].Decide(stream.Aggregate);
                if (events.Count == 0) continue;
                foreach (var data in events) stream.AppendOne(WithTrace(session, data, batched[i].TraceParent));
                appended.Add(batched[i]);
            }
            if (appended.Count > 0)
            {
                try
                {
                    await session.SaveChangesInCommitOrderAsync(cancellationToken);
                    stored += appended.Count;
                }
                catch (Exception exception) when (EventStoreSessions.IsWriteConflict(exception))
                {
                    // Nothing of the batch was stored: each of its decisions is made again on what is committed now.
                    alone.AddRange(appended);
                }
            }
        }

        foreach (var decision in alone)
        {
            if (await DecideAndAppendAloneAsync(store, decision, cancellationToken)) stored++;
        }
        return stored;
    }

    // The single write path, with the message's trace: true when this call stored the decision's events.
    private static Task<bool> DecideAndAppendAloneAsync<TAggregate>(IDocumentStore store, BatchDecision<TAggregate> decision, CancellationToken cancellationToken)
        where TAggregate : class =>
        store.DecideAndAppendWithRetriesAsync<TAggregate, bool>(decision.StreamId,
            aggregate =>
            {
                var events = decision.Decide(aggregate);
                return (events, events.Count > 0);
            },
            () => throw new InvalidOperationException($"Stream {decision.StreamId} kept changing while it was written; the message is retried."),
            decision.TraceParent, cancellationToken);

    private static object WithTrace(IDocumentSession session, object data, string? traceParent)
    {
        if (traceParent is null) return data;
        var wrapped = session.Events.BuildEvent(data);
        wrapped.SetHeader(Telemetry.TraceParentHeader, traceParent);
        return wrapped;
    }
}
