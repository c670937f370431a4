using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Marten;
using Microsoft.Extensions.Logging;
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
/// found, and its events are never seen by the relays (docs/reliability.md, "Event sequence and the async daemon"). The lock is FeedLog's (events
/// service): one per schema, in the two-key space apart from the daemon's one-key locks.
/// </remarks>
public static class CommitOrder
{
    /// <summary>Class of the two-key advisory lock; the second key is <c>hashtext(schema)</c>.</summary>
    public const int LockClass = 0x4E4D4556; // "NMEV", the same lock FeedLog takes

    /// <summary>
    /// Saves <paramref name="session"/>'s pending changes; when they include events, under the store's commit-order
    /// lock in one transaction (see <see cref="CommitOrder"/>). Without events it is a plain save and takes no lock.
    /// <paramref name="underLock"/>, when given, runs once the lock is held, in the transaction and before the save: a
    /// read there sees every event write of the store committed so far and none can commit until this one has (a check
    /// that throws leaves nothing stored; the caller decides again).
    /// </summary>
    public static async Task SaveChangesInCommitOrderAsync(this IDocumentSession session, CancellationToken cancellationToken, Func<CancellationToken, Task>? underLock = null)
    {
        if (!HasEvents(session))
        {
            await session.SaveChangesAsync(cancellationToken);
            return;
        }
        await session.BeginTransactionAsync(cancellationToken);
        var asked = Stopwatch.GetTimestamp();
        await using (var command = new NpgsqlCommand("select pg_advisory_xact_lock(@class, hashtext(@schema))", (NpgsqlConnection)session.Connection!))
        {
            command.Parameters.AddWithValue("class", LockClass);
            command.Parameters.AddWithValue("schema", session.DocumentStore.Options.Events.DatabaseSchemaName);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        var held = Stopwatch.GetTimestamp();
        LockWait.Record(Stopwatch.GetElapsedTime(asked, held).TotalMilliseconds);
        if (underLock is not null) await underLock(cancellationToken);
        // The sequence numbers are taken inside this save, after the lock; the commit at its end releases the lock.
        Ordered.AddOrUpdate(session, LockClass);
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            Ordered.Remove(session);
            var holding = Stopwatch.GetElapsedTime(held).TotalMilliseconds;
            LockHold.Record(holding);
            LockBusy.Add(holding);
        }
    }

    // How long saves wait for the lock and hold it (through the save and its commit): the lock serialises a store's
    // writers, so the sum of the hold times per second is how busy it is (1,000 ms/s: every write waits its turn).
    private static readonly Histogram<double> LockWait = Telemetry.Meter.CreateHistogram<double>("newsmonitor.commit_order.lock_wait", "ms",
        "Time a save with events waited for its store's commit-order lock.");
    private static readonly Histogram<double> LockHold = Telemetry.Meter.CreateHistogram<double>("newsmonitor.commit_order.lock_hold", "ms",
        "Time a save with events held its store's commit-order lock: the save and its commit.");
    private static readonly Counter<double> LockBusy = Telemetry.Meter.CreateCounter<double>("newsmonitor.commit_order.lock_busy", "ms",
        "Sum of this process's commit-order lock hold times (its rate, in ms per second, is how busy this process keeps the lock).");

    /// <summary>Sessions saving through <see cref="SaveChangesInCommitOrderAsync"/> right now, for <see cref="CommitOrderGuard"/>.</summary>
    private static readonly ConditionalWeakTable<IDocumentSession, object> Ordered = new();

    internal static bool IsSavingInOrder(IDocumentSession session) => Ordered.TryGetValue(session, out _);

    /// <summary>True when the session has events to append.</summary>
    public static bool HasEvents(IDocumentSession session) => session.PendingChanges.Streams().Any(stream => stream.Events.Count > 0);
}

/// <summary>What <see cref="CommitOrderGuard"/> does with an event append saved without the commit-order lock.</summary>
public enum UnorderedAppends
{
    /// <summary>Saved as it is.</summary>
    Allow,

    /// <summary>Saved, with a warning naming the streams' types.</summary>
    Warn,

    /// <summary>Refused with <see cref="InvalidOperationException"/>, before anything is written (the default: every write path saves in commit order).</summary>
    Refuse,
}

/// <summary>
/// Finds event appends saved with a plain <c>SaveChangesAsync</c>, which a relay could miss
/// (<c>NewsMonitor:Events:UnorderedAppends</c>: Allow, Warn or Refuse, the default).
/// </summary>
internal sealed class CommitOrderGuard(UnorderedAppends mode, ILogger logger) : DocumentSessionListenerBase
{
    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        if (mode == UnorderedAppends.Allow || !CommitOrder.HasEvents(session) || CommitOrder.IsSavingInOrder(session)) return Task.CompletedTask;
        var streams = string.Join(", ", session.PendingChanges.Streams().Select(stream => stream.AggregateType?.Name ?? "stream").Distinct());
        if (mode == UnorderedAppends.Refuse)
            throw new InvalidOperationException($"Events appended ({streams}) without SaveChangesInCommitOrderAsync: the async daemon could step over them.");
        logger.LogWarning("Events appended ({Streams}) without SaveChangesInCommitOrderAsync: the async daemon could step over them", streams);
        return Task.CompletedTask;
    }
}
