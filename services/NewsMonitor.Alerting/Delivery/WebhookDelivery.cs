using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marten;
using MassTransit;
using NewsMonitor.Alerting.Alerts;
using NewsMonitor.Alerting.Feeds;
using NewsMonitor.Alerting.Subscriptions;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Delivery;

/// <summary>Webhook settings (<c>Alerting:Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    /// <summary>
    /// Allow targets on loopback, private, carrier-grade NAT and unique-local addresses (tests and closed networks only);
    /// link-local, multicast, broadcast, documentation and the other special ranges of <see cref="OutboundAddressPolicy"/>
    /// stay refused.
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>Tries per alert before it becomes a dead letter.</summary>
    public int Attempts { get; set; } = 6;

    /// <summary>Wait before the first retry; each retry waits twice as long (at most 15 minutes), in a RabbitMQ wait queue of that delay.</summary>
    public int FirstRetryMilliseconds { get; set; } = 1_000;

    /// <summary>Deliveries under way at once (one try each: a retry waits in RabbitMQ, not in a slot).</summary>
    public int ConcurrentDeliveries { get; set; } = 32;
}

/// <summary>
/// POSTs each alert of an immediate subscription, and each digest of an hourly or daily one, to its webhook, signed with HMAC-SHA256 of the body under the
/// subscription's secret (<c>X-NewsMonitor-Signature: sha256=…</c>) and identified by the alert id
/// (<c>X-NewsMonitor-Delivery</c>, the same on every retry, so receivers can drop repeats). Failures are retried
/// with exponential backoff, each retry waiting in a RabbitMQ wait queue (<see cref="DeliveryRetry"/>); after the last try the alert is recorded as a dead letter on the
/// subscription, whose delivery status becomes <c>failing</c> until a delivery succeeds again.
/// </summary>
public sealed class WebhookDeliveryConsumer(IDocumentSession session, IHttpClientFactory clients, Microsoft.Extensions.Options.IOptions<WebhookOptions> options,
    WebhookSecrets secrets, TimeProvider clock, ILogger<WebhookDeliveryConsumer> logger, ScheduledRedelivery redelivery) : IConsumer<AlertRaised>, IConsumer<AlertDigestCompiled>
{
    /// <summary>
    /// Name of the HTTP client used for deliveries: 10 s timeout, no redirects, no proxy, connections only to addresses
    /// <see cref="OutboundAddressPolicy"/> allows, checked on the address connected to.
    /// </summary>
    public const string ClientName = "webhooks";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The signature header value of <paramref name="body"/> under <paramref name="secret"/>.</summary>
    public static string Signature(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <inheritdoc />
    public async Task Consume(ConsumeContext<AlertRaised> context)
    {
        var alert = context.Message;
        var subscription = await session.LoadAsync<Subscription>(alert.SubscriptionId, context.CancellationToken);
        // Hourly and daily subscriptions get their alerts in the period's digest instead.
        if (subscription is null || subscription.Mode != "immediate") return;
        var body = subscription.Webhook?.PayloadFormat is "slack" or "teams"
            ? await ChatBodyAsync(subscription, null, [new DigestAlert(alert.AlertId, alert.ArticleId, alert.Title, alert.Matched, alert.RaisedAt)], context.CancellationToken)
            : JsonSerializer.SerializeToUtf8Bytes(new AlertView(alert.AlertId, alert.SubscriptionId, alert.ArticleId, alert.Title, alert.Matched, alert.RaisedAt, 0), Json);
        await DeliverAsync(context, subscription, alert.AlertId, body);
    }

    /// <summary>Delivers a digest to the webhook of its hourly or daily subscription.</summary>
    public async Task Consume(ConsumeContext<AlertDigestCompiled> context)
    {
        var digest = context.Message;
        var subscription = await session.LoadAsync<Subscription>(digest.SubscriptionId, context.CancellationToken);
        if (subscription is null) return;
        var body = subscription.Webhook?.PayloadFormat is "slack" or "teams"
            ? await ChatBodyAsync(subscription, WebhookPayloads.DigestHeading(digest.Alerts.Count, digest.PeriodStart, digest.PeriodEnd), digest.Alerts, context.CancellationToken)
            : JsonSerializer.SerializeToUtf8Bytes(new { digestId = digest.DigestId, digest.SubscriptionId, digest.PeriodStart, digest.PeriodEnd, alerts = digest.Alerts }, Json);
        await DeliverAsync(context, subscription, digest.DigestId, body);
    }

    // A Slack or Teams message of the alerts (a digest's under its heading), each linking to its article when alerting knows the URL.
    private async Task<byte[]> ChatBodyAsync(Subscription subscription, string? heading, IReadOnlyList<DigestAlert> alerts, CancellationToken cancellationToken)
    {
        var links = await ArticleLinks.LoadAsync(session, alerts.Take(WebhookPayloads.MaxListed).Select(alert => alert.ArticleId), cancellationToken);
        var chat = alerts.Select(alert => new ChatAlert(alert.Title, alert.Matched, alert.RaisedAt, links.GetValueOrDefault(alert.ArticleId)?.Url)).ToList();
        var message = subscription.Webhook!.PayloadFormat == "slack" ? WebhookPayloads.Slack(subscription.Name, heading, chat) : WebhookPayloads.Teams(subscription.Name, heading, chat);
        return JsonSerializer.SerializeToUtf8Bytes(message, Json);
    }

    private async Task DeliverAsync<T>(ConsumeContext<T> context, Subscription subscription, Guid deliveryId, byte[] body) where T : class
    {
        if (subscription.Webhook is not { } webhook || subscription.Deleted) return;
        var cancellationToken = context.CancellationToken;
        var settings = options.Value;
        var url = new Uri(webhook.Url);
        var secret = secrets.Open(webhook);
        var attempt = ScheduledRedelivery.AttemptOf(context);
        // No address check here: the delivery client checks the address it connects to (resolving again here would
        // check one answer of the name and connect to another).
        var (error, mayPass) = secret is null
            ? ("The webhook secret cannot be opened: the key that sealed it is not in the key ring.", false)
            : await PostAsync(url, secret, deliveryId, body, cancellationToken);
        // Outcomes are decided on the subscription as it is now (the one write path): a recovery another delivery recorded
        // first is not recorded twice, and nothing is recorded on a subscription deleted meanwhile.
        if (error is null)
        {
            if (subscription.DeliveryStatus == "failing") await session.RecordAsync(new RecordWebhookRecovery(subscription.Id, deliveryId, clock.GetUtcNow()), cancellationToken);
            return;
        }
        if (DeliveryRetry.NextDelay(attempt, mayPass, settings.Attempts, settings.FirstRetryMilliseconds) is { } delay)
        {
            // The next try waits in RabbitMQ, not in this consumer: its slot goes to the next delivery at once.
            logger.LogInformation("Webhook delivery {DeliveryId} attempt {Attempt} failed ({Error}); retrying in {Delay} ms",
                deliveryId, attempt, error, (int)delay.TotalMilliseconds);
            await redelivery.ScheduleAsync(context, delay, attempt + 1);
            return;
        }
        var attempts = secret is null ? 0 : attempt;
        logger.LogWarning("Webhook delivery {DeliveryId} for subscription {SubscriptionId} failed after {Attempts} attempts: {Error}", deliveryId, subscription.Id, attempts, error);
        await session.RecordAsync(new RecordWebhookFailure(subscription.Id, deliveryId, attempts, error, clock.GetUtcNow()), cancellationToken);
    }

    // The error (null on success) and whether another try may help: a refused address does not change in seconds; a
    // name that did not resolve may.
    private async Task<(string? Error, bool Retry)> PostAsync(Uri url, string secret, Guid deliveryId, byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("X-NewsMonitor-Signature", Signature(secret, body));
        request.Headers.Add("X-NewsMonitor-Delivery", deliveryId.ToString());
        try
        {
            // Only the status matters: the body is never read (the target is the subscriber's choice, and by default
            // HttpClient would buffer up to 2 GB of it and wait for its end within the timeout).
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return (response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", true);
        }
        catch (HttpRequestException exception) when (exception.InnerException is OutboundAddressRefusedException refused)
        {
            return (refused.Message, refused.Transient);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (exception.Message, true);
        }
    }
}

/// <summary>Its own queue with bounded concurrency: a slow receiver holds a delivery slot for one try (at most the client's timeout), not while it is retried.</summary>
public sealed class WebhookDeliveryConsumerDefinition : ConsumerDefinition<WebhookDeliveryConsumer>
{
    /// <summary>Sets the concurrency limit (<see cref="WebhookOptions.ConcurrentDeliveries"/>).</summary>
    public WebhookDeliveryConsumerDefinition(Microsoft.Extensions.Options.IOptions<WebhookOptions> options) => ConcurrentMessageLimit = Math.Max(1, options.Value.ConcurrentDeliveries);
}
