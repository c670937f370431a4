using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;

namespace NewsMonitor.Alerting.Tests;

/// <summary>Two delivery slots and a slow schedule (tries 2 s, 4 s and 8 s apart), so a held slot would show.</summary>
public sealed class WebhookScheduleFixture() : ServiceFixture<Program>("hooksched")
{
    public const int Attempts = 4;

    public const int FirstRetryMilliseconds = 2_000;

    protected override Type[] ProbedMessages => [typeof(AlertRaised)];

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Alerting:Webhooks:AllowPrivateTargets"] = "true",
        ["Alerting:Webhooks:Attempts"] = Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Alerting:Webhooks:FirstRetryMilliseconds"] = FirstRetryMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Alerting:Webhooks:ConcurrentDeliveries"] = "2",
    };
}

/// <summary>
/// Webhook retries wait in RabbitMQ (a wait queue per delay, dead-lettered back to the delivery queue), not in the
/// consumer: a slow, failing receiver holds a delivery slot for one try at a time, and a restart loses no retry.
/// </summary>
public sealed class WebhookScheduleTests(WebhookScheduleFixture fixture) : IClassFixture<WebhookScheduleFixture>
{
    private const string Secret = "a-webhook-secret-of-some-length";

    /// <summary>A receiver that takes <c>delay</c> to answer each request, failing the first <c>failures</c> with 500.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _failuresLeft;

        public sealed record Request(string DeliveryId, TimeSpan At);

        private Receiver(WebApplication app, int failures)
        {
            _app = app;
            _failuresLeft = failures;
        }

        public static readonly Stopwatch Clock = Stopwatch.StartNew();

        public ConcurrentQueue<Request> Requests { get; } = new();

        public string Url => LoopbackHttpServer.AddressOf(_app) + "/hook";

