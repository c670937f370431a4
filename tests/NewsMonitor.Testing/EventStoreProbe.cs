using Npgsql;

namespace NewsMonitor.Testing;

/// <summary>
/// Reads a service's Marten event store directly: what was stored for the test's own ids, and how far the async daemon's
/// projections and subscriptions (the relays that publish integration events) have come.
/// </summary>
public static class EventStoreProbe
{
    /// <summary>The highest event sequence number stored in <paramref name="schema"/> (0 when there is none).</summary>
    public static Task<long> HighestSequenceAsync(string schema) =>
        TestInfrastructure.ScalarAsync<long>($"select coalesce(max(seq_id), 0) from \"{schema}\".mt_events");

    /// <summary>Events in stream <paramref name="streamId"/>, of <paramref name="type"/> (Marten's snake-case alias, e.g. <c>alert_triggered</c>) when given.</summary>
    public static Task<long> CountAsync(string schema, Guid streamId, string? type = null) =>
        TestInfrastructure.ScalarAsync<long>($"select count(*) from \"{schema}\".mt_events where stream_id = '{streamId}'" + (type is null ? "" : $" and type = '{type}'"));

    /// <summary>
    /// Waits until the daemon shard <paramref name="shard"/> (a projection or subscription name, e.g. <c>alerting-relay</c>)
    /// has processed every event stored in <paramref name="schema"/> at the time of the call. For a relay that means every
    /// integration event of those events has been published and confirmed by the broker (it saves its progress only then).
    /// </summary>
    public static async Task CaughtUpAsync(string schema, string shard, TimeSpan? timeout = null)
    {
        var target = await HighestSequenceAsync(schema);
        if (target == 0) return;
        await Eventually.TrueAsync(async () => await ProgressAsync(schema, shard) >= target, $"{shard} in {schema} to reach event {target}", timeout);
    }

    /// <summary>The last sequence number <paramref name="shard"/> has processed, or -1 when it has not saved any progress yet.</summary>
    public static async Task<long> ProgressAsync(string schema, string shard)
    {
        try
        {
            return await TestInfrastructure.ScalarAsync<long>(
                $"select coalesce(max(last_seq_id), -1) from \"{schema}\".mt_event_progression where name like '{shard}:%'");
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return -1; // the daemon has not created its table yet
        }
    }
}
