using System.Text;

namespace NewsMonitor.Alerting.Subscriptions;

/// <summary>
/// Where a subscription's alerts are also POSTed, and the secret that signs them. The secret is kept sealed under Data
/// Protection (<see cref="SealedSecret"/>, made by <see cref="Delivery.WebhookSecrets"/>); events stored before secrets
/// were sealed carry it in clear text in <see cref="Secret"/>, which is still read. Printing one never shows either.
/// </summary>
/// <param name="Url">The receiver's URL.</param>
/// <param name="Secret">The secret in clear text: only in events stored before secrets were sealed; null in new ones.</param>
/// <param name="SealedSecret">The secret protected by Data Protection (purpose <c>NewsMonitor.Alerting.WebhookSecret</c>).</param>
/// <param name="Format">Added in issue 15: the payload's shape, <c>json</c>, <c>slack</c> or <c>teams</c>; null (events stored before) is <c>json</c>.</param>
public sealed record Webhook(string Url, string? Secret = null, string? SealedSecret = null, string? Format = null)
{
    /// <summary>The payload formats a webhook can have; the first is the default.</summary>
    public static readonly string[] Formats = ["json", "slack", "teams"];

    /// <summary>The payload's shape, <c>json</c> when none was stored (derived: not written into events or documents).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string PayloadFormat => Format ?? Formats[0];

    // Records print every member; this one must not print the secret in either form, nor the URL's path and query,
    // which some receivers use as a bearer token (e.g. https://hooks.example/T0/B0/token).
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Url = ").Append(Redaction.Origin(Url)).Append(", Secret = ").Append(Redaction.Hidden).Append(", Format = ").Append(PayloadFormat);
        return true;
    }
}

/// <summary>How secrets and their neighbours are shown in logs, exception messages and problem details.</summary>
public static class Redaction
{
    /// <summary>What is printed in place of a secret.</summary>
    public const string Hidden = "[redacted]";

    /// <summary>The scheme, host and port of <paramref name="url"/>, with its path and query hidden.</summary>
    public static string Origin(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}/{Hidden}" : Hidden;
}

/// <summary>A subscription was created; first event of its stream.</summary>
/// <param name="Email">Added in issue 15: where alerts are also mailed, if anywhere.</param>
public sealed record SubscriptionCreated(Guid SubscriptionId, string Tenant, string Name, string Rule, string Mode, DateTimeOffset At, Webhook? Webhook = null,
    EmailTarget? Email = null);

/// <summary>A subscription's name, rule, mode, webhook or email address changed.</summary>
/// <param name="Email">Added in issue 15: the email target after the change (null: none).</param>
public sealed record SubscriptionChanged(Guid SubscriptionId, string Name, string Rule, string Mode, DateTimeOffset At, Webhook? Webhook = null,
    EmailTarget? Email = null);

/// <summary>
/// A webhook secret stored in clear text (before secrets were sealed) was sealed; the clear text was then masked out of
/// the stream's earlier events (<see cref="Delivery.LegacyWebhookSecrets"/>).
/// </summary>
public sealed record WebhookSecretSealed(Guid SubscriptionId, string SealedSecret, DateTimeOffset At);

/// <summary>An alert could not be delivered to the webhook after every retry: the dead letter, kept on the subscription.</summary>
public sealed record WebhookDeliveryFailed(Guid SubscriptionId, Guid AlertId, int Attempts, string Error, DateTimeOffset At);

/// <summary>A delivery succeeded again after failures.</summary>
public sealed record WebhookDeliveryRecovered(Guid SubscriptionId, Guid AlertId, DateTimeOffset At);

/// <summary>
/// A feed token was issued for the subscription's Atom feed (at creation, on rotation, or at start for a subscription made
/// before feeds): any earlier token stops working. Only the token's SHA-256 (for lookup) and the token sealed under Data
/// Protection (to show <c>feed.url</c> to its owner) are stored, never the token itself.
/// </summary>
public sealed record SubscriptionFeedIssued(Guid SubscriptionId, string TokenHash, string SealedToken, DateTimeOffset At);

/// <summary>The subscription's feed token was revoked: its feed answers 404 until a new token is issued.</summary>
public sealed record SubscriptionFeedRevoked(Guid SubscriptionId, DateTimeOffset At);

/// <summary>A subscription was paused: it raises no alerts until resumed.</summary>
public sealed record SubscriptionPaused(Guid SubscriptionId, DateTimeOffset At);

