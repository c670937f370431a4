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
    /// Up to <paramref name="limit"/> events of <paramref name="types"/> after <paramref name="after"/>, read up to the
    /// log's head as it was before the read (<see cref="FeedLog.HeadAsync"/>: positions are handed out in commit order,
    /// so nothing can still appear below it). A short page moves the cursor to that head, so a filtered reader does not
    /// scan the same skipped events again.
    /// </summary>
    public static async Task<FeedPage> ReadAsync(IQuerySession session, long after, IReadOnlyList<FeedType> types, int limit, CancellationToken cancellationToken)
    {
        var head = await FeedLog.HeadAsync(session, cancellationToken);
        if (head <= after) return new FeedPage([], after);
        if (types.Count == 0) return new FeedPage([], head);
        var contracts = types.Select(type => type.Contract).ToArray();
        var events = await session.Events.QueryAllRawEvents()
            .Where(stored => stored.Sequence > after && stored.Sequence <= head && stored.EventTypesAre(contracts))
            .OrderBy(stored => stored.Sequence)
            .Take(limit)
            .ToListAsync(cancellationToken);
        var items = events.Select(ToItem).ToList();
        var next = items.Count == limit ? items[^1].Position : head;
        return new FeedPage(items, next);
    }

    /// <summary>The page as the API answers it.</summary>
    public static EventPageView ToView(FeedPage page) =>
        new(page.Items.Select(item => item.CloudEvent).ToList(), page.Next.ToString(CultureInfo.InvariantCulture));

    private static FeedItem ToItem(IEvent stored) =>
        new(stored.Sequence, FeedEnvelope.ToJson(FeedEnvelope.Create(stored.StreamId, stored.Sequence, stored.Data)));
}
