using System.Globalization;
using System.Text.Json;
using JasperFx.Events;
using Marten;
using Marten.Events;

namespace NewsMonitor.Events.Feed;

/// <summary>One event of the feed: its position and its CloudEvent as JSON.</summary>
public sealed record FeedItem(long Position, JsonElement CloudEvent);

/// <summary>A page of the feed, oldest first; <see cref="Next"/> is where the next read starts.</summary>
public sealed record FeedPage(IReadOnlyList<FeedItem> Items, long Next);

/// <summary>Answer of <c>GET /api/v1/events</c>: CloudEvents, oldest first; pass <see cref="Next"/> as <c>after</c> to read on.</summary>
public sealed record EventPageView(IReadOnlyList<JsonElement> Items, string Next);

/// <summary>Reads the feed from the event store, in the store's global order, never past its high-water mark.</summary>
public static class FeedReader
{
    /// <summary>
    /// Up to <paramref name="limit"/> events of <paramref name="types"/> after <paramref name="after"/>. Sequences are
    /// taken when a transaction inserts, not when it commits, so a lower one can become visible after a higher one;
    /// reading only up to the high-water mark (below which no transaction is still open) means a cursor never steps
    /// over an event that commits late. A short page moves the cursor to the mark itself, so a filtered reader does not
    /// scan the same skipped events again.
    /// </summary>
    public static async Task<FeedPage> ReadAsync(IQuerySession session, long after, IReadOnlyList<FeedType> types, int limit, CancellationToken cancellationToken)
    {
        var highWater = await HighWaterMarkAsync(session, cancellationToken);
        if (highWater <= after) return new FeedPage([], after);
        if (types.Count == 0) return new FeedPage([], highWater);
        var contracts = types.Select(type => type.Contract).ToArray();
        var events = await session.Events.QueryAllRawEvents()
            .Where(stored => stored.Sequence > after && stored.Sequence <= highWater && stored.EventTypesAre(contracts))
            .OrderBy(stored => stored.Sequence)
            .Take(limit)
            .ToListAsync(cancellationToken);
        var items = events.Select(ToItem).ToList();
        var next = items.Count == limit ? items[^1].Position : highWater;
        return new FeedPage(items, next);
    }

    /// <summary>The highest position below which every transaction has committed or rolled back (0 before the first event).</summary>
    public static async Task<long> HighWaterMarkAsync(IQuerySession session, CancellationToken cancellationToken)
    {
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        return (await session.QueryAsync<long>(
            $"select coalesce(max(last_seq_id), 0) from {schema}.mt_event_progression where name = 'HighWaterMark'", cancellationToken))[0];
    }

    /// <summary>The page as the API answers it.</summary>
    public static EventPageView ToView(FeedPage page) =>
        new(page.Items.Select(item => item.CloudEvent).ToList(), page.Next.ToString(CultureInfo.InvariantCulture));

    private static FeedItem ToItem(IEvent stored) =>
        new(stored.Sequence, FeedEnvelope.ToJson(FeedEnvelope.Create(stored.StreamId, stored.Sequence, stored.Data)));
}
