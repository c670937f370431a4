using Marten;
using NewsMonitor.Alerting.Subscriptions;

namespace NewsMonitor.Alerting.Feeds;

/// <summary>
/// At start, issues a feed token to every subscription made before feeds existed (no token, never revoked), so every
/// subscription has its feed without its owner asking (rotating also issues one). Each is appended at the version
/// read: a replica doing the same at the same time makes one of the two saves fail, and that subscription keeps the
/// token the other issued.
/// </summary>
public sealed class LegacyFeedTokens(IDocumentStore store, FeedTokens feeds, TimeProvider clock, ILogger<LegacyFeedTokens> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Guid> without;
        await using (var query = store.QuerySession())
        {
            // FeedRevoked is checked here, not in SQL: documents stored before feeds do not have the field at all.
            var candidates = await query.Query<Subscription>().Where(subscription => subscription.FeedTokenHash == null && !subscription.Deleted).ToListAsync(cancellationToken);
            without = candidates.Where(subscription => !subscription.FeedRevoked).Select(subscription => subscription.Id).ToList();
        }
        var issued = 0;
        foreach (var id in without)
        {
            await using var session = store.LightweightSession();
            // Decided on the state read: a token issued meanwhile (a rotation, or a replica doing the same) stands.
            var stored = await session.DecideAsync(id, _ => new IssueMissingFeed(id, feeds.Issue(id, clock.GetUtcNow()).Issued),
                (_, decision) => decision.Events.Count > 0, () => false, cancellationToken);
            if (stored) issued++;
        }
        if (issued > 0) logger.LogInformation("Issued feed tokens to {Count} subscriptions made before feeds", issued);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
