using System.Net;
using Marten;
using NewsMonitor.Alerting.Delivery;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Subscriptions;

/// <summary>
/// The links in alert mail, anonymous because the token (<see cref="EmailLinkTokens"/>) is the credential:
/// <c>/unsubscribe/{token}</c> removes the email address from the subscription (the rest of it stays), and
/// <c>/email/confirm/{token}</c> confirms a new address (double opt-in). <c>GET</c> shows a confirmation page with a
/// form (mail scanners that open links must change nothing), <c>POST</c> (the form, or a mail client's RFC 8058
/// one-click unsubscribe) acts. An invalid token answers 404; a token for an address no longer on the subscription
/// changes nothing.
/// </summary>
public static class UnsubscribeApi
{
    // What each link does: its page texts and the event it appends to a subscription that still has the token's address.
    private sealed record LinkAction(EmailLink Link, string Title, string Question, string Button, string Done, string NotThere,
        Func<Guid, string, DateTimeOffset, SubscriptionCommand> Command);

    private static readonly LinkAction Unsubscribe = new(EmailLink.Unsubscribe, "Unsubscribe", "Stop emailing alerts of “{0}” to {1}?", "Unsubscribe",
        "{1} gets no more email from “{0}”.", "{1} gets no email from this subscription.",
        (id, address, at) => new UnsubscribeEmail(id, address, at));

    private static readonly LinkAction Confirm = new(EmailLink.Confirm, "Confirm email", "Email the alerts of “{0}” to {1}?", "Confirm",
        "{1} will get the alerts of “{0}”.", "{1} is not (or no longer) waiting for confirmation on this subscription.",
        (id, address, at) => new ConfirmEmail(id, address, at));

    /// <summary>Maps the anonymous unsubscribe and confirmation endpoints.</summary>
    public static IEndpointRouteBuilder MapUnsubscribeApi(this IEndpointRouteBuilder app)
    {
        foreach (var (prefix, action) in new[] { ("/unsubscribe", Unsubscribe), ("/email/confirm", Confirm) })
        {
            // No caller identity (the token is the credential), unlike every other route of the service. The request must
            // still come through the gateway (FromGateway), so this port is not a second door.
            var group = app.MapGroup(prefix).AllowAnonymous();
            group.MapGet("/{token}", (string token, HttpContext http, EmailLinkTokens tokens, IQuerySession session, InternalCredential credential, CancellationToken cancellationToken) =>
                FromGateway(http, credential) ?? ShowAsync(action, token, http, tokens, session, cancellationToken));
            group.MapPost("/{token}", (string token, HttpContext http, EmailLinkTokens tokens, IDocumentSession session, TimeProvider clock, ILogger<EmailLinkTokens> logger,
                InternalCredential credential, CancellationToken cancellationToken) =>
                FromGateway(http, credential) ?? ActAsync(action, token, http, tokens, session, clock, logger, cancellationToken));
        }
        return app;
    }

    private static async Task<IResult> ShowAsync(LinkAction action, string token, HttpContext http, EmailLinkTokens tokens, IQuerySession session, CancellationToken cancellationToken)
    {
        if (tokens.Open(action.Link, token) is not var (id, address)) return NotFound();
        var subscription = await session.LoadAsync<Subscription>(id, cancellationToken);
        NoStore(http);
        // The decider says whether following the link would change anything; the page only asks, it stores nothing.
        if (subscription is null || SubscriptionDecider.Decide(subscription, action.Command(id, address, DateTimeOffset.UnixEpoch)) is not { Refused: false, Events.Count: > 0 }) return Page(action.Title, Say(action.NotThere, "", address));
        // No action attribute: the form posts to the page's own URL, which is the token's.
        return Page(action.Title, Say(action.Question, subscription.Name, address) + $"\n<form method=\"post\"><button type=\"submit\">{Escape(action.Button)}</button></form>");
    }

    private static async Task<IResult> ActAsync(LinkAction action, string token, HttpContext http, EmailLinkTokens tokens, IDocumentSession session, TimeProvider clock,
        ILogger<EmailLinkTokens> logger, CancellationToken cancellationToken)
    {
        if (tokens.Open(action.Link, token) is not var (id, address)) return NotFound();
        NoStore(http);
        // The append states the version it read: a change of the subscription meanwhile (its owner's PUT) is decided again.
        var (name, stored, conflict) = await session.DecideAsync<(string? Name, bool Stored, bool Conflict)>(id, _ => action.Command(id, address, clock.GetUtcNow()),
            (after, decision) => (after?.Name, decision.Events.Count > 0, false), () => (null, false, true), cancellationToken);
        if (conflict) return EventStoreSessions.WriteConflict("The subscription");
        if (!stored) return Page(action.Title, Say(action.NotThere, "", address));
        logger.LogInformation("Subscription {SubscriptionId}: email link {Link} followed", id, action.Link);
        return Page(action.Title, Say(action.Done, name!, address));
    }

    // The gateway forwards these requests with its internal credential but no identity; without the credential, 401.
    private static Task<IResult>? FromGateway(HttpContext http, InternalCredential credential)
    {
        var presented = http.Request.Headers[GatewayCredential.Header];
        return presented.Count == 1 && credential.Matches(presented[0]) ? null
            : Task.FromResult<IResult>(Problems.Unauthorized("This service answers only requests forwarded by the NewsMonitor gateway."));
    }

    private static IResult NotFound() => Problems.NotFound("This link is not valid.");

    private static void NoStore(HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["X-Robots-Tag"] = "noindex";
    }

    // {0}: the subscription's name, {1}: the address; both escaped, the name isolated for direction.
    private static string Say(string text, string name, string address) =>
        "<p>" + string.Format(System.Globalization.CultureInfo.InvariantCulture, Escape(text), $"<span dir=\"auto\">{Escape(name)}</span>", Escape(address)) + "</p>";

    // A small page with no scripts, styles or images: it passes the gateway's Content-Security-Policy as it is.
    private static IResult Page(string title, string body) => Results.Content(
        $"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{Escape(title)} – NewsMonitor</title></head>\n"
        + $"<body>\n<h1>{Escape(title)}</h1>\n{body}\n</body></html>\n", "text/html; charset=utf-8", System.Text.Encoding.UTF8);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
