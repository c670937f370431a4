using Marten;
using Marten.Events;
using NewsMonitor.Alerting.Alerts;
using NewsMonitor.Alerting.Subscriptions;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Digests;

/// <summary>
/// Compiles the digests of hourly and daily subscriptions whose periods have closed: one per subscription and
/// period that had alerts, stored once (its id derives from both, so nodes compiling together cannot double it).
/// Every closed period after a subscription's last digest is compiled, however long the service was down, oldest
/// first and at most <see cref="DigestPlan.PeriodsPerPass"/> per subscription and pass, so a long outage is caught up
/// over a few passes instead of one pass that never ends.
/// </summary>
public sealed class DigestCompiler(IDocumentSession session)
{
    /// <summary>Compiles the digests due at <paramref name="now"/> (the oldest first, bounded per pass); returns how many were stored.</summary>
    public async Task<int> CompileDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var subscriptions = await session.Query<Subscription>()
            .Where(subscription => !subscription.Deleted && subscription.Mode != "immediate")
            .ToListAsync(cancellationToken);
        if (subscriptions.Count == 0) return 0;
        var ids = subscriptions.Select(subscription => subscription.Id).ToArray();

        // Where each subscription stands: the end of its last digest, and since when it has been a digest subscription
        // (alerts raised while it was immediate were delivered one by one and are not digested again).
        var compiledUntil = (await session.QueryAsync<DigestWatermark>(
                $"select jsonb_build_object('subscriptionId', data ->> 'subscriptionId', 'compiledUntil', max((data ->> 'periodEnd')::timestamptz)) from {DigestTable()} where (data ->> 'subscriptionId')::uuid = any(?) group by data ->> 'subscriptionId'",
                cancellationToken, ids))
            .ToDictionary(row => row.SubscriptionId, row => row.CompiledUntil);
        var modeChanges = (await session.Events.QueryAllRawEvents()
                .Where(stored => stored.StreamId.IsOneOf(ids) && stored.EventTypesAre(typeof(SubscriptionCreated), typeof(SubscriptionChanged)))
                .OrderBy(stored => stored.Sequence)
                .ToListAsync(cancellationToken))
            .ToLookup(stored => stored.StreamId, stored => stored.Data switch
            {
                SubscriptionCreated created => (created.Mode, created.At),
                SubscriptionChanged changed => (changed.Mode, changed.At),
                _ => throw new InvalidOperationException($"Unexpected event {stored.EventTypeName}"),
            });

        // One round trip for every subscription's oldest alerts not yet digested.
        var batch = session.CreateBatchQuery();
        var pages = new List<(DigestSubscription Subscription, Task<IReadOnlyList<Alert>> Alerts)>();
        foreach (var subscription in subscriptions)
        {
            var length = DigestPeriods.Length(subscription.Mode)!.Value;
            var floor = DigestPlan.Floor(compiledUntil.TryGetValue(subscription.Id, out var until) ? until : null,
                DigestPlan.DigestModeSince(modeChanges[subscription.Id]) ?? subscription.CreatedAt);
            // Only closed periods: alerts of the period still running wait for the next compilation.
            var closed = DigestPeriods.StartOf(now, length);
            if (floor >= closed) continue;
            var id = subscription.Id;
            pages.Add((new DigestSubscription(id, subscription.Tenant, length), batch.Query<Alert>()
                .Where(alert => alert.SubscriptionId == id && alert.RaisedAt >= floor && alert.RaisedAt < closed)
                .OrderBy(alert => alert.RaisedAt)
                .Take(DigestPlan.AlertsPerPass + 1)
                .ToList()));
        }
        if (pages.Count == 0) return 0;
        await batch.Execute(cancellationToken);

        var due = new List<DigestCompiled>();
        foreach (var (subscription, alerts) in pages)
        {
            var page = await alerts;
            var digests = DigestPlan.Due(subscription, page, complete: page.Count <= DigestPlan.AlertsPerPass, now, DigestPlan.PeriodsPerPass);
            if (digests.Count == 0 && page.Count > 0)
            {
                // One period holds more alerts than a page: it is compiled whole, from a query of its own.
                var end = DigestPeriods.StartOf(page[0].RaisedAt, subscription.Length) + subscription.Length;
                var whole = await session.Query<Alert>()
                    .Where(alert => alert.SubscriptionId == subscription.Id && alert.RaisedAt >= page[0].RaisedAt && alert.RaisedAt < end)
                    .OrderBy(alert => alert.RaisedAt)
                    .ToListAsync(cancellationToken);
                digests = DigestPlan.Due(subscription, whole, complete: true, now, 1);
            }
            due.AddRange(digests);
        }
        if (due.Count == 0) return 0;