/// <summary>A paused subscription was resumed.</summary>
public sealed record SubscriptionResumed(Guid SubscriptionId, DateTimeOffset At);

/// <summary>A subscription was deleted; it raises no more alerts.</summary>
public sealed record SubscriptionDeleted(Guid SubscriptionId, DateTimeOffset At);

/// <summary>Read model of a subscription, projected inline from its stream.</summary>
public sealed record Subscription(Guid Id, string Tenant, string Name, string Rule, string Mode, bool Deleted, DateTimeOffset CreatedAt, DateTimeOffset ChangedAt, bool Paused = false)
    : NewsMonitor.ServiceDefaults.IVersionedAggregate
{
    /// <summary>The version of the subscription's stream this state is folded up to (set by Marten; 0 in a fold of one's own).</summary>
    public long Version { get; set; }

    /// <summary>The webhook, if the subscription has one.</summary>
    public Webhook? Webhook { get; init; }

    /// <summary><c>none</c> without a webhook, else <c>ok</c> or <c>failing</c>.</summary>
    public string DeliveryStatus { get; init; } = "none";

    /// <summary>Why the last failed delivery failed.</summary>
    public string? LastDeliveryError { get; init; }

    /// <summary>Alerts that could not be delivered (dead letters).</summary>
    public int FailedDeliveries { get; init; }

    /// <summary>
    /// The alert or digest of the last webhook dead letter: a second copy of it (its last try redelivered after a crash, or
    /// the alert published twice) is the same dead letter and is not recorded again (<see cref="SubscriptionDecider"/>).
    /// </summary>
    public Guid? LastFailedDelivery { get; init; }

    /// <summary>The alert or digest of the last email dead letter, for the same reason as <see cref="LastFailedDelivery"/>.</summary>
    public Guid? LastFailedEmail { get; init; }

    /// <summary>Lower-case hex SHA-256 of the current feed token (indexed: the feed is found by it); null when none.</summary>
    public string? FeedTokenHash { get; init; }

    /// <summary>The current feed token sealed under Data Protection, to show <c>feed.url</c> to its owner; null when none.</summary>
    public string? SealedFeedToken { get; init; }

    /// <summary>Whether the owner revoked the feed (a subscription made before feeds has no token and is not revoked).</summary>
    public bool FeedRevoked { get; init; }

    /// <summary>Delivery modes a subscription can have.</summary>
    public static readonly string[] Modes = ["immediate", "hourly", "daily"];

    /// <summary>Starts the read model.</summary>
    public static Subscription Create(SubscriptionCreated created) =>
        new Subscription(created.SubscriptionId, created.Tenant, created.Name, created.Rule, created.Mode, false, created.At, created.At)
        {
            Webhook = created.Webhook,
            DeliveryStatus = created.Webhook is null ? "none" : "ok",
        }.WithEmail(created.Email);

    /// <summary>Applies a change.</summary>
    public Subscription Apply(SubscriptionChanged changed) => (this with
    {
        Name = changed.Name, Rule = changed.Rule, Mode = changed.Mode, ChangedAt = changed.At, Webhook = changed.Webhook,
        DeliveryStatus = changed.Webhook is null ? "none" : changed.Webhook == Webhook ? DeliveryStatus : "ok",
    }).WithEmail(changed.Email);

    /// <summary>Replaces a clear secret by its sealed form; the webhook is otherwise the same, and so is its delivery status.</summary>
    public Subscription Apply(WebhookSecretSealed sealedSecret) =>
        Webhook is null ? this : this with { Webhook = Webhook with { Secret = null, SealedSecret = sealedSecret.SealedSecret } };

    /// <summary>Applies a dead letter. The change time is left alone: delivery does not change what the rule matches.</summary>
    public Subscription Apply(WebhookDeliveryFailed failed) => this with
    {
        DeliveryStatus = "failing", LastDeliveryError = failed.Error, FailedDeliveries = FailedDeliveries + 1, LastFailedDelivery = failed.AlertId,
    };

    /// <summary>Applies a recovery.</summary>
    public Subscription Apply(WebhookDeliveryRecovered recovered) => this with { DeliveryStatus = "ok" };

    /// <summary>Applies a pause.</summary>
    public Subscription Apply(SubscriptionPaused paused) => this with { Paused = true, ChangedAt = paused.At };

    /// <summary>Applies a resumption.</summary>
    public Subscription Apply(SubscriptionResumed resumed) => this with { Paused = false, ChangedAt = resumed.At };

    /// <summary>Applies a deletion.</summary>
    public Subscription Apply(SubscriptionDeleted deleted) => this with { Deleted = true, ChangedAt = deleted.At };

    /// <summary>Applies a new feed token. The change time is left alone: the feed's address does not change what the rule matches.</summary>
    public Subscription Apply(SubscriptionFeedIssued issued) => this with { FeedTokenHash = issued.TokenHash, SealedFeedToken = issued.SealedToken, FeedRevoked = false };

    /// <summary>Applies a revocation of the feed token.</summary>
    public Subscription Apply(SubscriptionFeedRevoked revoked) => this with { FeedTokenHash = null, SealedFeedToken = null, FeedRevoked = true };

    /// <summary>The email target, if the subscription has one (issue 15).</summary>
    public EmailTarget? Email { get; init; }

    /// <summary>
    /// <c>none</c> without an email target; <c>pending</c> until the recipient confirms the address (double opt-in: nothing
    /// but the confirmation request is mailed before); then <c>ok</c> or <c>failing</c>.
    /// </summary>
    public string EmailStatus { get; init; } = "none";

    /// <summary>Why the last failed email delivery failed (kept after a recovery, like the webhook's).</summary>
    public string? LastEmailError { get; init; }

    /// <summary>
    /// The email part of a create or change: a new address starts <c>pending</c> (unconfirmed) with no error; the same
    /// address keeps its status.
    /// Called by <see cref="Create(SubscriptionCreated)"/> and <see cref="Apply(SubscriptionChanged)"/> after their own fields.
    /// </summary>
    public Subscription WithEmail(EmailTarget? email) => email is null
        ? this with { Email = null, EmailStatus = "none", LastEmailError = null }
        : email == Email ? this
        : this with { Email = email, EmailStatus = "pending", LastEmailError = null };

    /// <summary>Whether alerts may be mailed: an address its recipient confirmed.</summary>
    public bool MayMail => Email is not null && EmailStatus is "ok" or "failing";

    /// <summary>Applies a confirmation of the address still on the subscription.</summary>
    public Subscription Apply(EmailConfirmed confirmed) =>
        Email?.Address == confirmed.Address && EmailStatus == "pending" ? this with { EmailStatus = "ok", LastEmailError = null } : this;

    /// <summary>Applies an email dead letter. The change time is left alone: delivery does not change what the rule matches.</summary>
    public Subscription Apply(EmailDeliveryFailed failed) => MayMail
        ? this with { EmailStatus = "failing", LastEmailError = failed.Error, LastFailedEmail = failed.DeliveryId }
        : this with { LastEmailError = failed.Error, LastFailedEmail = failed.DeliveryId };

    /// <summary>Applies an email recovery.</summary>
    public Subscription Apply(EmailDeliveryRecovered recovered) => MayMail ? this with { EmailStatus = "ok" } : this;

    /// <summary>Removes the email target when the unsubscribed address is still the one on the subscription; the rest stays.</summary>
    public Subscription Apply(EmailUnsubscribed unsubscribed) =>
        Email?.Address == unsubscribed.Address ? WithEmail(null) with { ChangedAt = unsubscribed.At } : this;
}

/// <summary>Where a subscription's alerts are also mailed (issue 15): one address, checked by <see cref="Delivery.EmailTargets"/>.</summary>
/// <param name="Address">A bare address (<c>local@domain</c>), no display name.</param>
public sealed record EmailTarget(string Address);

/// <summary>A message (an alert or a digest) could not be mailed after every retry: the dead letter, kept on the subscription.</summary>
/// <param name="DeliveryId">The alert's or the digest's id (the message's Message-ID derives from it).</param>
public sealed record EmailDeliveryFailed(Guid SubscriptionId, Guid DeliveryId, int Attempts, string Error, DateTimeOffset At);

/// <summary>An email delivery succeeded again after failures.</summary>
public sealed record EmailDeliveryRecovered(Guid SubscriptionId, Guid DeliveryId, DateTimeOffset At);

/// <summary>The recipient confirmed the address by the link of the confirmation request (double opt-in).</summary>
public sealed record EmailConfirmed(Guid SubscriptionId, string Address, DateTimeOffset At);

/// <summary>The recipient followed the unsubscribe link: <paramref name="Address"/> gets no more mail from this subscription.</summary>
public sealed record EmailUnsubscribed(Guid SubscriptionId, string Address, DateTimeOffset At);
