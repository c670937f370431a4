using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NewsMonitor.Alerting.Delivery;
using NewsMonitor.Alerting.Digests;
using NewsMonitor.Alerting.Feeds;
using NewsMonitor.Text;
using NewsMonitor.Text.Rules;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Subscriptions;

/// <summary>Body of <c>POST</c> and <c>PUT /api/v1/subscriptions</c>.</summary>
public sealed record SubscriptionRequest(string? Name, string? Rule, string? Mode, WebhookRequest? Webhook, EmailRequest? Email = null);

/// <summary>Email target of a subscription (issue 15): one bare address.</summary>
public sealed record EmailRequest(string? Address);

/// <summary>Webhook target of a subscription. Printing one never shows the secret, nor the URL's path and query.</summary>
/// <param name="Url">The receiver's URL.</param>
/// <param name="Secret">The HMAC key of the signature header.</param>
/// <param name="Format">Added in issue 15: <c>json</c> (default), <c>slack</c> or <c>teams</c>.</param>
public sealed record WebhookRequest(string? Url, string? Secret, string? Format = null)
{
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Url = ").Append(Redaction.Origin(Url)).Append(", Secret = ").Append(Redaction.Hidden).Append(", Format = ").Append(Format);
        return true;
    }
}

/// <summary>A subscription as the API shows it.</summary>
/// <param name="Feed">Added in issue 15: the subscription's private Atom feed (its URL holds the token), null when revoked.</param>
/// <param name="Email">Added in issue 15: the email target and how its deliveries go, null without one.</param>
public sealed record SubscriptionView(Guid Id, string Tenant, string Name, string Rule, string Mode, DateTimeOffset CreatedAt, DateTimeOffset ChangedAt, bool Paused, DeliveryView Delivery,
    FeedView? Feed = null, EmailView? Email = null)
{
    /// <summary>View of the read model (the webhook secret is never shown; the feed's URL only to whoever may see the subscription).</summary>
    public static SubscriptionView From(Subscription subscription, FeedTokens feeds) => new(
        subscription.Id, subscription.Tenant, subscription.Name, subscription.Rule, subscription.Mode, subscription.CreatedAt, subscription.ChangedAt, subscription.Paused,
        new DeliveryView(subscription.Webhook?.Url, subscription.DeliveryStatus, subscription.LastDeliveryError, subscription.FailedDeliveries, subscription.Webhook?.PayloadFormat),
        FeedView.Of(subscription, feeds),
        subscription.Email is { } email ? new EmailView(email.Address, subscription.EmailStatus, subscription.LastEmailError) : null);
}

/// <summary>A subscription's email target and how its deliveries are going: status <c>ok</c> or <c>failing</c>.</summary>
public sealed record EmailView(string Address, string Status, string? LastError);

/// <summary>How a subscription's webhook deliveries are going: status <c>none</c>, <c>ok</c> or <c>failing</c>.</summary>
/// <param name="WebhookFormat">Added in issue 15: the webhook's payload format (<c>json</c>, <c>slack</c>, <c>teams</c>), null without a webhook.</param>
public sealed record DeliveryView(string? WebhookUrl, string Status, string? LastError, int FailedDeliveries, string? WebhookFormat = null);

/// <summary>Answer of <c>GET /api/v1/subscriptions/{id}/digests</c>, newest period first.</summary>
public sealed record DigestListView(IReadOnlyList<Digest> Items);

/// <summary>Answer of <c>POST /api/v1/subscriptions</c>.</summary>
public sealed record SubscriptionCreatedView(Guid Id);

/// <summary>Answer of <c>GET /api/v1/subscriptions</c>.</summary>
public sealed record SubscriptionListView(IReadOnlyList<SubscriptionView> Items);