        // A digest's id derives from its subscription and period start, so a subscription turned from hourly to daily finds
        // that day's id taken by the digest of the day's first hour (both start at midnight): the day's digest was skipped
        // as stored, and its alerts never sent. A digest whose id is taken by one of another period gets the id of its start
        // and length instead (the same on every node, so still stored once).
        var plainIds = due.Select(digest => digest.DigestId).ToArray();
        var taken = (await session.Query<Digest>().Where(digest => digest.Id.IsOneOf(plainIds)).Select(digest => new { digest.Id, digest.PeriodEnd }).ToListAsync(cancellationToken))
            .ToDictionary(digest => digest.Id, digest => digest.PeriodEnd);
        due = due.Select(digest => taken.TryGetValue(digest.DigestId, out var end) && end != digest.PeriodEnd
            ? digest with { DigestId = DigestPeriods.DigestId(digest.SubscriptionId, digest.PeriodStart, digest.PeriodEnd - digest.PeriodStart) }
            : digest).ToList();
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
            await session.SaveChangesInCommitOrderAsync(cancellationToken);
            return added;
        }
        catch (Exception exception) when (EventStoreSessions.IsStreamCollision(exception) || IsMartenStreamCollision(exception))
        {
            // Another node stored some of them first. Nothing of this batch was stored (one transaction); the next pass
            // starts after the digests now stored and compiles whatever is still missing.
            return 0;
        }
    }

    // Marten 9 reports a taken stream id as its own ExistingStreamIdCollisionException, not the JasperFx one the shared
    // check looked for; recognised here too, so a concurrent node's digest is never an error whichever check is current.
    private static bool IsMartenStreamCollision(Exception exception) =>
        exception is Marten.Exceptions.ExistingStreamIdCollisionException
        || exception.InnerException is { } inner && IsMartenStreamCollision(inner)
        || exception is AggregateException aggregate && aggregate.InnerExceptions.Any(IsMartenStreamCollision);

    private string DigestTable() => session.DocumentStore.Options.Schema.For<Digest>();
}

/// <summary>The end of a subscription's last digest.</summary>
public sealed record DigestWatermark(Guid SubscriptionId, DateTimeOffset CompiledUntil);

/// <summary>What the digest plan needs of a subscription.</summary>
public sealed record DigestSubscription(Guid Id, string Tenant, TimeSpan Length);

/// <summary>Which digests are due, from a subscription's alerts. Pure.</summary>
public static class DigestPlan
{
    /// <summary>Most periods compiled per subscription in one pass: a week of hourly periods after a long outage
    /// is caught up over several passes, a minute apart, oldest first.</summary>
    public const int PeriodsPerPass = 48;

    /// <summary>Most alerts read per subscription in one pass.</summary>
    public const int AlertsPerPass = 2000;

    /// <summary>
    /// When the subscription last became a digest subscription (created as one, or changed from <c>immediate</c>), from
    /// its modes in order; null when it is <c>immediate</c> now.
    /// </summary>
    public static DateTimeOffset? DigestModeSince(IEnumerable<(string Mode, DateTimeOffset At)> modes)
    {
        DateTimeOffset? since = null;
        foreach (var (mode, at) in modes)
            since = DigestPeriods.Length(mode) is null ? null : since ?? at;
        return since;
    }

    /// <summary>
    /// The earliest alert time that may still need a digest: the end of the last digest (every period before it was
    /// compiled, oldest first), and never before the subscription became a digest subscription.
    /// </summary>
    public static DateTimeOffset Floor(DateTimeOffset? compiledUntil, DateTimeOffset digestModeSince) =>
        compiledUntil is { } until && until > digestModeSince ? until : digestModeSince;

    /// <summary>
    /// The digests of the closed periods of <paramref name="alerts"/> (alerts of closed periods not yet digested, in
    /// time order), oldest first, at most <paramref name="maxPeriods"/>; periods without alerts get none. When the
    /// alerts were cut at a page's end (<paramref name="complete"/> false), the last period in them may be missing
    /// alerts and is left for the next pass.
    /// </summary>
    public static IReadOnlyList<DigestCompiled> Due(DigestSubscription subscription, IReadOnlyList<Alert> alerts, bool complete, DateTimeOffset now, int maxPeriods)
    {
        var periods = alerts.GroupBy(alert => DigestPeriods.StartOf(alert.RaisedAt, subscription.Length)).OrderBy(period => period.Key).ToList();
        if (!complete && periods.Count > 0) periods.RemoveAt(periods.Count - 1);
        var closed = DigestPeriods.StartOf(now, subscription.Length);
        return periods.Where(period => period.Key < closed).Take(maxPeriods)
            .Select(period => new DigestCompiled(DigestPeriods.DigestId(subscription.Id, period.Key), subscription.Id, subscription.Tenant, period.Key, period.Key + subscription.Length,
                period.OrderBy(alert => alert.Sequence).Select(alert => new DigestAlert(alert.Id, alert.ArticleId, alert.Title, alert.Matched, alert.RaisedAt)).ToList(), now))
            .ToList();
    }
}

/// <summary>Runs the compiler every minute, and again at once while a pass stored digests (catching up after downtime).</summary>
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
                int compiled;
                do
                {
                    await using var scope = scopes.CreateAsyncScope();
                    compiled = await scope.ServiceProvider.GetRequiredService<DigestCompiler>().CompileDueAsync(clock.GetUtcNow(), stoppingToken);
                    if (compiled > 0) logger.LogInformation("Compiled {Count} digests", compiled);
                }
                while (compiled > 0);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Compiling digests failed; trying again in a minute");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
