using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NewsMonitor.Alerting.Matching;
using NewsMonitor.Alerting.Subscriptions;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;
using Npgsql;

namespace NewsMonitor.Alerting.Tests;

/// <summary>
/// The subscription index is trusted between changes and rebuilt when any replica changes a subscription: a NOTIFY sent in
/// the saving transaction, heard by every alerting process (issue 17: the per-article version query was the costliest
/// statement after the commit-order lock).
/// </summary>
public sealed class SubscriptionChangeSignalTests(AlertingFixture fixture) : IClassFixture<AlertingFixture>
{
    private AggregateChanges<Subscription> Changes => fixture.Service.Services.GetRequiredService<AggregateChanges<Subscription>>();

    private async Task<Guid> SubscribeAsync(string rule)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/subscriptions") { Content = JsonContent.Create(new { name = "signal", rule }) };
        request.Headers.Add(Caller.RoleHeader, "subscriber");
        request.Headers.Add(Caller.TenantHeader, "signal");
        var response = await fixture.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
    }

    private async Task<SubscriptionSnapshot> IndexAsync()
    {
        await using var session = fixture.Service.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await fixture.Service.Services.GetRequiredService<SubscriptionIndex>().CurrentAsync(session, TestContext.Current.CancellationToken);
    }

    private static Task NotifyAsync(string payload) => TestInfrastructure.NotifyAsync(AggregateChanges<Subscription>.Channel, payload);

    // What another replica's save (or an operator's SQL) does to the read model, unseen by this process's session listener.
    private Task<int> PauseBehindTheServicesBackAsync(Guid subscription) => TestInfrastructure.ScalarAsync<int>(
        $"with changed as (update \"{fixture.Schema}\".mt_doc_subscription set data = data || jsonb_build_object('paused', true, 'changedAt', to_jsonb(now())) where id = '{subscription}' returning 1) select count(*)::int from changed");

    [Fact]
    public async Task Saving_a_subscription_notifies_every_listener_when_it_commits()
    {
        await using var listener = new NpgsqlConnection(TestInfrastructure.Postgres);
        await listener.OpenAsync(TestContext.Current.CancellationToken);
        var heard = new List<string>();
        listener.Notification += (_, notification) => { lock (heard) heard.Add(notification.Payload); };
        await using (var listen = new NpgsqlCommand($"LISTEN {AggregateChanges<Subscription>.Channel}", listener))
            await listen.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);

        await SubscribeAsync("إعصار");

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        wait.CancelAfter(TimeSpan.FromSeconds(20));
        while (true)
        {
            lock (heard) if (heard.Contains(fixture.Schema + ":Subscription")) break;
            await listener.WaitAsync(wait.Token);
        }
    }

    [Fact]
    public async Task The_index_is_trusted_between_changes_and_rebuilt_when_another_replica_notifies()
    {
        await Eventually.TrueAsync(() => Task.FromResult(Changes.Live), "the subscription watch listening");
        var before = Changes.Generation;
        var subscription = await SubscribeAsync("زلزال");
        // This process's own change is known at once (the listener moves the generation on after the commit).
        Assert.True(Changes.Generation > before);
        Assert.True((await IndexAsync()).Subscriptions.ContainsKey(subscription));
        // Its notification comes back through the watch too, and moves the generation once more: wait for that echo,
        // or it could arrive after the change below and announce it.
        await Eventually.TrueAsync(() => Task.FromResult(Changes.Generation >= before + 2), "the save's own notification heard");
        Assert.True((await IndexAsync()).Subscriptions.ContainsKey(subscription));

        Assert.Equal(1, await PauseBehindTheServicesBackAsync(subscription));
        // Not re-read per use: the change was not announced, so the index built before it is still used.
        Assert.True((await IndexAsync()).Subscriptions.ContainsKey(subscription));

        await NotifyAsync(fixture.Schema + ":Subscription");
        await Eventually.TrueAsync(async () => !(await IndexAsync()).Subscriptions.ContainsKey(subscription), "the paused subscription out of the index after the notification");
    }

    [Fact]
    public async Task A_notification_about_another_schema_or_type_is_ignored()
    {
        await Eventually.TrueAsync(() => Task.FromResult(Changes.Live), "the subscription watch listening");
        // Notifications arrive in commit order: once a marker sent now is heard, no earlier save's echo is still on its way.
        var marker = Changes.Generation;
        await NotifyAsync(fixture.Schema + ":Subscription");
        await Eventually.TrueAsync(() => Task.FromResult(Changes.Generation > marker), "the marker notification heard");
        var generation = Changes.Generation;
        await NotifyAsync("some_other_schema:Subscription");
        await NotifyAsync(fixture.Schema + ":Alert");
        // Then one that counts: everything before it has been handled once it is (one connection, in order).
        await NotifyAsync(fixture.Schema + ":Subscription");
        await Eventually.TrueAsync(() => Task.FromResult(Changes.Generation > generation), "the generation moved by the matching notification");
        Assert.Equal(generation + 1, Changes.Generation);
    }

    [Fact]
    public async Task A_lost_watch_connection_is_replaced_and_the_index_checks_the_store_meanwhile()
    {
        await Eventually.TrueAsync(() => Task.FromResult(Changes.Live), "the subscription watch listening");
        var subscription = await SubscribeAsync("فيضان");
        Assert.True((await IndexAsync()).Subscriptions.ContainsKey(subscription));
        var generation = Changes.Generation;

        var name = AggregateChangeWatchName();
        Assert.Equal(1, await TestInfrastructure.ScalarAsync<int>($"select count(*)::int from pg_stat_activity where application_name = '{name}'"));
        await TestInfrastructure.ScalarAsync<bool>($"select bool_and(pg_terminate_backend(pid)) from pg_stat_activity where application_name = '{name}'");
        // Listening again moves the generation on (changes made while nobody listened are checked for).
        await Eventually.TrueAsync(() => Task.FromResult(Changes.Live && Changes.Generation > generation), "the watch listening again");

        Assert.Equal(1, await PauseBehindTheServicesBackAsync(subscription));
        await NotifyAsync(fixture.Schema + ":Subscription");
        await Eventually.TrueAsync(async () => !(await IndexAsync()).Subscriptions.ContainsKey(subscription), "the paused subscription out of the index");
    }

    private string AggregateChangeWatchName() => "newsmonitor-watch " + Changes.Tag;
}
