namespace NewsMonitor.Alerting.Subscriptions;

/// <summary>A command to a subscription: what a caller, a link or a delivery asks of it. Decided by <see cref="SubscriptionDecider"/>.</summary>
public abstract record SubscriptionCommand(Guid SubscriptionId, DateTimeOffset At);

/// <summary>Create the subscription with its first feed token (<paramref name="Feed"/>, issued by the endpoint).</summary>
public sealed record CreateSubscription(Guid SubscriptionId, string Tenant, string Name, string Rule, string Mode, Webhook? Webhook, EmailTarget? Email,
    SubscriptionFeedIssued Feed, DateTimeOffset At) : SubscriptionCommand(SubscriptionId, At);

/// <summary>Replace its name, rule, mode, webhook (already sealed, or the stored one kept) and email target.</summary>
public sealed record ChangeSubscription(Guid SubscriptionId, string Name, string Rule, string Mode, Webhook? Webhook, EmailTarget? Email, DateTimeOffset At)
    : SubscriptionCommand(SubscriptionId, At);

/// <summary>Pause it: no alerts until resumed. Pausing a paused subscription changes nothing.</summary>
public sealed record PauseSubscription(Guid SubscriptionId, DateTimeOffset At) : SubscriptionCommand(SubscriptionId, At);

/// <summary>Resume it. Resuming a running subscription changes nothing.</summary>
public sealed record ResumeSubscription(Guid SubscriptionId, DateTimeOffset At) : SubscriptionCommand(SubscriptionId, At);

/// <summary>Delete it; nothing more can be asked of it.</summary>
public sealed record DeleteSubscription(Guid SubscriptionId, DateTimeOffset At) : SubscriptionCommand(SubscriptionId, At);

/// <summary>Issue a new feed token (<paramref name="Issued"/>); any earlier one stops working.</summary>
public sealed record RotateFeed(Guid SubscriptionId, SubscriptionFeedIssued Issued) : SubscriptionCommand(SubscriptionId, Issued.At);

/// <summary>Issue a first feed token to a subscription made before feeds, unless it has one or its owner revoked it.</summary>
public sealed record IssueMissingFeed(Guid SubscriptionId, SubscriptionFeedIssued Issued) : SubscriptionCommand(SubscriptionId, Issued.At);

/// <summary>Revoke the feed token. Revoking a revoked feed changes nothing.</summary>
public sealed record RevokeFeed(Guid SubscriptionId, DateTimeOffset At) : SubscriptionCommand(SubscriptionId, At);

/// <summary>The recipient confirmed <paramref name="Address"/>; changes something only while that address is pending on the subscription.</summary>
public sealed record ConfirmEmail(Guid SubscriptionId, string Address, DateTimeOffset At) : SubscriptionCommand(SubscriptionId, At);

/// <summary>The recipient unsubscribed <paramref name="Address"/>; changes something only while that address is on the subscription.</summary>
public sealed record UnsubscribeEmail(Guid SubscriptionId, string Address, DateTimeOffset At) : SubscriptionCommand(SubscriptionId, At);

/// <summary>A webhook delivery failed after every retry: record its dead letter.</summary>
public sealed record RecordWebhookFailure(Guid SubscriptionId, Guid AlertId, int Attempts, string Error, DateTimeOffset At) : SubscriptionCommand(SubscriptionId, At);

/// <summary>A webhook delivery succeeded: record the recovery if the webhook was failing.</summary>
public sealed record RecordWebhookRecovery(Guid SubscriptionId, Guid AlertId, DateTimeOffset At) : SubscriptionCommand(SubscriptionId, At);

/// <summary>An email (an alert, a digest, or with an empty id the confirmation request) could not be sent: record its dead letter.</summary>
public sealed record RecordEmailFailure(Guid SubscriptionId, Guid DeliveryId, int Attempts, string Error, DateTimeOffset At) : SubscriptionCommand(SubscriptionId, At);

/// <summary>An email delivery succeeded: record the recovery if the email target was failing.</summary>
public sealed record RecordEmailRecovery(Guid SubscriptionId, Guid DeliveryId, DateTimeOffset At) : SubscriptionCommand(SubscriptionId, At);

