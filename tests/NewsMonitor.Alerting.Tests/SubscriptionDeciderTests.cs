using NewsMonitor.Alerting.Subscriptions;

namespace NewsMonitor.Alerting.Tests;

/// <summary>The subscription decider in given/when/then form: given events, when a command, then events or a refusal. No I/O.</summary>
public sealed class SubscriptionDeciderTests
{
    private static readonly Guid Id = new("0193a3c5-0000-7000-8000-000000000001");
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T1 = T0.AddMinutes(1);
    private static readonly Webhook Hook = new("https://hooks.example/in", SealedSecret: "sealed-1");
    private static readonly EmailTarget Mail = new("reader@example.org");

    private static readonly SubscriptionCreated Created = new(Id, "tenant-a", "nato", "الناتو", "immediate", T0, Hook, Mail);
    private static readonly SubscriptionFeedIssued Feed = new(Id, "hash-1", "sealed-token-1", T0);

    // Then: the command appends exactly these events to the stream folded from the given ones.
    private static void Then(object[] given, SubscriptionCommand when, params object[] then)
    {
        var decision = SubscriptionDecider.Decide(SubscriptionDecider.Fold(null, given), when);
        Assert.False(decision.Refused, $"refused: {decision.Refusal}");
        Assert.Equal(then, decision.Events);
    }

    private static void Refused(object[] given, SubscriptionCommand when, SubscriptionRefusal refusal)
    {
        var decision = SubscriptionDecider.Decide(given.Length == 0 ? null : SubscriptionDecider.Fold(null, given), when);
        Assert.Equal(refusal, decision.Refusal);
        Assert.Empty(decision.Events);
    }

    private static readonly object[] Existing = [Created, Feed];
    private static readonly object[] Deleted = [Created, Feed, new SubscriptionDeleted(Id, T0)];

    [Fact]
    public void Create_starts_the_stream_with_its_feed() =>
        Then([], new CreateSubscription(Id, "tenant-a", "nato", "الناتو", "immediate", Hook, Mail, Feed, T0), Created, Feed);

    [Fact]
    public void Create_of_an_existing_id_is_refused() =>
        Refused(Existing, new CreateSubscription(Id, "tenant-a", "nato", "x", "immediate", null, null, Feed, T1), SubscriptionRefusal.AlreadyExists);

    [Fact]
    public void Change_replaces_the_settings() =>
        Then(Existing, new ChangeSubscription(Id, "renamed", "روسيا", "daily", null, null, T1), new SubscriptionChanged(Id, "renamed", "روسيا", "daily", T1));

    [Fact]
    public void Change_of_a_deleted_subscription_is_refused_and_never_resurrects_it() =>
        Refused(Deleted, new ChangeSubscription(Id, "renamed", "روسيا", "daily", null, null, T1), SubscriptionRefusal.NotFound);

    [Fact]
    public void Change_of_a_missing_subscription_is_refused() =>
        Refused([], new ChangeSubscription(Id, "renamed", "روسيا", "daily", null, null, T1), SubscriptionRefusal.NotFound);

    [Fact]
    public void Pause_pauses_a_running_subscription() => Then(Existing, new PauseSubscription(Id, T1), new SubscriptionPaused(Id, T1));

    [Fact]
    public void Pause_of_a_paused_subscription_changes_nothing() => Then([.. Existing, new SubscriptionPaused(Id, T0)], new PauseSubscription(Id, T1));

    [Fact]
    public void Pause_of_a_deleted_subscription_is_refused() => Refused(Deleted, new PauseSubscription(Id, T1), SubscriptionRefusal.NotFound);

    [Fact]
    public void Resume_resumes_a_paused_subscription() => Then([.. Existing, new SubscriptionPaused(Id, T0)], new ResumeSubscription(Id, T1), new SubscriptionResumed(Id, T1));

    [Fact]
    public void Resume_of_a_running_subscription_changes_nothing() => Then(Existing, new ResumeSubscription(Id, T1));

    [Fact]
    public void Resume_of_a_deleted_subscription_is_refused() => Refused(Deleted, new ResumeSubscription(Id, T1), SubscriptionRefusal.NotFound);

