using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NewsMonitor.Alerting.Delivery;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;

namespace NewsMonitor.Alerting.Tests;

/// <summary>A real HTTP receiver on loopback that fails its first requests, then accepts.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failuresLeft;

    public sealed record Received(string Body, string Signature, string DeliveryId);

    private WebhookReceiver(WebApplication app, int failures)
    {
        _app = app;
        _failuresLeft = failures;
    }

    public ConcurrentQueue<Received> Requests { get; } = new();

    public string Url => LoopbackHttpServer.AddressOf(_app) + "/hook";

    public static async Task<WebhookReceiver> StartAsync(int failures)
    {
        WebhookReceiver? receiver = null;
        var app = await LoopbackHttpServer.StartAsync(app => app.MapPost("/hook", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            receiver!.Requests.Enqueue(new Received(body, context.Request.Headers["X-NewsMonitor-Signature"].ToString(), context.Request.Headers["X-NewsMonitor-Delivery"].ToString()));
            return Interlocked.Decrement(ref receiver._failuresLeft) >= 0 ? Results.StatusCode(500) : Results.Ok();
        }));
        receiver = new WebhookReceiver(app, failures);
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

public sealed class WebhookTests(AlertingFixture fixture) : IClassFixture<AlertingFixture>
{
    private const string Secret = "a-webhook-secret-of-some-length";

    private Task<Guid> SubscribeAsync(string tenant, string rule, string url) => WebhookSubscriptions.SubscribeAsync(fixture.Client, tenant, rule, url, Secret);

    private Task<JsonElement> DeliveryAsync(Guid subscription) => WebhookSubscriptions.DeliveryAsync(fixture.Client, subscription);

    private static ArticleReceived Received(Guid id, string body) => new(id, "عنوان", body, null, "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    [Fact]
    public async Task An_alert_is_delivered_signed_after_the_receiver_recovers()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failures: 2);
        var subscription = await SubscribeAsync("t-hook", "مونتينيغرو", receiver.Url);
        var article = Guid.NewGuid();
        using var consumed = ConsumeProbe.Start(fixture.Service.Services);
        await fixture.Probe.PublishAsync(Received(article, "انضمت مونتينيغرو إلى الحلف"));

        await Eventually.TrueAsync(() => Task.FromResult(receiver.Requests.Count >= 3), "three delivery attempts");
        var requests = receiver.Requests.ToArray();
        Assert.Single(requests.Select(request => request.DeliveryId).Distinct());
        var alert = JsonDocument.Parse(requests[^1].Body).RootElement;
        Assert.Equal(article, alert.GetProperty("articleId").GetGuid());
        Assert.Equal(subscription, alert.GetProperty("subscriptionId").GetGuid());
        Assert.Equal(alert.GetProperty("id").GetGuid().ToString(), requests[^1].DeliveryId);
        Assert.Equal(WebhookDeliveryConsumer.Signature(Secret, System.Text.Encoding.UTF8.GetBytes(requests[^1].Body)), requests[^1].Signature);
        // Each try is one pass of the alert through the delivery consumer (a retry comes back from a RabbitMQ wait queue);
        // after the third, which succeeded, no more requests come.
        await consumed.WaitForAsync<AlertRaised>(m => m.SubscriptionId == subscription && m.ArticleId == article, "the delivery finished", count: 3, queue: "webhook-delivery");
        Assert.Equal(3, receiver.Requests.Count);
        var delivery = await DeliveryAsync(subscription);
        Assert.Equal("ok", delivery.GetProperty("status").GetString());
        Assert.Equal(receiver.Url, delivery.GetProperty("webhookUrl").GetString());
    }

    [Fact]
    public async Task A_receiver_that_keeps_failing_makes_a_dead_letter_and_marks_the_delivery_failing()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failures: int.MaxValue);
        var subscription = await SubscribeAsync("t-dead", "الجبل الأسود", receiver.Url);
        await fixture.Probe.PublishAsync(Received(Guid.NewGuid(), "قمة في الجبل الأسود"));

        var delivery = await Eventually.GetAsync(async () => (await DeliveryAsync(subscription)) is var d && d.GetProperty("status").GetString() == "failing" ? d.GetRawText() : null, "failing status");
        var view = JsonDocument.Parse(delivery).RootElement;
        Assert.Equal(4, receiver.Requests.Count);
        Assert.Equal(1, view.GetProperty("failedDeliveries").GetInt32());
        Assert.Contains("500", view.GetProperty("lastError").GetString());
    }

    [Theory]
    [InlineData("ftp://example.com/hook", Secret, "absolute http")]
    [InlineData("https://user:pass@example.com/hook", Secret, "credentials")]
    [InlineData("https://example.com/hook", "short", "at least 16")]
    public void Webhook_shapes_are_checked(string url, string secret, string message) => Assert.Contains(message, WebhookTargets.CheckShape(url, secret));

    [Fact]
    public async Task A_loopback_target_is_refused_without_the_operator_setting() =>
        Assert.Contains("loopback", await WebhookTargets.CheckAddressAsync(new Uri("http://127.0.0.1:9/hook"), allowPrivate: false, CancellationToken.None));
}

/// <summary>A subscriber's webhook subscription made and read through the service's API, as the webhook tests do.</summary>
internal static class WebhookSubscriptions
{
    /// <summary>Creates an immediate subscription of <paramref name="tenant"/> delivering to <paramref name="url"/>; returns its id.</summary>
    public static async Task<Guid> SubscribeAsync(HttpClient client, string tenant, string rule, string url, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/subscriptions") { Content = JsonContent.Create(new { name = "hook", rule, webhook = new { url, secret } }) };
        request.Headers.Add(Caller.RoleHeader, "subscriber");
        request.Headers.Add(Caller.TenantHeader, tenant);
        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
    }

    /// <summary>The subscription's <c>delivery</c> view.</summary>
    public static async Task<JsonElement> DeliveryAsync(HttpClient client, Guid subscription) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/subscriptions/{subscription}", TestContext.Current.CancellationToken)).GetProperty("delivery");
}
