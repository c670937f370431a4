using System.Globalization;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Alerts;

/// <summary>An alert as the feed shows it.</summary>
public sealed record AlertView(Guid Id, Guid SubscriptionId, Guid ArticleId, string Title, IReadOnlyList<string> Matched, DateTimeOffset RaisedAt, long Position)
{
    /// <summary>The view of a stored alert; its position is the alert's global sequence.</summary>
    public static AlertView Of(Alert alert) => new(alert.Id, alert.SubscriptionId, alert.ArticleId, alert.Title, alert.Matched, alert.RaisedAt, alert.Sequence);
}

/// <summary>A page of the alert feed; pass <see cref="Next"/> as <c>after</c> (or, newest first, as <c>before</c>) to read on.</summary>
public sealed record AlertPage(IReadOnlyList<AlertView> Items, string? Next);

/// <summary>The article an alert points to, as alerting knows it (<c>GET /api/v1/alerts/{id}/article</c>).</summary>
public sealed record AlertArticleView(Guid Id, string? Title, string? Body, string? Url, string? Source, string? Language, DateTimeOffset? PublishedAt, Guid? DuplicateOf,
    IReadOnlyList<ExtractedEntity>? Entities, IReadOnlyList<string>? Topics)
{
    /// <summary>The view of the facts alerting folded for the article.</summary>
    public static AlertArticleView Of(AlertingArticle article) => new(article.Id, article.Title, article.Body, article.Url, article.Source, article.Language,
        article.PublishedAt, article.DuplicateOf, article.Entities, article.Topics);
}

/// <summary>Reading order of the alert feed.</summary>
public enum AlertOrder
{
    /// <summary>Oldest first, after a position.</summary>
    Ascending,
    /// <summary>Newest first, before a position.</summary>
    Descending,
}

/// <summary>Positions in the alert feed as clients send them (<c>after</c>, <c>before</c>, <c>Last-Event-ID</c>).</summary>
public static class AlertCursor
{
    /// <summary>Parses a position: a non-negative integer in invariant digits, nothing else.</summary>
    public static bool TryParse(string? text, out long position)
    {
        position = 0;
        return text is not null && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out position);
    }

    /// <summary>
    /// Where a stream resumes: the <c>Last-Event-ID</c> header when present (a browser's EventSource sends it by itself,
    /// and it is newer than whatever query the page was first opened with), else <c>after</c>; null when neither is given
    /// (start at the current end). <paramref name="valid"/> is false when the one that applies is not a position.
    /// </summary>
    public static long? ResumeFrom(string? lastEventId, string? after, out bool valid)
    {
        var given = string.IsNullOrEmpty(lastEventId) ? after : lastEventId;
        if (given is null)
        {
            valid = true;
            return null;
        }
        valid = TryParse(given, out var position);
        return valid ? position : null;
    }

    /// <summary>Formats a position as the feed's cursors and the stream's event ids carry it.</summary>
    public static string Format(long position) => position.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// The one query over stored alerts, shared by the feed and the stream: a caller's alerts (operators: all), optionally of
/// one subscription, never beyond the event store's high-water mark.
/// </summary>
public static class AlertQueries
{
    /// <summary>
    /// The event store's high-water mark: the highest sequence below which no transaction is still open. Sequences are
    /// taken when a transaction inserts, not when it commits, so an alert with a lower sequence can become visible after a
    /// higher one; reading only up to this mark means a cursor never steps over an alert.
    /// </summary>
    public static async Task<long> HighWaterMarkAsync(IQuerySession session, CancellationToken cancellationToken)
    {
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        return (await session.QueryAsync<long>(
            $"select coalesce(max(last_seq_id), 0) from {schema}.mt_event_progression where name = 'HighWaterMark'", cancellationToken))[0];
    }

