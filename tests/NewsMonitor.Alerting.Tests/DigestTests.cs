using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NewsMonitor.Alerting.Digests;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;

namespace NewsMonitor.Alerting.Tests;

public sealed class DigestTests(AlertingFixture fixture) : IClassFixture<AlertingFixture>
{
    [Theory]
    [InlineData("2026-11-24T06:59:59Z", "hourly", "2026-11-24T06:00:00Z")]
    [InlineData("2026-11-24T07:00:00Z", "hourly", "2026-11-24T07:00:00Z")]
    [InlineData("2026-11-24T23:30:00+03:00", "daily", "2026-11-24T00:00:00Z")]
    public void Periods_are_whole_utc_hours_and_days(string at, string mode, string start) =>
        Assert.Equal(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture),
            DigestPeriods.StartOf(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture), DigestPeriods.Length(mode)!.Value));

    [Fact]
    public void Immediate_subscriptions_have_no_period() => Assert.Null(DigestPeriods.Length("immediate"));

    [Fact]
    public async Task An_hourly_subscription_gets_its_alerts_once_in_the_digest_of_the_closed_hour()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failures: 0);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/subscriptions")
        {
            Content = JsonContent.Create(new { name = "hourly", rule = "مقدونيا", mode = "hourly", webhook = new { url = receiver.Url, secret = "a-webhook-secret-of-some-length" } }),
        };
        request.Headers.Add(Caller.RoleHeader, "subscriber");
        request.Headers.Add(Caller.TenantHeader, "t-digest");
        var created = await fixture.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var subscription = (await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();

        var articles = new[] { Guid.NewGuid(), Guid.NewGuid() };
        using var consumed = ConsumeProbe.Start(fixture.Service.Services);
        foreach (var article in articles)
            await fixture.Probe.PublishAsync(new ArticleReceived(article, "عنوان", "انضمت مقدونيا الشمالية", null, "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
        var raised = await fixture.Probe.WaitForAtLeastAsync<AlertRaised>(2, m => m.SubscriptionId == subscription && articles.Contains(m.ArticleId), "both alerts");
        // Both alerts have been through the delivery consumer, which posts nothing for an hourly subscription.
        await consumed.WaitForAsync<AlertRaised>(m => m.SubscriptionId == subscription, "both alerts past the delivery consumer", count: 2, queue: "webhook-delivery");
        Assert.Empty(receiver.Requests);

        // Compile when the hour of the later alert closes, whatever the wall clock says. Should the two alerts fall either
        // side of an hour's end, each hour gets its own digest: the expectation follows the alerts' own times.
        var hour = TimeSpan.FromHours(1);
        var byHour = raised.GroupBy(alert => DigestPeriods.StartOf(alert.RaisedAt, hour)).ToDictionary(group => group.Key, group => group.Select(alert => alert.ArticleId).Order().ToList());
        var closed = byHour.Keys.Max() + hour;
        await using (var scope = fixture.Service.Services.CreateAsyncScope())
        {
            var compiler = scope.ServiceProvider.GetRequiredService<DigestCompiler>();
            await compiler.CompileDueAsync(closed, TestContext.Current.CancellationToken);
        }
        await using (var scope = fixture.Service.Services.CreateAsyncScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<DigestCompiler>().CompileDueAsync(closed, TestContext.Current.CancellationToken));
        }

        var digests = (await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/subscriptions/{subscription}/digests", TestContext.Current.CancellationToken)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(byHour.Keys.Order(), digests.Select(digest => digest.GetProperty("periodStart").GetDateTimeOffset()).Order());
        foreach (var digest in digests)
        {
            Assert.Equal(byHour[digest.GetProperty("periodStart").GetDateTimeOffset()], digest.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("articleId").GetGuid()).Order());
        }

        // Each digest is delivered once: wait until the delivery consumer is done with every one, then count the requests.
        await consumed.WaitForAsync<AlertDigestCompiled>(m => m.SubscriptionId == subscription, "digest delivery", count: digests.Count, queue: "webhook-delivery");
        var delivered = receiver.Requests.ToList();
        Assert.Equal(digests.Select(digest => digest.GetProperty("id").GetGuid().ToString()).Order(), delivered.Select(request => request.DeliveryId).Order());
        Assert.Equal(2, delivered.Sum(request => JsonDocument.Parse(request.Body).RootElement.GetProperty("alerts").GetArrayLength()));
    }
}
