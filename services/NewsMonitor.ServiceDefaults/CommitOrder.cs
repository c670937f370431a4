using Marten;
using Npgsql;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// Saves a session's events so that their sequence numbers are handed out in commit order: the save runs in one
/// transaction that first takes this store's transaction-scoped advisory lock, so the numbers are reserved (by Rich
/// appends in a query of their own, by Quick appends inside the insert) and committed while no other writer of the
/// store can reserve any. A hole below a committed event is then only ever a rolled-back append, never an append
/// still on its way, and the async daemon cannot step over an event that commits late.
/// </summary>
/// <remarks>
/// Why: Marten's daemon steps over a hole in the sequence after <c>StaleSequenceThreshold</c> (250 ms here) when it
/// finds no transaction that began before it saw the hole. A plain Rich append reserves its numbers outside any
/// transaction and begins its write transaction later, so a writer held up between the two (a loaded machine) is not
/// found, and its events are never seen by the relays (docs/reliability-sequence.md). The lock is FeedLog's (events
/// service): one per schema, in the two-key space apart from the daemon's one-key locks.
/// </remarks>
public static class CommitOrder
{
    /// <summary>Class of the two-key advisory lock; the second key is <c>hashtext(schema)</c>.</summary>
    public const int LockClass = 0x4E4D4556; // "NMEV", the same lock FeedLog takes

    /// <summary>
    /// Saves <paramref name="session"/>'s pending changes; when they include events, under the store's commit-order
    /// lock in one transaction (see <see cref="CommitOrder"/>). Without events it is a plain save and takes no lock.
    /// </summary>
    public static async Task SaveChangesInCommitOrderAsync(this IDocumentSession session, CancellationToken cancellationToken)
    {
        if (!HasEvents(session))
        {
            await session.SaveChangesAsync(cancellationToken);
            return;
        }
        await session.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("select pg_advisory_xact_lock(@class, hashtext(@schema))", (NpgsqlConnection)session.Connection!))
        {
            command.Parameters.AddWithValue("class", LockClass);
            command.Parameters.AddWithValue("schema", session.DocumentStore.Options.Events.DatabaseSchemaName);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        // The sequence numbers are taken inside this save, after the lock; the commit at its end releases the lock.
        await session.SaveChangesAsync(cancellationToken);
    }

    /// <summary>True when the session has events to append.</summary>
    public static bool HasEvents(IDocumentSession session) => session.PendingChanges.Streams().Any(stream => stream.Events.Count > 0);
}
