using JasperFx.Events;
using Marten;
using MassTransit;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Events.Feed;

/// <summary>Settings of the event feed (configuration section <c>Events</c>).</summary>
public sealed class EventFeedOptions
{
    /// <summary>A stream with nothing to send for this long sends <c>event: heartbeat</c> (api.md: 15 s).</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a live stream re-reads the store when no commit signal woke it.</summary>
    public TimeSpan Poll { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Registers the event feed: event store (schema <c>events</c>), the consumer of every integration event, the stream signal.</summary>
public static class EventFeedModule
{
    /// <summary>Adds everything the event feed needs.</summary>
    public static WebApplicationBuilder AddEventFeed(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<EventFeedOptions>(builder.Configuration.GetSection("Events"));
        builder.AddEventStore("events", options =>
            {
                // Quick appends take each event's sequence number inside the insert, in the writing transaction and so
                // under FeedLog's lock (Rich appends reserve the numbers in a query of their own first). Starting a
                // stream still inserts its row, so a redelivery collides.
                options.Events.AppendMode = EventAppendMode.Quick;
                foreach (var type in FeedTypes.All) options.Events.AddEventType(type.Contract);
            });
        builder.AddMessaging("events", bus => bus
            .AddConsumer<FeedRecorder>((_, consumer) => consumer.Options<BatchOptions>(batch => batch
                // Up to 100 deliveries per transaction, waiting at most 20 ms for a batch to fill; two batches in flight,
                // so one fills while the other waits for the log's lock.
                .SetMessageLimit(100)
                .SetTimeLimit(TimeSpan.FromMilliseconds(20))
                .SetConcurrencyLimit(2)))
            .Endpoint(endpoint => endpoint.PrefetchCount = 200));
        builder.Services.AddSingleton<FeedSignal>();
        return builder;
    }
}
