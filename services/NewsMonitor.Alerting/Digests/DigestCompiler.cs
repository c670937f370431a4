using Marten;
using NewsMonitor.Alerting.Alerts;
using NewsMonitor.Alerting.Subscriptions;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Digests;

/// <summary>
/// Compiles the digests of hourly and daily subscriptions whose periods have closed: one per subscription and
/// period that had alerts, stored once (its id derives from both, so nodes compiling together cannot double it).
/// </summary>
public sealed class DigestCompiler(IDocumentSession session)
{
    /// <summary>Compiles every digest due at <paramref name="now"/>; returns how many were stored.</summary>
    public async Task<int> CompileDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var subscriptions = await session.Query<Subscription>()
            .Where(subscription => !subscription.Deleted && subscription.Mode != "immediate")
            .ToListAsync(cancellationToken);
        if (subscriptions.Count == 0) return 0;

        var earliest = now - TimeSpan.FromDays(1) * (DigestPeriods.LookBack + 1);
        var ids = subscriptions.Select(subscription => subscription.Id).ToArray();
        var alerts = await session.Query<Alert>()
            .Where(alert => alert.SubscriptionId.IsOneOf(ids) && alert.RaisedAt >= earliest)
            .OrderBy(alert => alert.Sequence)
            .ToListAsync(cancellationToken);

        var due = new List<DigestCompiled>();
        foreach (var subscription in subscriptions)
        {
            var length = DigestPeriods.Length(subscription.Mode)!.Value;
            var current = DigestPeriods.StartOf(now, length);
            var lookBackStart = current - length * DigestPeriods.LookBack;
            // Only closed periods: alerts of the period still running wait for the next compilation.
            foreach (var period in alerts
                         .Where(alert => alert.SubscriptionId == subscription.Id && alert.RaisedAt < current && alert.RaisedAt >= lookBackStart)
                         .GroupBy(alert => DigestPeriods.StartOf(alert.RaisedAt, length)))
            {
                due.Add(new DigestCompiled(DigestPeriods.DigestId(subscription.Id, period.Key), subscription.Id, subscription.Tenant, period.Key, period.Key + length,
                    period.Select(alert => new DigestAlert(alert.Id, alert.ArticleId, alert.Title, alert.Matched, alert.RaisedAt)).ToList(), now));
            }
        }
        if (due.Count == 0) return 0;

        var digestIds = due.Select(digest => digest.DigestId).ToArray();
        var stored = (await session.Query<Digest>().Where(digest => digest.Id.IsOneOf(digestIds)).Select(digest => digest.Id).ToListAsync(cancellationToken)).ToHashSet();
        var added = 0;
        foreach (var digest in due.Where(digest => !stored.Contains(digest.DigestId)))
        {
            session.Events.StartStream<Digest>(digest.DigestId, digest);
            added++;
        }
        if (added == 0) return 0;
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            return added;
        }
        catch (Exception exception) when (EventStoreSessions.IsStreamCollision(exception))
        {
            return 0; // another node compiled them first; the next run finds them stored
        }
    }
}

/// <summary>Runs the compiler every minute.</summary>
public sealed class DigestScheduler(IServiceScopeFactory scopes, TimeProvider clock, ILogger<DigestScheduler> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var compiled = await scope.ServiceProvider.GetRequiredService<DigestCompiler>().CompileDueAsync(clock.GetUtcNow(), stoppingToken);
                if (compiled > 0) logger.LogInformation("Compiled {Count} digests", compiled);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Compiling digests failed; trying again in a minute");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