    /// <summary>
    /// Up to <paramref name="limit"/> of the caller's alerts after <paramref name="after"/> (oldest first) or before
    /// <paramref name="before"/> (newest first), at or below <paramref name="highWater"/>.
    /// </summary>
    public static Task<IReadOnlyList<Alert>> ReadAsync(IQuerySession session, Caller caller, Guid? subscriptionId, AlertOrder order, long? after, long? before,
        long highWater, int limit, CancellationToken cancellationToken)
    {
        var query = session.Query<Alert>().Where(alert => alert.Sequence <= highWater);
        if (after is { } from) query = query.Where(alert => alert.Sequence > from);
        if (before is { } to) query = query.Where(alert => alert.Sequence < to);
        if (!caller.IsOperator) query = query.Where(alert => alert.Tenant == caller.Tenant);
        if (subscriptionId is { } id) query = query.Where(alert => alert.SubscriptionId == id);
        query = order == AlertOrder.Ascending ? query.OrderBy(alert => alert.Sequence) : query.OrderByDescending(alert => alert.Sequence);
        return query.Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>The alert with this id when the caller may see it, else null (another tenant's alert is not there for it).</summary>
    public static async Task<Alert?> FindAsync(IQuerySession session, Guid id, Caller caller, CancellationToken cancellationToken) =>
        await session.LoadAsync<Alert>(id, cancellationToken) is { } alert && caller.CanSee(alert.Tenant) ? alert : null;
}

/// <summary>
/// The alert feed: <c>GET /api/v1/alerts?subscriptionId=&amp;after=&amp;limit=</c> (oldest first) or
/// <c>?order=desc&amp;before=</c> (newest first), <c>GET /api/v1/alerts/{id}</c> and <c>GET /api/v1/alerts/{id}/article</c>.
/// </summary>
public static class AlertsApi
{
    /// <summary>Maps the alert endpoints.</summary>
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        var alerts = app.MapGroup("/api/v1/alerts").RequireAuthorization(Access.Subscribers);
        alerts.MapGet("", ListAsync);
        alerts.MapGet("/{id:guid}", GetAsync);
        alerts.MapGet("/{id:guid}/article", ArticleAsync);
        return app;
    }

    private static async Task<Results<Ok<AlertPage>, ProblemHttpResult>> ListAsync(
        HttpContext http, IQuerySession session, CancellationToken cancellationToken, Guid? subscriptionId = null, string? after = null, string? before = null,
        string? order = null, int limit = 50)
    {
        if (limit is < 1 or > 500) return Problems.BadRequest("Invalid limit", "limit must be between 1 and 500.");
        var direction = order switch
        {
            null or "asc" => AlertOrder.Ascending,
            "desc" => AlertOrder.Descending,
            _ => (AlertOrder?)null,
        };
        if (direction is null) return Problems.BadRequest("Invalid order", "order must be 'asc' or 'desc'.");
        long? from = null, to = null;
        if (after is not null)
        {
            if (direction != AlertOrder.Ascending) return Problems.BadRequest("Invalid cursor", "after reads oldest first; newest first pages with before.");
            if (!AlertCursor.TryParse(after, out var position)) return Problems.BadRequest("Invalid cursor", "after must be the 'next' value of a previous page.");
            from = position;
        }
        if (before is not null)
        {
            if (direction != AlertOrder.Descending) return Problems.BadRequest("Invalid cursor", "before reads newest first: add order=desc.");
            if (!AlertCursor.TryParse(before, out var position)) return Problems.BadRequest("Invalid cursor", "before must be the 'next' value of a previous page.");
            to = position;
        }

        var highWater = await AlertQueries.HighWaterMarkAsync(session, cancellationToken);
        var alerts = await AlertQueries.ReadAsync(session, Caller.From(http), subscriptionId, direction.Value, from ?? (direction == AlertOrder.Ascending ? 0 : null), to,
            highWater, limit, cancellationToken);
        var items = alerts.Select(AlertView.Of).ToList();
        // Oldest first the feed has no end (later alerts come after the last); newest first it ends at the oldest alert.
        var next = direction == AlertOrder.Ascending
            ? items.Count > 0 ? AlertCursor.Format(items[^1].Position) : after
            : items.Count == limit ? AlertCursor.Format(items[^1].Position) : null;
        return TypedResults.Ok(new AlertPage(items, next));
    }

    private static async Task<Results<Ok<AlertView>, ProblemHttpResult>> GetAsync(Guid id, HttpContext http, IQuerySession session, CancellationToken cancellationToken) =>
        await AlertQueries.FindAsync(session, id, Caller.From(http), cancellationToken) is { } alert
            ? TypedResults.Ok(AlertView.Of(alert))
            : Problems.NotFound($"No alert with id {id}.");

    private static async Task<Results<Ok<AlertArticleView>, ProblemHttpResult>> ArticleAsync(Guid id, HttpContext http, IQuerySession session, CancellationToken cancellationToken)
    {
        // The article is reachable only through an alert the caller may see: a subscriber opens its own alerts' articles, nothing else.
        if (await AlertQueries.FindAsync(session, id, Caller.From(http), cancellationToken) is not { } alert) return Problems.NotFound($"No alert with id {id}.");
        var article = await session.Events.AggregateStreamAsync<AlertingArticle>(alert.ArticleId, token: cancellationToken);
        return article is null ? Problems.NotFound($"The article of alert {id} is not known here.") : TypedResults.Ok(AlertArticleView.Of(article));
    }
}
