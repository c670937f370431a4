using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NewsMonitor.Alerting.Alerts;
using NewsMonitor.Alerting.Delivery;
using NewsMonitor.Alerting.Feeds;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;

namespace NewsMonitor.Alerting.Tests;

/// <summary>Hostile input found by the issue 15 attack review, against the pure builders directly.</summary>
public sealed class AttackReviewTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-11-29T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    // U+FFFE/U+FFFF and lone surrogates pass the input rules of some paths (InputText allows noncharacters) but are not XML
    // characters: one such title must not turn the whole feed into a 500 for its subscriber.
    [Theory]
    [InlineData("Breaking \uFFFF news")]
    [InlineData("Breaking \uFFFE news")]
    [InlineData("Broken \uD800 surrogate")]
    [InlineData("Lone low \uDC00 surrogate")]
    [InlineData("Bell \u0007 and NUL \u0000")]
    public void Atom_feed_survives_titles_with_characters_xml_cannot_carry(string title)
    {
        var bytes = AtomFeed.Write(Guid.NewGuid(), "name \uFFFF", At, [new FeedEntry(Guid.NewGuid(), title, ["term\uFFFE"], At, "https://news.example/a", "en", At)]);
        var document = XDocument.Parse(Encoding.UTF8.GetString(bytes));
        XNamespace atom = "http://www.w3.org/2005/Atom";
        var written = document.Root!.Element(atom + "entry")!.Element(atom + "title")!.Value;
        Assert.StartsWith(title[..5], written, StringComparison.Ordinal);
    }

    // Teams renders Markdown in TextBlocks: a hostile title must not become a link (phishing inside the team's channel).
    [Fact]
    public void Teams_card_does_not_turn_a_hostile_title_into_a_link()
    {
        var alert = new ChatAlert("[Your account is locked, click here](https://evil.example/login)", ["[x](https://evil.example)"], At, null);
        foreach (var heading in new string?[] { null, "3 alerts" })
        {
            // The card's body is what Teams renders as Markdown (the summary is a plain notification text).
            var text = WebhookPayloads.Teams("[sub](https://evil.example)", heading, [alert])["attachments"]![0]!["content"]!.ToJsonString();
            Assert.DoesNotContain("](https://evil.example", text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("1e3")]
    [InlineData(" 5")]
    [InlineData("5 ")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData("99999999999999999999")]
    [InlineData("٣")]
    [InlineData("0x10")]
    public void Hostile_positions_are_refused(string text)
    {
        Assert.False(AlertCursor.TryParse(text, out _));
        AlertCursor.ResumeFrom(text, "5", out var valid);
        Assert.False(valid);
    }
}

/// <summary>The SMTP sender against hostile or unusual servers and addresses: every outcome is an answer, never a hang or an escaped exception.</summary>
public sealed class SmtpAttackTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static SmtpMailer Mailer(int port, int timeoutSeconds = 30) =>
        new(Microsoft.Extensions.Options.Options.Create(new EmailOptions { Host = "127.0.0.1", Port = port, Security = "none", TimeoutSeconds = timeoutSeconds }));

    private static MimeKit.MimeMessage Message(string to)
    {
        var message = new MimeKit.MimeMessage { Subject = "test" };
        message.From.Add(MimeKit.MailboxAddress.Parse("alerts@newsmonitor.example"));
        message.To.Add(MimeKit.MailboxAddress.Parse(to));
        message.Body = new MimeKit.TextPart("plain") { Text = "body" };
        return message;
    }

    // Addresses EmailTargets accepts: an internationalised local part or domain must be sent or refused as a recorded error.
    [Theory]
    [InlineData("jürgen@example.org")]
    [InlineData("user@bücher.example")]
    [InlineData("مستخدم@مثال.example")]
    public async Task Internationalised_addresses_are_sent_or_answered_with_an_error(string address)
    {
        Assert.Null(EmailTargets.Check(address));
        using var server = LoopbackSmtpServer.Start();
        var (error, _) = await Mailer(server.Port).SendAsync(Message(address), Cancel);
        Assert.True(error is not null || !server.Messages.IsEmpty, "neither sent nor an error");
    }

    // A server that accepts the connection and never greets: the send ends with an error within its timeout.
    [Fact]
    public async Task A_server_that_never_answers_fails_within_the_timeout()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var accepting = listener.AcceptTcpClientAsync(Cancel).AsTask();
        var started = System.Diagnostics.Stopwatch.StartNew();
        var send = Mailer(((System.Net.IPEndPoint)listener.LocalEndpoint).Port, timeoutSeconds: 2).SendAsync(Message("reader@example.org"), Cancel);
        var finished = await Task.WhenAny(send, Task.Delay(TimeSpan.FromSeconds(20), Cancel));
        Assert.Same(send, finished);
        var (error, retry) = await send;
        Assert.NotNull(error);
        Assert.True(retry);
        Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(15));
        (await accepting).Dispose();
    }

    // A server that keeps the connection busy with a greeting that never ends (a continuation line each second, inside
    // the per-read timeout): the send must still end, bounded by its timeout, not hold the delivery forever.
    [Fact]
    public async Task A_server_that_trickles_a_never_ending_greeting_fails_within_a_bound()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var serving = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync(stop.Token);
            var stream = client.GetStream();
            while (!stop.IsCancellationRequested)
            {
                await stream.WriteAsync("220-still greeting\r\n"u8.ToArray(), stop.Token);
                await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
            }
        }, stop.Token);
        var send = Mailer(((System.Net.IPEndPoint)listener.LocalEndpoint).Port, timeoutSeconds: 3).SendAsync(Message("reader@example.org"), stop.Token);
        var finished = await Task.WhenAny(send, Task.Delay(TimeSpan.FromSeconds(30), Cancel));
        await stop.CancelAsync();
        Assert.Same(send, finished);
        Assert.NotNull((await send).Error);
    }

    // A server that answers garbage instead of SMTP: an error, not an exception that escapes the consumer.
    [Fact]
    public async Task A_server_that_answers_garbage_is_an_error()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var serving = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync(Cancel);
            var stream = client.GetStream();
            await stream.WriteAsync("HTTP/1.1 200 OK\r\n\u0000\u0001garbage\r\n\r\n"u8.ToArray(), Cancel);
            await Task.Delay(TimeSpan.FromSeconds(5), Cancel);
        }, Cancel);
        var (error, _) = await Mailer(((System.Net.IPEndPoint)listener.LocalEndpoint).Port, timeoutSeconds: 2).SendAsync(Message("reader@example.org"), Cancel);
        Assert.NotNull(error);
    }
}

