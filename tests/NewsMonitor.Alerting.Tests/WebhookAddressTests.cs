using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NewsMonitor.Alerting.Delivery;
using NewsMonitor.Alerting.Subscriptions;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;

namespace NewsMonitor.Alerting.Tests;

/// <summary>The alerting service as deployed: webhooks to local networks refused (no AllowPrivateTargets).</summary>
public sealed class StrictWebhookFixture() : ServiceFixture<Program>("strict")
{
    protected override Type[] ProbedMessages => [typeof(AlertRaised)];

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Alerting:Webhooks:Attempts"] = "3",
        ["Alerting:Webhooks:FirstRetryMilliseconds"] = "50",
    };
}

/// <summary>
/// The outbound address policy at both ends of a webhook: creation answers 400 naming <c>webhook.url</c>, and a
/// delivery to a name that now resolves to a refused address is refused when it connects, without a request.
/// </summary>
public sealed class WebhookAddressTests(StrictWebhookFixture fixture) : IClassFixture<StrictWebhookFixture>
{
    private static HttpRequestMessage AsTenant(HttpMethod method, string path, string tenant, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add(Caller.RoleHeader, "subscriber");
        request.Headers.Add(Caller.TenantHeader, tenant);
        return request;
    }

    [Theory]
    [InlineData("http://localhost:{0}/hook", "loopback")]
    [InlineData("http://127.0.0.1:{0}/hook", "loopback")]
    [InlineData("http://[::ffff:127.0.0.1]:{0}/hook", "IPv4-mapped")]
    [InlineData("http://[64:ff9b::7f00:1]:{0}/hook", "NAT64")]
    [InlineData("http://198.18.0.1:{0}/hook", "benchmarking")]
    public async Task A_webhook_to_a_refused_address_is_a_400_naming_webhook_url(string url, string reason)
    {
        var response = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, "/api/v1/subscriptions", "t-refused",
            new { name = "hook", rule = "الناتو", webhook = new { url = string.Format(System.Globalization.CultureInfo.InvariantCulture, url, 9), secret = "a-webhook-secret-of-some-length" } }),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains(reason, problem.GetProperty("errors").GetProperty("webhook.url")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delivery_to_a_name_that_resolves_to_a_refused_address_is_refused_when_it_connects()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failures: 0);
        var url = receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        Assert.Contains("localhost", url, StringComparison.Ordinal);
        // Stored as if the name had resolved to a public address at creation and to loopback now (DNS rebinding).
        var id = Guid.CreateVersion7();
        var secrets = fixture.Service.Services.GetRequiredService<WebhookSecrets>();
        await using (var session = fixture.Service.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Events.StartStream<Subscription>(id, new SubscriptionCreated(id, "t-rebind", "rebind", "مونتينيغرو", "immediate", DateTimeOffset.UtcNow,
                secrets.Seal(url, "a-webhook-secret-of-some-length")));
            await session.SaveChangesInCommitOrderAsync(TestContext.Current.CancellationToken);
        }

        await fixture.Probe.PublishAsync(new ArticleReceived(Guid.NewGuid(), "عنوان", "انضمت مونتينيغرو إلى الحلف", null, "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
        var delivery = await Eventually.GetAsync(async () =>
        {
            var response = await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, $"/api/v1/subscriptions/{id}", "t-rebind"), TestContext.Current.CancellationToken);
            var view = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("delivery");
            return view.GetProperty("status").GetString() == "failing" ? view.GetRawText() : null;
        }, "a refused delivery");
        var failed = JsonDocument.Parse(delivery).RootElement;
        Assert.Contains("The host localhost resolves to", failed.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Contains("loopback", failed.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, failed.GetProperty("failedDeliveries").GetInt32());
        Assert.Empty(receiver.Requests);
        // Refused is final: one try, no retries against an address that will not change in milliseconds.
        var events = await fixture.StoredEventsAsync("webhook_delivery_failed");
        Assert.Equal(1, events);
    }
}
