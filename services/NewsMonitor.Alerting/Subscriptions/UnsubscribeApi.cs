using System.Net;
using Marten;
using JasperFx;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Alerting.Delivery;

namespace NewsMonitor.Alerting.Subscriptions;

/// <summary>
/// The unsubscribe link of alert mail: <c>GET /unsubscribe/{token}</c> shows a confirmation page with a form (mail
/// scanners that open links must not unsubscribe anyone), <c>POST /unsubscribe/{token}</c> (the form, or a mail client's
/// RFC 8058 one-click POST) removes the email address from the subscription; the rest of it stays. Anonymous: the token
/// (<see cref="UnsubscribeTokens"/>) is the credential. An invalid token answers 404; a token for an address no longer
/// on the subscription changes nothing.
/// </summary>
public static class UnsubscribeApi
{
    /// <summary>Maps the two anonymous unsubscribe endpoints.</summary>
    public static IEndpointRouteBuilder MapUnsubscribeApi(this IEndpointRouteBuilder app)
    {
        // Anonymous by design (the token is the credential), unlike every other route of the service.
        var group = app.MapGroup("/unsubscribe").AllowAnonymous();
        group.MapGet("/{token}", ShowAsync);
        group.MapPost("/{token}", UnsubscribeAsync);
        return app;
    }

    private static async Task<IResult> ShowAsync(string token, HttpContext http, UnsubscribeTokens tokens, IQuerySession session, CancellationToken cancellationToken)
    {
        if (tokens.Open(token) is not var (id, address)) return NotFound();
        var subscription = await session.LoadAsync<Subscription>(id, cancellationToken);
        NoStore(http);
        if (subscription is null || subscription.Deleted || subscription.Email?.Address != address)
            return Page("Already unsubscribed", $"<p>{Escape(address)} gets no email from this subscription.</p>");
        // No action attribute: the form posts to the page's own URL, which is the token's.
        return Page("Unsubscribe", $"<p>Stop emailing alerts of “<span dir=\"auto\">{Escape(subscription.Name)}</span>” to {Escape(address)}?</p>\n"
            + "<form method=\"post\"><button type=\"submit\">Unsubscribe</button></form>");
    }

    private static async Task<IResult> UnsubscribeAsync(string token, HttpContext http, UnsubscribeTokens tokens, IDocumentSession session, TimeProvider clock,
        ILogger<UnsubscribeTokens> logger, CancellationToken cancellationToken)
    {
        if (tokens.Open(token) is not var (id, address)) return NotFound();
        NoStore(http);
        // The append states the version it read: a change of the subscription meanwhile (its owner's PUT) is decided again.
        for (var attempt = 1; ; attempt++)
        {
            Subscription? before = null;
            try
            {
                var stored = await session.DecideAndAppendAsync<Subscription>(id, subscription =>
                {
                    before = subscription;
                    return Task.FromResult<object?>(subscription is { Deleted: false } && subscription.Email?.Address == address
                        ? new EmailUnsubscribed(id, address, clock.GetUtcNow())
                        : null);
                }, cancellationToken);
                if (!stored) return Page("Unsubscribed", $"<p>{Escape(address)} gets no email from this subscription.</p>");
                logger.LogInformation("Subscription {SubscriptionId}: its email address was unsubscribed by the link", id);
                return Page("Unsubscribed", $"<p>{Escape(address)} gets no more email from “<span dir=\"auto\">{Escape(before!.Name)}</span>”.</p>");
            }
            catch (Exception exception) when (exception is ConcurrencyException or JasperFx.Events.EventStreamUnexpectedMaxEventIdException && attempt < 3)
            {
                session.EjectAllPendingChanges();
            }
        }
    }

    private static IResult NotFound() => ServiceDefaults.Problems.NotFound("This unsubscribe link is not valid.");

    private static void NoStore(HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["X-Robots-Tag"] = "noindex";
    }

    // A small page with no scripts, styles or images: it passes the gateway's Content-Security-Policy as it is.
    private static IResult Page(string title, string body) => Results.Content(
        $"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{Escape(title)} – NewsMonitor</title></head>\n"
        + $"<body>\n<h1>{Escape(title)}</h1>\n{body}\n</body></html>\n", "text/html; charset=utf-8", System.Text.Encoding.UTF8);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
