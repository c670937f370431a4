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
        foreach (var article in articles)
            await fixture.Probe.PublishAsync(new ArticleReceived(article, "عنوان", "انضمت مقدونيا الشمالية", null, "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
        await Eventually.TrueAsync(() => Task.FromResult(articles.All(a => fixture.Probe.Received<AlertRaised>().Any(m => m.ArticleId == a))), "both alerts");
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.Empty(receiver.Requests); // no per-alert delivery for an hourly subscription

        await using (var scope = fixture.Service.Services.CreateAsyncScope())
        {
            var compiler = scope.ServiceProvider.GetRequiredService<DigestCompiler>();
            await compiler.CompileDueAsync(DateTimeOffset.UtcNow.AddHours(1), TestContext.Current.CancellationToken);
        }
        await using (var scope = fixture.Service.Services.CreateAsyncScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<DigestCompiler>().CompileDueAsync(DateTimeOffset.UtcNow.AddHours(1), TestContext.Current.CancellationToken));
        }

        var digests = (await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/subscriptions/{subscription}/digests", TestContext.Current.CancellationToken)).GetProperty("items");
        var digest = Assert.Single(digests.EnumerateArray());
        Assert.Equal(articles.Order(), digest.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("articleId").GetGuid()).Order());

        await Eventually.TrueAsync(() => Task.FromResult(!receiver.Requests.IsEmpty), "digest delivery");
        var delivered = receiver.Requests.Single();
        Assert.Equal(digest.GetProperty("id").GetGuid().ToString(), delivered.DeliveryId);
        Assert.Equal(2, JsonDocument.Parse(delivered.Body).RootElement.GetProperty("alerts").GetArrayLength());
    }
}