    [Fact]
    public void Delete_deletes() => Then(Existing, new DeleteSubscription(Id, T1), new SubscriptionDeleted(Id, T1));

    [Fact]
    public void A_second_delete_is_refused() => Refused(Deleted, new DeleteSubscription(Id, T1), SubscriptionRefusal.NotFound);

    [Fact]
    public void Rotate_issues_a_new_token()
    {
        var issued = new SubscriptionFeedIssued(Id, "hash-2", "sealed-token-2", T1);
        Then(Existing, new RotateFeed(Id, issued), issued);
    }

    [Fact]
    public void Rotate_after_a_revocation_issues_a_token_again()
    {
        var issued = new SubscriptionFeedIssued(Id, "hash-2", "sealed-token-2", T1);
        Then([.. Existing, new SubscriptionFeedRevoked(Id, T0)], new RotateFeed(Id, issued), issued);
    }

    [Fact]
    public void Rotate_of_a_deleted_subscription_is_refused() =>
        Refused(Deleted, new RotateFeed(Id, new SubscriptionFeedIssued(Id, "hash-2", "sealed-token-2", T1)), SubscriptionRefusal.NotFound);

    [Fact]
    public void Revoke_revokes_the_token() => Then(Existing, new RevokeFeed(Id, T1), new SubscriptionFeedRevoked(Id, T1));

    [Fact]
    public void Revoke_of_a_revoked_feed_changes_nothing() => Then([.. Existing, new SubscriptionFeedRevoked(Id, T0)], new RevokeFeed(Id, T1));

    [Fact]
    public void Revoke_of_a_deleted_subscription_is_refused() => Refused(Deleted, new RevokeFeed(Id, T1), SubscriptionRefusal.NotFound);

    [Fact]
    public void A_subscription_made_before_feeds_gets_its_missing_token()
    {
        var issued = new SubscriptionFeedIssued(Id, "hash-2", "sealed-token-2", T1);
        Then([Created], new IssueMissingFeed(Id, issued), issued);
    }

    [Fact]
    public void A_missing_token_is_not_issued_over_one_issued_meanwhile_nor_after_a_revocation()
    {
        var issued = new SubscriptionFeedIssued(Id, "hash-2", "sealed-token-2", T1);
        Then(Existing, new IssueMissingFeed(Id, issued));
        Then([Created, new SubscriptionFeedRevoked(Id, T0)], new IssueMissingFeed(Id, issued));
    }

    [Fact]
    public void Confirm_confirms_the_pending_address() => Then(Existing, new ConfirmEmail(Id, Mail.Address, T1), new EmailConfirmed(Id, Mail.Address, T1));

    [Fact]
    public void Confirm_of_another_address_or_a_confirmed_one_changes_nothing()
    {
        Then(Existing, new ConfirmEmail(Id, "other@example.org", T1));
        Then([.. Existing, new EmailConfirmed(Id, Mail.Address, T0)], new ConfirmEmail(Id, Mail.Address, T1));
    }

    [Fact]
    public void Confirm_on_a_deleted_subscription_is_refused() => Refused(Deleted, new ConfirmEmail(Id, Mail.Address, T1), SubscriptionRefusal.NotFound);

    [Fact]
    public void Unsubscribe_removes_the_address() => Then(Existing, new UnsubscribeEmail(Id, Mail.Address, T1), new EmailUnsubscribed(Id, Mail.Address, T1));

    [Fact]
    public void Unsubscribe_of_an_address_no_longer_there_changes_nothing()
    {
        Then([.. Existing, new EmailUnsubscribed(Id, Mail.Address, T0)], new UnsubscribeEmail(Id, Mail.Address, T1));
        Then(Existing, new UnsubscribeEmail(Id, "other@example.org", T1));
    }

    [Fact]
    public void A_webhook_failure_is_recorded() =>
        Then(Existing, new RecordWebhookFailure(Id, Guid.Empty, 6, "HTTP 500", T1), new WebhookDeliveryFailed(Id, Guid.Empty, 6, "HTTP 500", T1));

    [Fact]
    public void Nothing_is_recorded_on_a_deleted_subscription() =>
        Refused(Deleted, new RecordWebhookFailure(Id, Guid.Empty, 6, "HTTP 500", T1), SubscriptionRefusal.NotFound);

