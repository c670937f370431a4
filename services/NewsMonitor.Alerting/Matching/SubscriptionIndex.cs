using Marten;
using NewsMonitor.Alerting.Alerts;
using NewsMonitor.Text.Rules;
using NewsMonitor.Alerting.Subscriptions;

namespace NewsMonitor.Alerting.Matching;

/// <summary>The active (not paused, not deleted) subscriptions, parsed and indexed once, grouped by the facts their rules need.</summary>
public sealed record SubscriptionSnapshot(IReadOnlyDictionary<ArticleFactKinds, RuleMatcher> Matchers, IReadOnlyDictionary<Guid, Subscription> Subscriptions);

/// <summary>
/// Keeps the presearcher index of the active subscriptions and rebuilds it when they change. A cheap query
/// (count and latest change) tells whether another request or replica changed them since the last build.
/// </summary>
public sealed class SubscriptionIndex : IDisposable
{
    private sealed record Built((int Count, DateTimeOffset Latest) Version, SubscriptionSnapshot Snapshot);

    private readonly SemaphoreSlim _rebuild = new(1, 1);
    private volatile Built _built = new((-1, default), new SubscriptionSnapshot(new Dictionary<ArticleFactKinds, RuleMatcher>(), new Dictionary<Guid, Subscription>()));

    /// <inheritdoc />
    public void Dispose() => _rebuild.Dispose();

    /// <summary>The index as of the subscriptions stored now.</summary>
    public async Task<SubscriptionSnapshot> CurrentAsync(IQuerySession session, CancellationToken cancellationToken)
    {
        var count = await session.Query<Subscription>().CountAsync(cancellationToken);
        var latest = count == 0 ? default : await session.Query<Subscription>().MaxAsync(subscription => subscription.ChangedAt, cancellationToken);
        if (_built.Version == (count, latest)) return _built.Snapshot;
        await _rebuild.WaitAsync(cancellationToken);
        try
        {
            if (_built.Version == (count, latest)) return _built.Snapshot;
            var active = await session.Query<Subscription>().Where(subscription => !subscription.Deleted && !subscription.Paused).ToListAsync(cancellationToken);
            var groups = new Dictionary<ArticleFactKinds, List<RuleEntry>>();
            foreach (var subscription in active)
            {
                // Rules were validated when stored; a rule the current parser refuses is skipped, not fatal.
                if (AlertRule.Parse(subscription.Rule).Rule is not { } rule) continue;
                var needs = AlertingArticle.Needs(rule);
                if (!groups.TryGetValue(needs, out var entries)) groups[needs] = entries = [];
                entries.Add(new RuleEntry(subscription.Id, rule));
            }
            var snapshot = new SubscriptionSnapshot(
                groups.ToDictionary(group => group.Key, group => new RuleMatcher(group.Value)),
                active.ToDictionary(subscription => subscription.Id));
            _built = new Built((count, latest), snapshot);
            return snapshot;
        }
        finally
        {
            _rebuild.Release();
        }
    }
}
