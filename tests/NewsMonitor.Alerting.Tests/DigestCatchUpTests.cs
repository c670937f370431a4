using Marten;
using Microsoft.Extensions.DependencyInjection;
using NewsMonitor.Alerting.Alerts;
using NewsMonitor.Alerting.Digests;
using NewsMonitor.Alerting.Subscriptions;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;

namespace NewsMonitor.Alerting.Tests;

/// <summary>
/// Digests after downtime: every missed period is compiled, oldest first and a bounded number per pass, exactly once
/// even with two compilers at work. Time is given to the compiler (as the scheduler gives it its clock's time), so the
/// periods are fixed hours in the past, whatever the wall clock says.
/// </summary>
public sealed class DigestCatchUpTests(AlertingFixture fixture) : IClassFixture<AlertingFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Ten_missed_hourly_periods_give_ten_digests_exactly_once_even_with_two_compilers_at_once()
    {
        // Given an hourly subscription with alerts in 10 of the 12 hours the service was down (hours 3 and 7 had none)
        var subscription = await CreateSubscriptionAsync("hourly", Start + TimeSpan.FromMinutes(5));
        var hours = Enumerable.Range(0, 12).Where(hour => hour is not 3 and not 7).ToList();
        var alerts = new Dictionary<DateTimeOffset, List<Guid>>();
        foreach (var hour in hours)
        {
            var period = Start + hour * Hour;
            alerts[period] = await RaiseAsync(subscription, period + TimeSpan.FromMinutes(10), period + TimeSpan.FromMinutes(50));
        }

        // When two nodes compile at once, 30 minutes into the 13th hour, and again later
        var now = Start + 12 * Hour + TimeSpan.FromMinutes(30);
        await Task.WhenAll(CompileAsync(now), CompileAsync(now));
        await CompileAsync(now + TimeSpan.FromMinutes(1));

        // Then each of the 10 hours with alerts has one digest with exactly its alerts, and no digest was stored twice
        var digests = await DigestsAsync(subscription);
        Assert.Equal(alerts.Keys.Order(), digests.Select(digest => digest.PeriodStart).Order());
        foreach (var digest in digests)
        {
            Assert.Equal(digest.PeriodStart + Hour, digest.PeriodEnd);
            Assert.Equal(alerts[digest.PeriodStart].Order(), digest.Alerts.Select(alert => alert.AlertId).Order());
        }
        Assert.Equal(10, await DigestEventsAsync(subscription));
    }

    [Fact]
    public async Task A_long_outage_is_caught_up_over_passes_oldest_first_without_a_period_twice()
    {
        // Given an hourly subscription with an alert in each of 60 hours: more than one pass compiles
        var subscription = await CreateSubscriptionAsync("hourly", Start);
        var hours = Enumerable.Range(0, DigestPlan.PeriodsPerPass + 12).Select(hour => Start + hour * Hour).ToList();
        foreach (var period in hours) await RaiseAsync(subscription, period + TimeSpan.FromMinutes(1));
        var now = hours[^1] + Hour + TimeSpan.FromMinutes(2);

        // When one pass runs, it stores at most its bound, and what is stored is the oldest periods, with no gap (the
        // service's own scheduler may run a pass meanwhile: it compiles the same way)
        Assert.InRange(await CompileAsync(now), 0, DigestPlan.PeriodsPerPass);
        var first = await DigestsAsync(subscription);
        Assert.Equal(hours.Take(first.Count), first.Select(digest => digest.PeriodStart).Order());
        Assert.NotEmpty(first);

        // Then the next pass carries on from there, and a pass after that finds nothing for this subscription
        await CompileAsync(now);
        await CompileAsync(now);
        var all = await DigestsAsync(subscription);
        Assert.Equal(hours, all.Select(digest => digest.PeriodStart).Order());
        Assert.Equal(hours.Count, await DigestEventsAsync(subscription));
    }

    [Fact]
    public async Task Alerts_raised_while_a_subscription_was_immediate_are_not_digested_after_it_turns_hourly()
    {
        var subscription = await CreateSubscriptionAsync("immediate", Start);
        await RaiseAsync(subscription, Start + TimeSpan.FromMinutes(20));
        await using (var session = fixture.Service.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Events.Append(subscription, new SubscriptionChanged(subscription, "catch-up", Rule, "hourly", Start + 2 * Hour + TimeSpan.FromMinutes(5)));
            await session.SaveChangesInCommitOrderAsync(Token);
        }
        var after = await RaiseAsync(subscription, Start + 2 * Hour + TimeSpan.FromMinutes(30));

        await CompileAsync(Start + 5 * Hour);

        var digest = Assert.Single(await DigestsAsync(subscription));
        Assert.Equal(Start + 2 * Hour, digest.PeriodStart);
        Assert.Equal(after, digest.Alerts.Select(alert => alert.AlertId).ToList());
    }

    [Fact]
    public void A_subscription_is_digested_from_when_it_last_became_hourly_or_daily()
    {
        var (t1, t2, t3) = (Start, Start + Hour, Start + 2 * Hour);
        Assert.Equal(t1, DigestPlan.DigestModeSince([("hourly", t1), ("daily", t2)]));
        Assert.Equal(t3, DigestPlan.DigestModeSince([("hourly", t1), ("immediate", t2), ("daily", t3)]));
        Assert.Null(DigestPlan.DigestModeSince([("daily", t1), ("immediate", t2)]));
        Assert.Equal(t3, DigestPlan.Floor(t3, t1));
        Assert.Equal(t3, DigestPlan.Floor(t2, t3));
        Assert.Equal(t1, DigestPlan.Floor(null, t1));
    }

    [Fact]
    public void A_page_cut_short_leaves_its_last_period_for_the_next_pass_and_open_periods_are_never_compiled()
    {
        var subscription = new DigestSubscription(Guid.NewGuid(), "t", Hour);
        var alerts = new[] { 10, 70, 75, 130, 190 }.Select((minute, n) => AlertAt(subscription.Id, n, Start + TimeSpan.FromMinutes(minute))).ToList();

        var complete = DigestPlan.Due(subscription, alerts, complete: true, Start + 3 * Hour + TimeSpan.FromMinutes(5), maxPeriods: 10);
        Assert.Equal([Start, Start + Hour, Start + 2 * Hour], complete.Select(digest => digest.PeriodStart));
        Assert.Equal(2, complete[1].Alerts.Count);

        var cut = DigestPlan.Due(subscription, alerts, complete: false, Start + 4 * Hour, maxPeriods: 10);
        Assert.Equal([Start, Start + Hour, Start + 2 * Hour], cut.Select(digest => digest.PeriodStart));

        var bounded = DigestPlan.Due(subscription, alerts, complete: true, Start + 4 * Hour, maxPeriods: 2);
        Assert.Equal([Start, Start + Hour], bounded.Select(digest => digest.PeriodStart));
        Assert.All(bounded, digest => Assert.Equal(DigestPeriods.DigestId(subscription.Id, digest.PeriodStart), digest.DigestId));
    }

    [Fact]
    public async Task A_subscription_turned_daily_after_an_hourly_digest_that_day_still_gets_the_days_digest()
    {
        // Given an hourly subscription whose first hour of the day was digested (its digest starts at midnight)
        var subscription = await CreateSubscriptionAsync("hourly", Start);
        var early = await RaiseAsync(subscription, Start + TimeSpan.FromMinutes(10));
        await CompileAsync(Start + Hour + TimeSpan.FromMinutes(1));

        // When it turns daily in the afternoon and has an alert after that, and the day closes
        await using (var session = fixture.Service.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Events.Append(subscription, new SubscriptionChanged(subscription, "catch-up", Rule, "daily", Start + 14 * Hour));
            await session.SaveChangesInCommitOrderAsync(Token);
        }
        var late = await RaiseAsync(subscription, Start + 15 * Hour);
        await CompileAsync(Start + TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await CompileAsync(Start + TimeSpan.FromDays(1) + TimeSpan.FromMinutes(2));

        // Then the afternoon's alert is in that day's digest (the day's digest also starts at midnight, like the first
        // hour's: it must not be taken for it), and every alert is in exactly one digest
        var digests = await DigestsAsync(subscription);
        var daily = Assert.Single(digests, digest => digest.PeriodEnd - digest.PeriodStart == TimeSpan.FromDays(1));
        Assert.Equal(Start, daily.PeriodStart);
        Assert.Equal(late, daily.Alerts.Select(alert => alert.AlertId).ToList());
        Assert.Equal(early.Concat(late).Order(), digests.SelectMany(digest => digest.Alerts).Select(alert => alert.AlertId).Order());
        Assert.Equal(2, await DigestEventsAsync(subscription));
    }

    private const string Rule = "xqzjvkwcatchup";

    private static Alert AlertAt(Guid subscription, int sequence, DateTimeOffset at) =>
        new(Guid.NewGuid(), sequence, subscription, "t", Guid.NewGuid(), "title", ["x"], at);

    private async Task<Guid> CreateSubscriptionAsync(string mode, DateTimeOffset at)
    {
        var id = Guid.NewGuid();
        await using var session = fixture.Service.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        session.Events.StartStream<Subscription>(id, new SubscriptionCreated(id, $"t-catchup-{id:N}", "catch-up", Rule, mode, at));
        await session.SaveChangesInCommitOrderAsync(Token);
        return id;
    }

    private async Task<List<Guid>> RaiseAsync(Guid subscription, params DateTimeOffset[] times)
    {
        var ids = new List<Guid>();
        await using var session = fixture.Service.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        foreach (var at in times)
        {
            var id = Guid.NewGuid();
            session.Events.StartStream<Alert>(id, new AlertTriggered(id, subscription, $"t-catchup-{subscription:N}", Guid.NewGuid(), "title", ["x"], at));
            ids.Add(id);
        }
        await session.SaveChangesInCommitOrderAsync(Token);
        return ids;
    }

    private async Task<int> CompileAsync(DateTimeOffset now)
    {
        await using var scope = fixture.Service.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DigestCompiler>().CompileDueAsync(now, Token);
    }

    private async Task<IReadOnlyList<Digest>> DigestsAsync(Guid subscription)
    {
        await using var session = fixture.Service.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Query<Digest>().Where(digest => digest.SubscriptionId == subscription).ToListAsync(Token);
    }

    private Task<long> DigestEventsAsync(Guid subscription) => TestInfrastructure.ScalarAsync<long>(
        $"select count(*) from \"{fixture.Schema}\".mt_events where type = 'digest_compiled' and data->>'subscriptionId' = '{subscription}'");
}
