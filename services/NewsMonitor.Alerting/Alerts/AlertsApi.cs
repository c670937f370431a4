using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Alerts;

/// <summary>An alert as the feed shows it.</summary>
public sealed record AlertView(Guid Id, Guid SubscriptionId, Guid ArticleId, string Title, IReadOnlyList<string> Matched, DateTimeOffset RaisedAt, long Position);

/// <summary>A page of the alert feed; pass <see cref="Next"/> as <c>after</c> to read on.</summary>
public sealed record AlertPage(IReadOnlyList<AlertView> Items, string? Next);

/// <summary>The alert feed: <c>GET /api/v1/alerts?subscriptionId=&amp;after=&amp;limit=</c>, oldest first.</summary>
public static class AlertsApi
{
    /// <summary>Maps the alert endpoints.</summary>
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/alerts", ListAsync).RequireAuthorization(Access.Subscribers);
        return app;
    }

    private static async Task<Results<Ok<AlertPage>, ProblemHttpResult>> ListAsync(
        HttpContext http, IQuerySession session, CancellationToken cancellationToken, Guid? subscriptionId = null, string? after = null, int limit = 50)
    {
        if (limit is < 1 or > 500) return Problems.BadRequest("Invalid limit", "limit must be between 1 and 500.");
        long position = 0;
        if (after is not null && !long.TryParse(after, out position)) return Problems.BadRequest("Invalid cursor", "after must be the 'next' value of a previous page.");

        // Sequences are taken when a transaction inserts, not when it commits: an alert with a lower sequence can
        // become visible after a higher one. Paging only up to the event store's high-water mark (the highest
        // sequence below which no transaction is still open) means a cursor never steps over an alert.
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        var highWater = (await session.QueryAsync<long>(
            $"select coalesce(max(last_seq_id), 0) from {schema}.mt_event_progression where name = 'HighWaterMark'", cancellationToken))[0];
        var caller = Caller.From(http);
        var query = session.Query<Alert>().Where(alert => alert.Sequence > position && alert.Sequence <= highWater);
        if (!caller.IsOperator) query = query.Where(alert => alert.Tenant == caller.Tenant);
        if (subscriptionId is { } id) query = query.Where(alert => alert.SubscriptionId == id);
        var alerts = await query.OrderBy(alert => alert.Sequence).Take(limit).ToListAsync(cancellationToken);

        var items = alerts.Select(alert => new AlertView(alert.Id, alert.SubscriptionId, alert.ArticleId, alert.Title, alert.Matched, alert.RaisedAt, alert.Sequence)).ToList();
        var next = items.Count > 0 ? items[^1].Position.ToString(System.Globalization.CultureInfo.InvariantCulture) : after;
        return TypedResults.Ok(new AlertPage(items, next));
    }
}
