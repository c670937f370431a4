using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using NewsMonitor.Alerting.Alerts;
using NewsMonitor.Alerting.Subscriptions;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Feeds;

/// <summary>A subscription's feed as the API shows it: where a reader polls it.</summary>
public sealed record FeedView(string Url)
{
    /// <summary>The feed of <paramref name="subscription"/>, null when it has no token (revoked) or its token cannot be opened.</summary>
    public static FeedView? Of(Subscription subscription, FeedTokens feeds) => feeds.Open(subscription) is { } token ? new FeedView(feeds.UrlOf(token)) : null;
}

/// <summary>The private Atom feed of each subscription (<c>GET /feeds/{token}.atom</c>) and its owner's rotate and revoke.</summary>
public static class FeedsApi
{
    /// <summary>The route of the feed; the gateway's public table has the same pattern.</summary>
    public const string Route = "/feeds/{token}.atom";

    /// <summary>Maps the feed and the owner's feed endpoints.</summary>
    public static IEndpointRouteBuilder MapFeedsApi(this IEndpointRouteBuilder app)
    {
        // No caller identity: the token in the path is the credential. The request must still come through the gateway
        // (which rate-limits key-less callers per address), so this port is not a second door.
        app.MapMethods(Route, ["GET", "HEAD"], ReadAsync).AllowAnonymous();
        var owner = app.MapGroup("/api/v1/subscriptions/{id:guid}/feed").RequireAuthorization(Access.Subscribers);
        owner.MapPost("/rotate", RotateAsync);
        owner.MapDelete("/", RevokeAsync);
        return app;
    }

    private static async Task<IResult> ReadAsync(string token, HttpContext http, IDocumentSession session, InternalCredential credential, CancellationToken cancellationToken)
    {
        var presented = http.Request.Headers[GatewayCredential.Header];
        if (presented.Count != 1 || !credential.Matches(presented[0])) return Problems.Unauthorized("This service answers only requests forwarded by the NewsMonitor gateway.");
        // Unknown, revoked and rotated tokens, and deleted subscriptions, all answer alike; the detail never repeats the token.
        var notFound = Problems.NotFound("No feed at this address: the link is wrong, or its owner revoked or replaced it.");
        if (!FeedTokens.IsWellFormed(token)) return notFound;
        var hash = FeedTokens.Hash(token);
        var subscription = await session.Query<Subscription>().Where(candidate => candidate.FeedTokenHash == hash).FirstOrDefaultAsync(cancellationToken);
        if (subscription is null || subscription.Deleted) return notFound;

        var alerts = await session.Query<Alert>().Where(alert => alert.SubscriptionId == subscription.Id)
            .OrderByDescending(alert => alert.Sequence).Take(AtomFeed.Size).ToListAsync(cancellationToken);
        var etag = AtomFeed.ETag(subscription.Id, subscription.Name, subscription.ChangedAt, alerts.Select(alert => alert.Sequence));
        var lastModified = alerts.Select(alert => alert.RaisedAt).Append(subscription.ChangedAt).Max();
        var headers = http.Response.Headers;
        headers.ETag = etag;
        headers.LastModified = lastModified.ToString("r", System.Globalization.CultureInfo.InvariantCulture);
        // The document belongs to the token's holder: no shared cache keeps it, and no search engine lists a leaked link.
        headers.CacheControl = "private, no-cache";
        headers["X-Robots-Tag"] = "noindex, nofollow";
        if (AtomFeed.NotModified(http.Request.Headers.IfNoneMatch, http.Request.Headers.IfModifiedSince, etag, lastModified)) return Results.StatusCode(StatusCodes.Status304NotModified);

        var links = await ArticleLinks.LoadAsync(session, alerts.Select(alert => alert.ArticleId), cancellationToken);
        var entries = alerts.Select(alert =>
        {
            var link = links.GetValueOrDefault(alert.ArticleId);
            return new FeedEntry(alert.Id, alert.Title, alert.Matched, alert.RaisedAt, link?.Url, link?.Language, link?.PublishedAt);
        }).ToList();
        return Results.Bytes(AtomFeed.Write(subscription.Id, subscription.Name, lastModified, entries), AtomFeed.ContentType);
    }

    private static async Task<Results<Ok<FeedView>, ProblemHttpResult>> RotateAsync(
        Guid id, HttpContext http, IDocumentSession session, FeedTokens feeds, TimeProvider clock, CancellationToken cancellationToken)
    {
        var caller = Caller.From(http);
        // Also how a subscription made before feeds gets its first token. The version read is expected at save: of a
        // rotation and a revocation (or two rotations) racing, each is decided on the state the other left, and the
        // answer shows the token that is in effect when it was stored.
        string? token = null;
        return await session.DecideAsync<Results<Ok<FeedView>, ProblemHttpResult>>(id, _ =>
            {
                (token, var issued) = feeds.Issue(id, clock.GetUtcNow());
                return new RotateFeed(id, issued);
            },
            (after, _) => after is null ? NotFound(id) : TypedResults.Ok(new FeedView(feeds.UrlOf(token!))),
            () => EventStoreSessions.WriteConflict($"Subscription {id}"), cancellationToken, subscription => caller.CanSee(subscription.Tenant));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(Guid id, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken cancellationToken)
    {
        var caller = Caller.From(http);
        // Revoking a revoked feed changes nothing and stores nothing.
        return await session.DecideAsync<Results<NoContent, ProblemHttpResult>>(id, _ => new RevokeFeed(id, clock.GetUtcNow()),
            (after, _) => after is null ? NotFound(id) : TypedResults.NoContent(),
            () => EventStoreSessions.WriteConflict($"Subscription {id}"), cancellationToken, subscription => caller.CanSee(subscription.Tenant));
    }

    private static ProblemHttpResult NotFound(Guid id) => Problems.NotFound($"No subscription with id {id}.");
}