/// <summary>
/// Replace the webhook's clear secret (stored before secrets were sealed) by <paramref name="SealedSecret"/>, sealed from the
/// clear secret the subscription holds now; changes nothing once it holds none.
/// </summary>
public sealed record SealSecret(Guid SubscriptionId, string SealedSecret, DateTimeOffset At) : SubscriptionCommand(SubscriptionId, At);

/// <summary>Why a command was refused.</summary>
public enum SubscriptionRefusal
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>No such subscription, or it is deleted (the endpoints answer 404).</summary>
    NotFound,

    /// <summary>A subscription with that id exists already (a create whose id is taken).</summary>
    AlreadyExists,
}

/// <summary>What <see cref="SubscriptionDecider.Decide"/> answers: the events to append (none: nothing changes), or a refusal.</summary>
public sealed record SubscriptionDecision(IReadOnlyList<object> Events, SubscriptionRefusal Refusal = SubscriptionRefusal.None)
{
    /// <summary>Nothing to store: the subscription already is as asked.</summary>
    public static readonly SubscriptionDecision Unchanged = new([]);

    /// <summary>Whether the command was refused.</summary>
    public bool Refused => Refusal != SubscriptionRefusal.None;

    /// <summary>Refused: no subscription, or a deleted one.</summary>
    public static SubscriptionDecision NotFound { get; } = new([], SubscriptionRefusal.NotFound);

    /// <summary>Stores these events.</summary>
    public static SubscriptionDecision Of(params object[] events) => new(events);
}

/// <summary>
/// Every decision about a subscription's stream, pure: <c>Decide(state, command) -> events</c>, and <see cref="Evolve"/>
/// (state, event) -> state, the same fold as the inline projection. Endpoints, consumers and start-up tasks send their
/// commands through it on the one write path (<c>EventStoreSessions.DecideAndAppendWithRetriesAsync</c>): read the
/// stream, decide, append at the version read, decide again on the state that won after a conflict. Tested in
/// given/when/then form (given events, when a command, then events or a refusal).
/// </summary>
public static class SubscriptionDecider
{
    /// <summary>The events <paramref name="command"/> appends to a subscription in <paramref name="state"/> (null: no stream yet).</summary>
    public static SubscriptionDecision Decide(Subscription? state, SubscriptionCommand command)
    {
        if (command is CreateSubscription create)
        {
            return state is not null
                ? new SubscriptionDecision([], SubscriptionRefusal.AlreadyExists)
                : SubscriptionDecision.Of(new SubscriptionCreated(create.SubscriptionId, create.Tenant, create.Name, create.Rule, create.Mode, create.At, create.Webhook, create.Email),
                    create.Feed);
        }
        // Anything asked of a deleted subscription is refused like a missing one: a late change never resurrects it.
        if (state is null || state.Deleted) return SubscriptionDecision.NotFound;
        var id = state.Id;
        return command switch
        {
            ChangeSubscription change => SubscriptionDecision.Of(new SubscriptionChanged(id, change.Name, change.Rule, change.Mode, change.At, change.Webhook, change.Email)),
            PauseSubscription pause => state.Paused ? SubscriptionDecision.Unchanged : SubscriptionDecision.Of(new SubscriptionPaused(id, pause.At)),
            ResumeSubscription resume => state.Paused ? SubscriptionDecision.Of(new SubscriptionResumed(id, resume.At)) : SubscriptionDecision.Unchanged,
            DeleteSubscription delete => SubscriptionDecision.Of(new SubscriptionDeleted(id, delete.At)),
            RotateFeed rotate => SubscriptionDecision.Of(rotate.Issued),
            IssueMissingFeed issue => state is { FeedTokenHash: null, FeedRevoked: false } ? SubscriptionDecision.Of(issue.Issued) : SubscriptionDecision.Unchanged,
            RevokeFeed revoke => state is { FeedTokenHash: null, FeedRevoked: true } ? SubscriptionDecision.Unchanged : SubscriptionDecision.Of(new SubscriptionFeedRevoked(id, revoke.At)),
            ConfirmEmail confirm => state.Email?.Address == confirm.Address && state.EmailStatus == "pending"
                ? SubscriptionDecision.Of(new EmailConfirmed(id, confirm.Address, confirm.At)) : SubscriptionDecision.Unchanged,
            UnsubscribeEmail unsubscribe => state.Email?.Address == unsubscribe.Address
                ? SubscriptionDecision.Of(new EmailUnsubscribed(id, unsubscribe.Address, unsubscribe.At)) : SubscriptionDecision.Unchanged,
            // A dead letter is recorded even when the webhook changed meanwhile: it happened, and it is kept as it was. A second
            // copy of the last one (its last try redelivered after a crash before the ack, or the alert published twice) is
            // the same dead letter, not another.
            RecordWebhookFailure failure => failure.AlertId != Guid.Empty && state.LastFailedDelivery == failure.AlertId
                ? SubscriptionDecision.Unchanged
                : SubscriptionDecision.Of(new WebhookDeliveryFailed(id, failure.AlertId, failure.Attempts, failure.Error, failure.At)),
            // Decided on the state read, not the one the delivery started from: two recoveries at once record one.
            RecordWebhookRecovery recovery => state.DeliveryStatus == "failing"
                ? SubscriptionDecision.Of(new WebhookDeliveryRecovered(id, recovery.AlertId, recovery.At)) : SubscriptionDecision.Unchanged,
            // The same for mail; a failed confirmation request has no delivery id, and each one is its own.
            RecordEmailFailure failure => failure.DeliveryId != Guid.Empty && state.LastFailedEmail == failure.DeliveryId
                ? SubscriptionDecision.Unchanged
                : SubscriptionDecision.Of(new EmailDeliveryFailed(id, failure.DeliveryId, failure.Attempts, failure.Error, failure.At)),
            RecordEmailRecovery recovery => state.EmailStatus == "failing"
                ? SubscriptionDecision.Of(new EmailDeliveryRecovered(id, recovery.DeliveryId, recovery.At)) : SubscriptionDecision.Unchanged,
            SealSecret seal => state.Webhook?.Secret is not null
                ? SubscriptionDecision.Of(new WebhookSecretSealed(id, seal.SealedSecret, seal.At)) : SubscriptionDecision.Unchanged,
            _ => throw new ArgumentException($"Not a subscription command: {command.GetType().Name}.", nameof(command)),
        };
    }

