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
/// Each stream is still appended at the version it was read at, and a save that loses to another writer stores nothing
/// of the batch; its decisions are then made again on the state that won (see
/// <see cref="DecideAndAppendBatchAsync{TAggregate}"/>). What a batch changes is failure: a decision that throws fails its
/// whole batch, so batch consumers retry each message on its own (<c>AddBatchConsumer</c>), and a poison message is
/// parked alone.
/// </remarks>
public static class BatchAppends
{
    /// <summary>
    /// Reads the streams of <paramref name="decisions"/> in one batched query (<c>FetchForWriting</c> each, so the version
    /// read is what the append expects), lets each decision choose its events, and saves them all in commit order in one
    /// transaction. When that save loses to a concurrent writer (a version moved, a stream started meanwhile) nothing of it
    /// was stored: the batch is read and decided once more, and if it loses again every decision is made in a session of
    /// its own, on the state that won, up to <see cref="EventStoreSessions.WriteAttempts"/> times each. A stream that
    /// appears twice in the batch, or whose document was read between two commits, is decided on its own after the batch,
    /// in the order of the batch, so a later decision always sees the earlier one's events.
    /// </summary>
    /// <returns>How many decisions stored events.</returns>
    /// <exception cref="InvalidOperationException">A decision kept losing to concurrent writers: the caller (a consumer) lets the message be retried.</exception>
    public static async Task<int> DecideAndAppendBatchAsync<TAggregate>(this IDocumentStore store, IReadOnlyList<BatchDecision<TAggregate>> decisions, CancellationToken cancellationToken)
        where TAggregate : class
    {
        // Positions in the batch: decisions made alone run in this order, so a repeat of a stream always sees the
        // decision before it, whichever of them had to leave the batch.
        var batched = new List<int>();
        var alone = new List<int>();
        var seen = new HashSet<Guid>();
        for (var i = 0; i < decisions.Count; i++)
        {
            // The empty id is never read (Marten refuses it): the single path decides it as missing and refuses to store
            // events under it, so such a message fails on its own (and is parked alone, see Retries.ApplyToEach).
            if (decisions[i].StreamId != Guid.Empty && seen.Add(decisions[i].StreamId)) batched.Add(i);
            else alone.Add(i);
        }

        var stored = 0;
        // A lost race sends the batch round once more on fresh reads (a concurrent writer touches few of its streams);
        // a second loss leaves its decisions to the single path.
        for (var round = 1; batched.Count > 0; round++)
        {
            await using var session = store.LightweightSession();
            var reads = session.CreateBatchQuery();
            var streams = batched.Select(i => reads.Events.FetchForWriting<TAggregate>(decisions[i].StreamId)).ToList();
            await reads.Execute(cancellationToken);
            var appended = new List<int>();
            for (var n = 0; n < batched.Count; n++)
            {
                var decision = decisions[batched[n]];
                var stream = await streams[n];
                if (!EventStoreSessions.Agrees(stream))
                {
                    alone.Add(batched[n]);
                    continue;
                }
                var events = decision.Decide(stream.Aggregate);
                if (events.Count == 0) continue;
                foreach (var data in events) stream.AppendOne(session.WithTraceContext(data, decision.TraceParent));
                appended.Add(batched[n]);
            }
            if (appended.Count == 0) break;
            try
            {
                await session.SaveChangesInCommitOrderAsync(cancellationToken);
                stored += appended.Count;
                break;
            }
            catch (Exception exception) when (EventStoreSessions.IsWriteConflict(exception))
            {
                // Nothing of the batch was stored: its decisions are made again on what is committed now.
                if (round >= BatchRounds)
                {
                    alone.AddRange(appended);
                    break;
                }
                batched = appended;
            }
        }

        foreach (var i in alone.Order())
        {
            if (await DecideAndAppendAloneAsync(store, decisions[i], cancellationToken)) stored++;
        }
        return stored;
    }

    /// <summary>Tries of a batch as a whole before its decisions are made one by one (alerting's fact batches use it too).</summary>
    public const int BatchRounds = 2;

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
}