/// <summary>Subscription endpoints, event-sourced per subscription.</summary>
public static class SubscriptionsApi
{
    /// <summary>Maps the subscription endpoints.</summary>
    public static IEndpointRouteBuilder MapSubscriptionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/subscriptions").RequireAuthorization(Access.Subscribers);
        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:guid}", GetAsync);
        group.MapPut("/{id:guid}", UpdateAsync);
        group.MapDelete("/{id:guid}", DeleteAsync);
        group.MapGet("/{id:guid}/digests", async (Guid id, HttpContext http, IQuerySession session, CancellationToken cancellationToken) =>
        {
            var subscription = await FindAsync(session, id, Caller.From(http), cancellationToken);
            if (subscription is null) return (Results<Ok<DigestListView>, ProblemHttpResult>)NotFound(id);
            var digests = await session.Query<Digest>().Where(digest => digest.SubscriptionId == id).OrderByDescending(digest => digest.PeriodStart).Take(100).ToListAsync(cancellationToken);
            return TypedResults.Ok(new DigestListView(digests));
        });
        group.MapPost("/{id:guid}/pause", (Guid id, HttpContext http, IDocumentSession session, TimeProvider clock, FeedTokens feeds, CancellationToken cancellationToken) =>
            SetPausedAsync(id, paused: true, http, session, clock, feeds, cancellationToken));
        group.MapPost("/{id:guid}/resume", (Guid id, HttpContext http, IDocumentSession session, TimeProvider clock, FeedTokens feeds, CancellationToken cancellationToken) =>
            SetPausedAsync(id, paused: false, http, session, clock, feeds, cancellationToken));
        return app;
    }

    private static async Task<Results<Created<SubscriptionCreatedView>, ProblemHttpResult>> CreateAsync(
        SubscriptionRequest? request, HttpContext http, IDocumentSession session, TimeProvider clock, IOptions<WebhookOptions> webhooks, WebhookSecrets secrets,
        FeedTokens feeds, IOptions<EmailOptions> email, EmailConfirmations confirmations, CancellationToken cancellationToken)
    {
        var (valid, problem) = Validate(request);
        problem ??= CheckEmail(request, email.Value);
        if (problem is not null) return problem;
        if (await CheckWebhookAddressAsync(valid!, webhooks.Value, cancellationToken) is { } addressProblem) return addressProblem;
        var caller = Caller.From(http);
        var id = Guid.CreateVersion7();
        // The secret is sealed before it reaches the store: events, documents and any error about them hold only the sealed form.
        var webhook = valid!.Webhook is { } given ? secrets.Seal(given.Url!, given.Secret!, given.Format) : null;
        var now = clock.GetUtcNow();
        // A new id: the stream is started at the expected version "new" (a collision would fail the save, never merge).
        var created = SubscriptionDecider.Decide(null, new CreateSubscription(id, caller.Tenant, valid.Name, valid.Rule, valid.Mode, webhook, EmailOf(request), feeds.Issue(id, now).Issued, now));
        session.Events.StartStream<Subscription>(id, [.. created.Events]);
        await session.SaveChangesInCommitOrderAsync(cancellationToken);
        if (EmailOf(request) is { } target) await confirmations.SendAsync(session, id, valid.Name, target.Address, cancellationToken);
        return TypedResults.Created($"/api/v1/subscriptions/{id}", new SubscriptionCreatedView(id));
    }

    private static async Task<Ok<SubscriptionListView>> ListAsync(HttpContext http, IQuerySession session, FeedTokens feeds, CancellationToken cancellationToken)
    {
        var caller = Caller.From(http);
        var query = session.Query<Subscription>().Where(subscription => !subscription.Deleted);
        if (!caller.IsOperator) query = query.Where(subscription => subscription.Tenant == caller.Tenant);
        var subscriptions = await query.OrderBy(subscription => subscription.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(new SubscriptionListView(subscriptions.Select(subscription => SubscriptionView.From(subscription, feeds)).ToList()));
    }

    private static async Task<Results<Ok<SubscriptionView>, ProblemHttpResult>> GetAsync(Guid id, HttpContext http, IQuerySession session, FeedTokens feeds, CancellationToken cancellationToken)
    {
        var subscription = await FindAsync(session, id, Caller.From(http), cancellationToken);
        return subscription is null ? NotFound(id) : TypedResults.Ok(SubscriptionView.From(subscription, feeds));
    }

    private static async Task<Results<Ok<SubscriptionView>, ProblemHttpResult>> UpdateAsync(
        Guid id, SubscriptionRequest? request, HttpContext http, IDocumentSession session, TimeProvider clock, IOptions<WebhookOptions> webhooks, WebhookSecrets secrets,
        FeedTokens feeds, IOptions<EmailOptions> email, EmailConfirmations confirmations, CancellationToken cancellationToken)
    {
        var caller = Caller.From(http);
        // A missing subscription answers 404 before the body is looked at; the write below decides again on the stream.
        if (await FindAsync(session, id, caller, cancellationToken) is null) return NotFound(id);
        var (valid, problem) = Validate(request);
        problem ??= CheckEmail(request, email.Value);
        if (problem is not null) return problem;
        if (await CheckWebhookAddressAsync(valid!, webhooks.Value, cancellationToken) is { } addressProblem) return addressProblem;
        // Decided on the state read at the version expected: a concurrent DELETE makes this answer 404, never resurrects it.
        var (after, conflict) = await session.DecideAsync<(Subscription? After, bool Conflict)>(id,
            state => new ChangeSubscription(id, valid!.Name, valid.Rule, valid.Mode, WebhookFor(state, valid, secrets), EmailOf(request), clock.GetUtcNow()),
            (state, _) => (state, false), () => (null, true), cancellationToken, state => caller.CanSee(state.Tenant));
        if (conflict) return EventStoreSessions.WriteConflict($"Subscription {id}");
        if (after is null) return NotFound(id);
        // A new address, or the same one still unconfirmed (the owner asks again), gets a confirmation request.
        if (after.Email is { } target && after.EmailStatus == "pending"
            && await confirmations.SendAsync(session, id, after.Name, target.Address, cancellationToken) is { } error)
            after = after.Apply(new EmailDeliveryFailed(id, Guid.Empty, 1, "The confirmation request could not be sent: " + error, clock.GetUtcNow()));
        return TypedResults.Ok(SubscriptionView.From(after, feeds));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken cancellationToken)
    {
        var caller = Caller.From(http);
        // Of two deletes at once, one deletes (204) and the other, deciding again on the deleted state, answers 404.
        return await session.DecideAsync<Results<NoContent, ProblemHttpResult>>(id, _ => new DeleteSubscription(id, clock.GetUtcNow()),
            (after, _) => after is null ? NotFound(id) : TypedResults.NoContent(),
            () => EventStoreSessions.WriteConflict($"Subscription {id}"), cancellationToken, state => caller.CanSee(state.Tenant));
    }

    private static async Task<Results<Ok<SubscriptionView>, ProblemHttpResult>> SetPausedAsync(
        Guid id, bool paused, HttpContext http, IDocumentSession session, TimeProvider clock, FeedTokens feeds, CancellationToken cancellationToken)
    {
        var caller = Caller.From(http);
        // Pausing a paused subscription (or resuming a running one) stores nothing and answers 200 with it as it is.
        return await session.DecideAsync<Results<Ok<SubscriptionView>, ProblemHttpResult>>(id,
            _ => paused ? new PauseSubscription(id, clock.GetUtcNow()) : new ResumeSubscription(id, clock.GetUtcNow()),
            (after, _) => after is null ? NotFound(id) : TypedResults.Ok(SubscriptionView.From(after, feeds)),
            () => EventStoreSessions.WriteConflict($"Subscription {id}"), cancellationToken, state => caller.CanSee(state.Tenant));
    }

    // The same URL and secret keep the stored (sealed) webhook, so the change is no new webhook and keeps the delivery status.
    private static Webhook? WebhookFor(Subscription state, ValidRequest valid, WebhookSecrets secrets) =>
        valid.Webhook is not { } given ? null
        : state.Webhook is { } current && current.Url == given.Url && secrets.Holds(current, given.Secret!)
            ? (current.PayloadFormat == given.Format ? current : current with { Format = given.Format })
        : secrets.Seal(given.Url!, given.Secret!, given.Format);

    /// <summary>The subscription <paramref name="id"/> as <paramref name="caller"/> may see it: null when missing, deleted or another tenant's.</summary>
    internal static async Task<Subscription?> FindAsync(IQuerySession session, Guid id, Caller caller, CancellationToken cancellationToken)
    {
        var subscription = await session.LoadAsync<Subscription>(id, cancellationToken);
        // Another tenant's subscription answers exactly like a missing one.
        return subscription is null || subscription.Deleted || !caller.CanSee(subscription.Tenant) ? null : subscription;
    }

    private static ProblemHttpResult NotFound(Guid id) => Problems.NotFound($"No subscription with id {id}.");

    // The webhook is still in clear text here (its URL trimmed); it is sealed just before it is stored.
    private sealed record ValidRequest(string Name, string Rule, string Mode, WebhookRequest? Webhook);

    /// <summary>Longest subscription name.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Longest webhook secret (an HMAC key; longer ones add nothing).</summary>
    public const int MaxSecretLength = 1_024;

    // The address check resolves the host, so it runs after the pure checks and only for a webhook that passed them.
    private static async Task<ProblemHttpResult?> CheckWebhookAddressAsync(ValidRequest request, WebhookOptions options, CancellationToken cancellationToken)
    {
        if (request.Webhook is null) return null;
        var error = await WebhookTargets.CheckAddressAsync(new Uri(request.Webhook.Url!), options.AllowPrivateTargets, cancellationToken);
        return error is null ? null : Problems.BadRequest("Invalid subscription", error, new Dictionary<string, string[]> { ["webhook.url"] = [error] });
    }

    // Issue 15: the email target, checked after the rest (the request is known to be a valid object then).
    private static ProblemHttpResult? CheckEmail(SubscriptionRequest? request, EmailOptions options)
    {
        if (request?.Email is not { } email) return null;
        var errors = new Dictionary<string, string[]>();
        if (!options.Enabled) errors["email"] = ["Email delivery is not configured on this deployment (Alerting:Email:Host)."];
        else if (!InputText.Refuse(errors, "email.address", email.Address, TextKind.Name) && EmailTargets.Check(email.Address) is { } error) errors["email.address"] = [error];
        return errors.Count == 0 ? null : Problems.BadRequest("Invalid subscription", string.Join(" ", errors.Values.SelectMany(messages => messages)), errors);
    }

    private static EmailTarget? EmailOf(SubscriptionRequest? request) => request?.Email?.Address is { } address ? new EmailTarget(address.Trim()) : null;

    private static (ValidRequest? Request, ProblemHttpResult? Problem) Validate(SubscriptionRequest? request)
    {
        if (request is null)
        {
            return (null, Problems.BadRequest("Invalid subscription", "The body must be a JSON object with \"name\" and \"rule\".",
                new Dictionary<string, string[]> { ["body"] = ["A JSON object with \"name\" and \"rule\" is required."] }));
        }
        var errors = new Dictionary<string, string[]>();
        // Names show in lists and logs and rules must read as they match: no control or bidirectional override characters.
        InputText.Refuse(errors, "name", request.Name, TextKind.Name);
        InputText.Refuse(errors, "rule", request.Rule, TextKind.Rule);
        InputText.Refuse(errors, "mode", request.Mode, TextKind.Name);
        InputText.Refuse(errors, "webhook.url", request.Webhook?.Url, TextKind.Name);
        InputText.Refuse(errors, "webhook.secret", request.Webhook?.Secret, TextKind.Prose);
        InputText.Refuse(errors, "webhook.format", request.Webhook?.Format, TextKind.Name);
        var format = string.IsNullOrWhiteSpace(request.Webhook?.Format) ? Webhook.Formats[0] : request.Webhook.Format.Trim().ToLowerInvariant();
        if (!errors.ContainsKey("webhook.format") && !Webhook.Formats.Contains(format))
            errors["webhook.format"] = [$"The webhook format must be one of {string.Join(", ", Webhook.Formats)}."];
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name)) errors.TryAdd("name", ["A name is required."]);
        else if (name.Length > MaxNameLength) errors.TryAdd("name", [$"The name is longer than {MaxNameLength} characters."]);
        var mode = string.IsNullOrWhiteSpace(request.Mode) ? "immediate" : request.Mode.Trim().ToLowerInvariant();
        if (!Subscription.Modes.Contains(mode)) errors.TryAdd("mode", [$"The mode must be one of {string.Join(", ", Subscription.Modes)}."]);
        if (request.Webhook?.Secret?.Length > MaxSecretLength) errors.TryAdd("webhook.secret", [$"The webhook secret is longer than {MaxSecretLength} characters."]);
        if (request.Webhook is not null && !errors.Keys.Any(key => key.StartsWith("webhook", StringComparison.Ordinal))
            && WebhookTargets.CheckShape(request.Webhook.Url, request.Webhook.Secret) is { } webhookError) errors["webhook"] = [webhookError];
        var ruleError = errors.ContainsKey("rule") ? null : AlertRule.Parse(request.Rule).Error;
        if (ruleError is not null) errors["rule"] = [ruleError.Message];
        var webhook = request.Webhook is { Url: { } url, Secret: { } secret } ? new WebhookRequest(url.Trim(), secret, format) : null;
        if (errors.Count == 0) return (new ValidRequest(name!, request.Rule!.Trim(), mode, webhook), null);

        var problem = Problems.BadRequest("Invalid subscription", string.Join(" ", errors.Values.SelectMany(messages => messages)), errors);
        if (ruleError is not null) problem.ProblemDetails.Extensions["rulePosition"] = ruleError.Position;
        return (null, problem);
    }
}
