using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace NewsMonitor.Alerting.Tests;

/// <summary>A near copy of an article (<see cref="ArticleReceived.DuplicateOf"/>) raises no second alert for a subscription that alerted on the original.</summary>
public sealed class RepeatAlertTests(AlertingFixture fixture) : IClassFixture<AlertingFixture>
{
    private async Task<Guid> SubscribeAsync(string tenant, string rule)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/subscriptions") { Content = JsonContent.Create(new { name = "repeat", rule }) };
        request.Headers.Add(Caller.RoleHeader, "subscriber");
        request.Headers.Add(Caller.TenantHeader, tenant);
        var response = await fixture.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
    }

    private static ArticleReceived Received(Guid id, string body, Guid? duplicateOf = null) =>
        new(id, "عنوان " + id, body, null, "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 0.99, duplicateOf, duplicateOf is null ? null : 0.8);

    private Task<long> WithheldAsync(Guid article, Guid subscription) => TestInfrastructure.ScalarAsync<long>(
        $"select count(*) from \"{fixture.Schema}\".mt_events where type = 'alerts_withheld_as_repeats' and stream_id = '{article}' and data->'subscriptionIds' ? '{subscription}'");

    [Fact]
    public async Task A_subscription_that_alerted_on_the_original_is_not_alerted_again_and_the_others_are()
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N")[..8];
        var alerted = await SubscribeAsync(tenant, "الناتو");
        var original = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(original, "قال الأمين العام للناتو إن الحلف موحد"));
        await fixture.AlertAsync(alerted, original);

        // Created after the original was decided, so it never alerted on it; and one that only the copy's new words match.
        var later = await SubscribeAsync(tenant, "الناتو");
        var copyOnly = await SubscribeAsync(tenant, "بروكسل");
        var copy = Guid.NewGuid();
        var message = Received(copy, "قال الأمين العام للناتو في بروكسل إن الحلف موحد", duplicateOf: original);
        await fixture.Probe.PublishAsync(message);

        await fixture.AlertAsync(later, copy);
        await fixture.AlertAsync(copyOnly, copy);
        await fixture.EvaluatedAsync(copy);
        // The copy's evaluation is committed with every alert of its text step: the count is final.
        Assert.Equal(0, await fixture.AlertsStoredAsync(alerted, copy));
        Assert.Equal(1, await WithheldAsync(copy, alerted));
        Assert.Equal(0, await WithheldAsync(copy, later));

        // A redelivered copy decides nothing again.
        using var consumed = ConsumeProbe.Start(fixture.Service.Services);
        await fixture.Probe.PublishAsync(message);
        await consumed.WaitForAsync<ArticleReceived>(m => m.ArticleId == copy, "the redelivered copy consumed");
        Assert.Equal(0, await fixture.AlertsStoredAsync(alerted, copy));
        Assert.Equal(1, await WithheldAsync(copy, alerted));
        await fixture.SettledAsync();
        Assert.DoesNotContain(fixture.Probe.Received<AlertRaised>(), m => m.SubscriptionId == alerted && m.ArticleId == copy);
        Assert.Single(fixture.Probe.Received<AlertRaised>(), m => m.SubscriptionId == later && m.ArticleId == copy);
    }

    [Fact]
    public async Task A_copy_decided_while_its_original_commits_in_another_batch_is_not_alerted_again()
    {
        var token = TestContext.Current.CancellationToken;
        var tenant = "t-" + Guid.NewGuid().ToString("N")[..8];
        var subscription = await SubscribeAsync(tenant, "الناتو");
        var recorder = fixture.Service.Services.GetRequiredService<NewsMonitor.Alerting.Alerts.ArticleFactRecorder>();
        var original = Guid.NewGuid();
        var copy = Guid.NewGuid();
        static NewsMonitor.Alerting.Alerts.ArticleFactRecorder.Fact Text(Guid id, string body, Guid? duplicateOf) => new(id, NewsMonitor.Alerting.Alerts.ArticleFactKinds.Text,
            new NewsMonitor.Alerting.Alerts.ArticleTextNoted(id, "عنوان", body, null, "ar", DateTimeOffset.UtcNow, duplicateOf), null);

        // The store's commit-order lock is held here, so both batches read and decide first (the copy finds no alert on
        // the original yet) and then queue for the lock, the original's first: it commits its alert while the copy waits.
        await using var held = await HeldAdvisoryLock.TakeAsync(CommitOrder.LockClass, fixture.Schema, token);
        var first = recorder.NoteAsync([Text(original, "قال الأمين العام للناتو إن الحلف موحد", null)], token);
        await held.WaitForWaitersAsync(1, "the original's save to wait for the commit-order lock");
        var second = recorder.NoteAsync([Text(copy, "قال الأمين العام للناتو في بروكسل إن الحلف موحد", original)], token);
        await held.WaitForWaitersAsync(2, "the copy's save to wait behind it");
        await held.ReleaseAsync(token);
        await Task.WhenAll(first, second);

        Assert.Equal(1, await fixture.AlertsStoredAsync(subscription, original));
        Assert.Equal(0, await fixture.AlertsStoredAsync(subscription, copy));
        Assert.Equal(1, await WithheldAsync(copy, subscription));
    }

    [Fact]
    public async Task A_copy_of_an_article_that_raised_no_alert_for_the_subscription_alerts_it()
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N")[..8];
        var subscription = await SubscribeAsync(tenant, "مونتينيغرو");
        var original = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(original, "اجتمع وزراء الحلف في بروكسل"));
        await fixture.EvaluatedAsync(original);
        Assert.Equal(0, await fixture.AlertsStoredAsync(subscription, original));

        var copy = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(copy, "اجتمع وزراء الحلف في بروكسل بحضور مونتينيغرو", duplicateOf: original));

        await fixture.AlertAsync(subscription, copy);
        await fixture.EvaluatedAsync(copy);
        Assert.Equal(0, await WithheldAsync(copy, subscription));
    }
}