    /// <summary>The state after <paramref name="event"/>: the read model's own <c>Create</c>/<c>Apply</c>, as the inline projection applies them.</summary>
    public static Subscription? Evolve(Subscription? state, object @event) => @event switch
    {
        SubscriptionCreated created => Subscription.Create(created),
        _ when state is null => throw new InvalidOperationException($"{@event.GetType().Name} before SubscriptionCreated."),
        SubscriptionChanged changed => state.Apply(changed),
        SubscriptionPaused paused => state.Apply(paused),
        SubscriptionResumed resumed => state.Apply(resumed),
        SubscriptionDeleted deleted => state.Apply(deleted),
        SubscriptionFeedIssued issued => state.Apply(issued),
        SubscriptionFeedRevoked revoked => state.Apply(revoked),
        WebhookSecretSealed sealedSecret => state.Apply(sealedSecret),
        WebhookDeliveryFailed failed => state.Apply(failed),
        WebhookDeliveryRecovered recovered => state.Apply(recovered),
        EmailConfirmed confirmed => state.Apply(confirmed),
        EmailUnsubscribed unsubscribed => state.Apply(unsubscribed),
        EmailDeliveryFailed failed => state.Apply(failed),
        EmailDeliveryRecovered recovered => state.Apply(recovered),
        _ => throw new ArgumentException($"Not a subscription event: {@event.GetType().Name}.", nameof(@event)),
    };

    /// <summary>The state after all of <paramref name="events"/>, from <paramref name="state"/>.</summary>
    public static Subscription? Fold(Subscription? state, IEnumerable<object> events) => events.Aggregate(state, Evolve);
}
