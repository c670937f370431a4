using Marten;
using NewsMonitor.ServiceDefaults;
using Npgsql;

namespace NewsMonitor.Events.Feed;

/// <summary>
/// Writes to and bounds the feed's log. Every write takes one transaction-scoped advisory lock before its events get
/// their sequence numbers and holds it until commit, so numbers are handed out in commit order: once a position is
/// visible, every lower position is committed or will never exist. The highest stored position is then a safe place
/// to read up to, and a cursor never steps over an event that commits late. (Marten's high-water mark, which the alert
/// feed uses, did not give that here: under load its detection found no live writer behind reserved numbers and moved
/// past events that committed afterwards; see docs/events.md.)
/// </summary>
public static class FeedLog
{
    // The two-key form of the advisory lock: a key space of its own, apart from the one-key locks Marten's daemon takes.
    internal const int LockClass = CommitOrder.LockClass; // "NMEV": the lock every service's appends take

    /// <summary>
    /// Appends <paramref name="events"/> (message id, integration event), each as a new stream named by its message id,
    /// in one transaction under the log's lock. Message ids already in the log (redeliveries), or repeated in the batch,
    /// are skipped: under the lock no other writer can add one meanwhile. Returns how many events were appended.
    /// </summary>
    public static async Task<int> AppendAsync(IDocumentSession session, IReadOnlyList<(Guid Id, object Message)> events, CancellationToken cancellationToken)
    {
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        await session.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("select pg_advisory_xact_lock(@class, hashtext(@schema))", (NpgsqlConnection)session.Connection!))
        {
            command.Parameters.AddWithValue("class", LockClass);
            command.Parameters.AddWithValue("schema", schema);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        var ids = events.Select(entry => entry.Id).Distinct().ToArray();
        var stored = new HashSet<Guid>(await session.QueryAsync<Guid>($"select id from {schema}.mt_streams where id = any(?)", cancellationToken, ids));
        var appended = 0;
        foreach (var (id, message) in events)
        {
            if (!stored.Add(id)) continue;
            session.Events.StartStream(id, message);
            appended++;
        }
        // Through CommitOrder (the same lock, taken again within this transaction) so NewsMonitor:Events:UnorderedAppends=Refuse accepts it.
        await session.SaveChangesInCommitOrderAsync(cancellationToken);
        return appended;
    }

    /// <summary>The highest position in the log (0 when empty): every position up to it is committed or never will be.</summary>
    public static async Task<long> HeadAsync(IQuerySession session, CancellationToken cancellationToken)
    {
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        return (await session.QueryAsync<long>($"select coalesce(max(seq_id), 0) from {schema}.mt_events", cancellationToken))[0];
    }
}

/// <summary>
/// Wakes this node's Server-Sent Events streams when its consumer has committed events, so a live stream does not poll
/// the store while nothing happens. Streams still re-read on a timer (<see cref="EventFeedOptions.Poll"/>): with
/// several replicas, another node's consumer may have written.
/// </summary>
public sealed class FeedSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next signal (or never; callers wait with a timeout).</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Wakes every waiting stream.</summary>
    public void Raise() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
