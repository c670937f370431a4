using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Events.Feed;

/// <summary>
/// <c>GET /api/v1/events</c> (pages) and <c>GET /api/v1/events/stream</c> (Server-Sent Events): every integration event
/// in one durable order, as CloudEvents. Integrators read the article events; alert and digest events carry
/// subscribers' tenants and are for operators.
/// </summary>
public static class EventFeedApi
{
    /// <summary>Largest page a caller may ask for.</summary>
    public const int MaxLimit = 1000;

    // How many events a stream reads from the store at a time while it catches up.
    private const int StreamBatch = 500;

    /// <summary>Maps the feed endpoints.</summary>
    public static IEndpointRouteBuilder MapEventFeedApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/events").RequireAuthorization(Access.Integrators);
        group.MapGet("", ListAsync);
        group.MapGet("/stream", StreamAsync);
        return app;
    }

    private static async Task<Results<Ok<EventPageView>, ProblemHttpResult>> ListAsync(
        HttpContext http, IQuerySession session, CancellationToken cancellationToken, string? after = null, string? types = null, int limit = 100)
    {
        if (limit is < 1 or > MaxLimit) return Problems.BadRequest("Invalid limit", $"limit must be between 1 and {MaxLimit}.");
        if (!FeedTypes.TryParsePosition(after, out var position)) return Problems.BadRequest("Invalid cursor", "after must be a position: the 'next' value of a page or an event's position.");
        if (Select(http, types, out var problem) is not { } selected) return problem!;
        var page = await FeedReader.ReadAsync(session, position, selected, limit, cancellationToken);
        return TypedResults.Ok(FeedReader.ToView(page));
    }

    private static Results<ServerSentEventsResult<JsonElement?>, ProblemHttpResult> StreamAsync(
        HttpContext http, IDocumentStore store, FeedSignal signal, IOptions<EventFeedOptions> options, CancellationToken cancellationToken,
        string? after = null, string? types = null)
    {
        // A reconnecting EventSource sends the last id it saw; it wins over the after= of the URL it reconnects to.
        var lastEventId = http.Request.Headers["Last-Event-ID"].ToString();
        var cursor = string.IsNullOrEmpty(lastEventId) ? after : lastEventId;
        if (!FeedTypes.TryParsePosition(cursor, out var position)) return Problems.BadRequest("Invalid cursor", "Last-Event-ID and after must be a position: an event's id in this stream.");
        if (Select(http, types, out var problem) is not { } selected) return problem!;
        return TypedResults.ServerSentEvents(Events(http, store, signal, options.Value, position, selected, cancellationToken));
    }

    private static IReadOnlyList<FeedType>? Select(HttpContext http, string? types, out ProblemHttpResult? problem)
    {
        var selected = FeedTypes.Select(types, Caller.From(http).IsOperator, out var error, out var forbidden);
        problem = selected is not null ? null : forbidden ? Problems.Forbidden(error!) : Problems.BadRequest("Invalid types", error!);
        return selected;
    }

    private static async IAsyncEnumerable<SseItem<JsonElement?>> Events(HttpContext http, IDocumentStore store, FeedSignal signal, EventFeedOptions options, long position,
        IReadOnlyList<FeedType> types, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The status and headers go out now, not with the first event: a client opening the stream at the head would
        // otherwise wait for the first event or heartbeat to learn that it is connected.
        await http.Response.Body.FlushAsync(cancellationToken);
        var quietSince = DateTimeOffset.UtcNow;
        while (!cancellationToken.IsCancellationRequested)
        {
            // Listen before reading: a commit between the read and the wait still wakes this stream.
            var woken = signal.Next;
            FeedPage page;
            await using (var session = store.QuerySession())
            {
                page = await FeedReader.ReadAsync(session, position, types, StreamBatch, cancellationToken);
            }
            // Everything comes from the store by position, caught-up history and live events alike: there is no switch
            // between two sources at which an event could be missed or sent twice.
            foreach (var item in page.Items)
            {
                yield return new SseItem<JsonElement?>(item.CloudEvent, "cloudevent") { EventId = item.Position.ToString(CultureInfo.InvariantCulture) };
            }
            position = page.Next;
            if (page.Items.Count > 0) quietSince = DateTimeOffset.UtcNow;
            if (page.Items.Count == StreamBatch) continue;

            if (DateTimeOffset.UtcNow - quietSince >= options.Heartbeat)
            {
                // A heartbeat keeps proxies from closing a quiet connection.
                quietSince = DateTimeOffset.UtcNow;
                yield return new SseItem<JsonElement?>(null, "heartbeat");
            }
            var wait = Min(options.Poll, options.Heartbeat - (DateTimeOffset.UtcNow - quietSince));
            try
            {
                await woken.WaitAsync(wait, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Nothing was signalled on this node: read again anyway (another replica's consumer may have written).
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    private static TimeSpan Min(TimeSpan first, TimeSpan second) => first < second ? (first > TimeSpan.Zero ? first : TimeSpan.Zero) : (second > TimeSpan.Zero ? second : TimeSpan.Zero);
}