/// <summary>A hostile webhook target (the subscriber chooses the URL): its answer's body must cost the service nothing.</summary>
public sealed class WebhookTargetAttackTests(AlertingFixture fixture) : IClassFixture<AlertingFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    // Before: the response was read whole into memory (HttpClient buffers up to 2 GB by default) within the 10 s timeout,
    // so a target streaming an endless 200 body made every delivery buffer as much as it could send in 10 s (gigabytes
    // over a fast link), then time out and retry, holding a delivery slot all along.
    [Fact]
    public async Task A_target_streaming_an_endless_body_gets_one_delivery_that_counts_as_done()
    {
        var requests = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var arrivedTicks = 0L;
        await using var target = await LoopbackHttpServer.StartAsync(app => app.MapPost("/hook", async (HttpContext context) =>
        {
            Interlocked.Increment(ref requests);
            Interlocked.CompareExchange(ref arrivedTicks, clock.Elapsed.Ticks, 0);
            context.Response.StatusCode = 200;
            // Endless but slow, so the test itself stays small: 64 KB every 100 ms until the service hangs up.
            var chunk = new byte[1 << 16];
            try
            {
                while (!context.RequestAborted.IsCancellationRequested)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(100, context.RequestAborted);
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException)
            {
                // The service stopped reading: what we want.
            }
        }));
        var tenant = $"t-endless-{Guid.NewGuid().ToString("N")[..8]}";
        var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/subscriptions")
        {
            Content = JsonContent.Create(new { name = "hook", rule = "ليختنشتاين", webhook = new { url = LoopbackHttpServer.AddressOf(target) + "/hook", secret = "a-webhook-secret-of-some-length" } }),
        };
        create.Headers.Add(Caller.RoleHeader, "subscriber");
        create.Headers.Add(Caller.TenantHeader, tenant);
        var created = await fixture.Client.SendAsync(create, Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var subscription = (await created.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();
        var article = Guid.NewGuid();
        using var consumed = ConsumeProbe.Start(fixture.Service.Services);
        await fixture.Probe.PublishAsync(new ArticleReceived(article, "عنوان", "خبر عن ليختنشتاين", null, "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));

        await consumed.WaitForAsync<AlertRaised>(m => m.SubscriptionId == subscription && m.ArticleId == article, "the delivery finished", queue: "webhook-delivery");
        Assert.Equal(1, Volatile.Read(ref requests));
        // Measured from the request's arrival, not from the publish, so that a loaded machine's pipeline does not count:
        // reading the body would have taken the client's whole 10 s timeout and ended in an error.
        var answeredIn = clock.Elapsed - TimeSpan.FromTicks(Interlocked.Read(ref arrivedTicks));
        Assert.InRange(answeredIn, TimeSpan.Zero, TimeSpan.FromSeconds(8));
        var delivery = (await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/subscriptions/{subscription}", Cancel)).GetProperty("delivery");
        Assert.Equal("ok", delivery.GetProperty("status").GetString());
    }
}