        public static async Task<Receiver> StartAsync(int failures, TimeSpan delay)
        {
            Receiver? receiver = null;
            var app = await LoopbackHttpServer.StartAsync(app => app.MapPost("/hook", async (HttpContext context) =>
            {
                receiver!.Requests.Enqueue(new Request(context.Request.Headers["X-NewsMonitor-Delivery"].ToString(), Clock.Elapsed));
                if (delay > TimeSpan.Zero) await Task.Delay(delay);
                return Interlocked.Decrement(ref receiver._failuresLeft) >= 0 ? Results.StatusCode(500) : Results.Ok();
            }));
            receiver = new Receiver(app, failures);
            return receiver;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    private Task<Guid> SubscribeAsync(string tenant, string rule, string url) => WebhookSubscriptions.SubscribeAsync(fixture.Client, tenant, rule, url, Secret);

    private Task<JsonElement> DeliveryAsync(Guid subscription) => WebhookSubscriptions.DeliveryAsync(fixture.Client, subscription);

    // The subscription's delivery once it is failing with `deadLetters` dead letters.
    private async Task<JsonElement> FailingAsync(Guid subscription, int deadLetters) => JsonDocument.Parse(await Eventually.GetAsync(async () =>
        (await DeliveryAsync(subscription)) is var delivery && delivery.GetProperty("status").GetString() == "failing"
            && delivery.GetProperty("failedDeliveries").GetInt32() >= deadLetters ? delivery.GetRawText() : null,
        $"dead letter of {subscription}", TimeSpan.FromSeconds(90))).RootElement;

    // Every queue of the fixture's virtual host holding messages, with its counts (management API).
    private async Task<string> ParkedAsync()
    {
        using var client = TestInfrastructure.RabbitManagementClient(TestInfrastructure.RabbitUserOf(fixture.VirtualHost));
        var queues = await client.GetFromJsonAsync<JsonElement>($"/api/queues/{Uri.EscapeDataString(fixture.VirtualHost)}?columns=name,messages_ready,messages_unacknowledged");
        return string.Join(", ", queues.EnumerateArray()
            .Where(queue => queue.TryGetProperty("messages_ready", out var ready) && ready.GetInt64() + queue.GetProperty("messages_unacknowledged").GetInt64() > 0)
            .Select(queue => $"{queue.GetProperty("name").GetString()} {queue.GetProperty("messages_ready")}/{queue.GetProperty("messages_unacknowledged")}"));
    }

    private static ArticleReceived Article(string body) => new(Guid.NewGuid(), "عنوان", body, null, "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_slow_failing_receiver_does_not_delay_another_subscription_and_its_retries_back_off_to_a_dead_letter()
    {
        // A answers every request after 5 s, with 500; B answers at once. Two delivery slots, and two alerts for A (on two
        // subscriptions, so that their dead letters, recorded at the same moment, go to two streams).
        await using var slow = await Receiver.StartAsync(failures: int.MaxValue, TimeSpan.FromSeconds(5));
        await using var fast = await Receiver.StartAsync(failures: 0, TimeSpan.Zero);
        var a1 = await SubscribeAsync("t-sched-a", "ليختنشتاين", slow.Url);
        var a2 = await SubscribeAsync("t-sched-a", "لوكسمبورغ", slow.Url);
        var b = await SubscribeAsync("t-sched-b", "أندورا", fast.Url);
        await fixture.Probe.PublishAsync(Article("خبر من ليختنشتاين"));
        await fixture.Probe.PublishAsync(Article("خبر من لوكسمبورغ"));
        await Eventually.TrueAsync(() => Task.FromResult(slow.Requests.Count >= 2), "both of A's alerts in their first try");

        // Both slots now hold one of A's first tries. Waiting out the retries in the consumer (the old way) would keep
        // them for A's whole schedule: 4 tries of 5 s plus 2 + 4 + 8 s of backoff, 34 s.
        var started = Receiver.Clock.Elapsed;
        await fixture.Probe.PublishAsync(Article("خبر من أندورا"));
        await Eventually.TrueAsync(() => Task.FromResult(!fast.Requests.IsEmpty), "B's delivery", TimeSpan.FromSeconds(60));
        var latency = fast.Requests.First().At - started;
        Assert.True(latency < TimeSpan.FromSeconds(12), $"B was delivered {latency.TotalSeconds:0.0} s after its article, behind A's retries");
        TestContext.Current.SendDiagnosticMessage($"B delivered {latency.TotalSeconds:0.0} s after its article while A retried");

        foreach (var a in new[] { a1, a2 })
        {
            var view = await FailingAsync(a, deadLetters: 1);
            Assert.Equal(1, view.GetProperty("failedDeliveries").GetInt32());
            Assert.Contains("500", view.GetProperty("lastError").GetString());
        }
        var byAlert = slow.Requests.GroupBy(request => request.DeliveryId).ToList();
        Assert.Equal(2, byAlert.Count);
        foreach (var tries in byAlert)
        {
            // Every try of an alert carries its id; the gaps between tries grow: 5 s of answer plus 2, 4, then 8 s of wait.
            var times = tries.Select(request => request.At).Order().ToList();
            Assert.True(WebhookScheduleFixture.Attempts == times.Count, $"{times.Count} tries of {tries.Key}, at {string.Join(", ", times.Select(time => time.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))} s");
            for (var i = 1; i < times.Count; i++)
            {
                var wait = times[i] - times[i - 1] - TimeSpan.FromSeconds(5);
                var planned = TimeSpan.FromMilliseconds(WebhookScheduleFixture.FirstRetryMilliseconds * Math.Pow(2, i - 1));
                Assert.True(wait >= planned - TimeSpan.FromMilliseconds(250) && wait < planned + TimeSpan.FromSeconds(8),
                    $"try {i + 1} of {tries.Key} came {wait.TotalSeconds:0.0} s after the answer to try {i}; planned {planned.TotalSeconds:0} s");
            }
        }
        Assert.Equal("ok", (await DeliveryAsync(b)).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData(0, "سان مارينو")]
    [InlineData(1_500, "موناكو")]
    public async Task A_restart_during_a_try_or_its_backoff_loses_no_retry_and_repeats_none(int answerMilliseconds, string place)
    {
        // The receiver fails every try; with an answer that takes 1.5 s, the restart below begins while the first try is
        // still under way, and the stop must let it finish and schedule the second (it once went on after the host had
        // disposed its services, and the alert was parked in _error instead). With an immediate answer, the restart lands
        // in the backoff.
        await using var receiver = await Receiver.StartAsync(failures: int.MaxValue, TimeSpan.FromMilliseconds(answerMilliseconds));
        var subscription = await SubscribeAsync($"t-sched-restart-{answerMilliseconds}", place, receiver.Url);
        await fixture.Probe.PublishAsync(Article($"خبر من {place}"));
        await Eventually.TrueAsync(() => Task.FromResult(!receiver.Requests.IsEmpty), "the first try");

        // The second try waits 2 s in RabbitMQ; the service goes away meanwhile and its next instance carries on the count:
        // tries 2 to 4, not a fresh series of 4 (which is what a wait inside the consumer, cancelled by the stop, would give).
        await fixture.RestartAsync();
        JsonElement view;
        try
        {
            view = await FailingAsync(subscription, deadLetters: 1);
        }
        catch (TimeoutException timeout)
        {
            // What the receiver saw and where the delivery stands, so that a failure says which try went missing.
            var tries = string.Join(", ", receiver.Requests.Select(request => $"{request.DeliveryId[..8]}@{request.At.TotalSeconds:0.0}s"));
            throw new TimeoutException($"{timeout.Message} Tries seen: [{tries}]; delivery now: {(await DeliveryAsync(subscription)).GetRawText()}; " +
                                       $"parked: {await ParkedAsync()}; why: {await ParkedMessages.ReasonsAsync(fixture.VirtualHost, TestContext.Current.CancellationToken)}", timeout);
        }
        Assert.Equal(1, view.GetProperty("failedDeliveries").GetInt32());
        Assert.Equal(WebhookScheduleFixture.Attempts, receiver.Requests.Count);
        Assert.Single(receiver.Requests.Select(request => request.DeliveryId).Distinct());
    }
}
