using Marten;
using NewsMonitor.Alerting.Subscriptions;

namespace NewsMonitor.Alerting.Delivery;

/// <summary>
/// At start, seals the webhook secrets stored in clear text before secrets were sealed: for each subscription whose
/// webhook still carries a clear secret it appends <see cref="WebhookSecretSealed"/>, then masks the clear secret out of
/// that stream's earlier events (Marten event data masking rewrites them in place). Until it has run, deliveries still
/// sign with the clear secret (<see cref="WebhookSecrets.Open"/>). Idempotent: a second run, or a replica running it at
/// the same time, finds nothing left or seals the same secret again.
/// </summary>
public sealed class LegacyWebhookSecrets(IDocumentStore store, WebhookSecrets secrets, TimeProvider clock, ILogger<LegacyWebhookSecrets> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Subscription> legacy;
        await using (var query = store.QuerySession())
        {
            legacy = await query.Query<Subscription>().Where(subscription => subscription.Webhook != null && subscription.Webhook.Secret != null).ToListAsync(cancellationToken);
        }
        if (legacy.Count == 0) return;
        foreach (var subscription in legacy)
        {
            await using var session = store.LightweightSession();
            // Sealed from the clear secret on the stream as read now (an owner's change meanwhile may have replaced it);
            // one a concurrent replica sealed first is left as it is.
            await session.DecideAsync(subscription.Id,
                state => new SealSecret(state.Id, state.Webhook?.Secret is { } secret ? secrets.Seal(state.Webhook.Url, secret).SealedSecret! : "", clock.GetUtcNow()),
                (_, decision) => decision.Events.Count > 0, () => false, cancellationToken);
        }
        await store.Advanced.ApplyEventDataMasking(masking =>
        {
            foreach (var subscription in legacy) masking.IncludeStream(subscription.Id);
        }, cancellationToken);
        logger.LogInformation("Sealed {Count} webhook secrets stored in clear text and masked them out of their subscriptions' events", legacy.Count);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