    [Fact]
    public void A_webhook_recovery_is_recorded_only_while_failing()
    {
        var alert = Guid.NewGuid();
        Then([.. Existing, new WebhookDeliveryFailed(Id, alert, 6, "HTTP 500", T0)], new RecordWebhookRecovery(Id, alert, T1), new WebhookDeliveryRecovered(Id, alert, T1));
        // Two deliveries that both saw "failing": the second decides on the state the first left, and records nothing.
        Then([.. Existing, new WebhookDeliveryFailed(Id, alert, 6, "HTTP 500", T0), new WebhookDeliveryRecovered(Id, alert, T0)], new RecordWebhookRecovery(Id, alert, T1));
    }

    [Fact]
    public void An_email_failure_is_recorded() =>
        Then(Existing, new RecordEmailFailure(Id, Guid.Empty, 1, "SMTP 550", T1), new EmailDeliveryFailed(Id, Guid.Empty, 1, "SMTP 550", T1));

    [Fact]
    public void An_email_recovery_is_recorded_only_while_failing()
    {
        var delivery = Guid.NewGuid();
        object[] failing = [.. Existing, new EmailConfirmed(Id, Mail.Address, T0), new EmailDeliveryFailed(Id, delivery, 6, "SMTP 451", T0)];
        Then(failing, new RecordEmailRecovery(Id, delivery, T1), new EmailDeliveryRecovered(Id, delivery, T1));
        Then([.. failing, new EmailDeliveryRecovered(Id, delivery, T0)], new RecordEmailRecovery(Id, delivery, T1));
    }

    [Fact]
    public void A_clear_secret_is_sealed_once()
    {
        object[] legacy = [Created with { Webhook = new Webhook("https://hooks.example/in", Secret: "clear") }, Feed];
        Then(legacy, new SealSecret(Id, "sealed-2", T1), new WebhookSecretSealed(Id, "sealed-2", T1));
        Then([.. legacy, new WebhookSecretSealed(Id, "sealed-2", T0)], new SealSecret(Id, "sealed-3", T1));
    }

    [Fact]
    public void Evolve_is_the_read_model_fold()
    {
        var state = SubscriptionDecider.Fold(null, [.. Existing, new SubscriptionPaused(Id, T1), new SubscriptionChanged(Id, "renamed", "روسيا", "daily", T1)])!;
        Assert.True(state.Paused);
        Assert.Equal(("renamed", "daily", T1), (state.Name, state.Mode, state.ChangedAt));
        Assert.Null(state.Webhook);
        Assert.Equal("hash-1", state.FeedTokenHash);
    }

    [Fact]
    public void A_second_copy_of_the_last_dead_letter_is_not_recorded_again()
    {
        // The last try of a delivery redelivered after a crash between the record and the ack, or the alert published
        // twice by the relay: the same dead letter, which must not count twice.
        var alert = Guid.NewGuid();
        object[] failed = [.. Existing, new WebhookDeliveryFailed(Id, alert, 6, "HTTP 500", T0)];
        Then(failed, new RecordWebhookFailure(Id, alert, 6, "HTTP 500", T1));
        var other = Guid.NewGuid();
        Then(failed, new RecordWebhookFailure(Id, other, 6, "HTTP 502", T1), new WebhookDeliveryFailed(Id, other, 6, "HTTP 502", T1));
        Assert.Equal(1, SubscriptionDecider.Fold(null, failed)!.FailedDeliveries);

        var delivery = Guid.NewGuid();
        object[] mailFailed = [.. Existing, new EmailConfirmed(Id, Mail.Address, T0), new EmailDeliveryFailed(Id, delivery, 6, "SMTP 451", T0)];
        Then(mailFailed, new RecordEmailFailure(Id, delivery, 6, "SMTP 451", T1));
        // A confirmation request has no delivery id: each one that fails is its own.
        object[] confirmationFailed = [.. Existing, new EmailDeliveryFailed(Id, Guid.Empty, 1, "SMTP 550", T0)];
        Then(confirmationFailed, new RecordEmailFailure(Id, Guid.Empty, 1, "SMTP 550", T1), new EmailDeliveryFailed(Id, Guid.Empty, 1, "SMTP 550", T1));
    }
}
