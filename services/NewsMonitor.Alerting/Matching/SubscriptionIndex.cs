using Marten;
using NewsMonitor.Alerting.Alerts;
using NewsMonitor.Text.Rules;
using NewsMonitor.Alerting.Subscriptions;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Matching;

/// <summary>The active (not paused, not deleted) subscriptions, parsed and indexed once, grouped by the facts their rules need.</summary>
public sealed record SubscriptionSnapshot(IReadOnlyDictionary<ArticleFactKinds, RuleMatcher> Matchers, IReadOnlyDictionary<Guid, Subscription> Subscriptions);

/// <summary>
/// Keeps the presearcher index of the active subscriptions and rebuilds it when they change. While
/// <see cref="AggregateChanges{T}"/> hears every replica's subscription changes, the index is trusted until the next
/// change and checked against the store at most every <see cref="AggregateChanges{T}.VerifyEvery"/>; otherwise (no signal, or not
/// listening) a cheap query (count and latest change) before every use tells whether anything changed since the
/// last build. (That query reads every subscription's JSON: a few milliseconds at 200 subscriptions, two per fact
/// recorded, the load profile's most expensive statement after the commit-order lock; far more at 100,000.)
/// </summary>
public sealed class SubscriptionIndex(AggregateChanges<Subscription>? changes = null) : IDisposable
{
    private sealed record Built((int Count, DateTimeOffset Latest) Version, SubscriptionSnapshot Snapshot, AggregateCheck Checked);

    private readonly SemaphoreSlim _rebuild = new(1, 1);
    private volatile Built _built = new((-1, default), new SubscriptionSnapshot(new Dictionary<ArticleFactKinds, RuleMatcher>(), new Dictionary<Guid, Subscription>()), AggregateCheck.Never);

    /// <inheritdoc />
    public void Dispose() => _rebuild.Dispose();

    /// <summary>The index as of the subscriptions stored now (as of the last change heard, while the signal is live).</summary>
    public async Task<SubscriptionSnapshot> CurrentAsync(IQuerySession session, CancellationToken cancellationToken)
    {
        var built = _built;
        if (changes?.Unchanged(built.Checked) == true) return built.Snapshot;
        // Taken before the store is read: a change committed after it moves the generation on, so the next use checks.
        var check = changes?.Begin() ?? AggregateCheck.Never;
        var count = await session.Query<Subscription>().CountAsync(cancellationToken);
        var latest = count == 0 ? default : await session.Query<Subscription>().MaxAsync(subscription => subscription.ChangedAt, cancellationToken);
        if (built.Version == (count, latest))
        {
            _built = built with { Checked = check };
            return built.Snapshot;
        }
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
            _built = new Built((count, latest), snapshot, check);
            return snapshot;
        }
        finally
        {
            _rebuild.Release();
        }
    }
}
