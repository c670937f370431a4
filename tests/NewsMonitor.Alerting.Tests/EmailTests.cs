using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NewsMonitor.Alerting.Digests;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;

namespace NewsMonitor.Alerting.Tests;

/// <summary>
/// The alerting service mailing through a real SMTP server on loopback in the test process, which requires a login;
/// quick retries; logs captured at Debug.
/// </summary>
public sealed class EmailFixture() : ServiceFixture<Program>("email"), IAsyncLifetime
{
    public const string SmtpUser = "newsmonitor-mailer";

    public const string SmtpPassword = "smtp-Pa55-never-in-logs-7f3e";

    public const string PublicBaseUrl = "https://news.example.org";

    public LoopbackSmtpServer Smtp { get; } = LoopbackSmtpServer.Start(SmtpUser, SmtpPassword);

    public CapturedLogs Logs { get; } = new();

    protected override Type[] ProbedMessages => [typeof(AlertRaised)];

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Alerting:Email:Host"] = "127.0.0.1",
        ["Alerting:Email:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Alerting:Email:Security"] = "none",
        ["Alerting:Email:Username"] = SmtpUser,
        ["Alerting:Email:Password"] = SmtpPassword,
        ["Alerting:Email:From:Address"] = "alerts@newsmonitor.test",
        ["Alerting:Email:From:Name"] = "NewsMonitor",
        ["Alerting:Email:Attempts"] = "3",
        ["Alerting:Email:FirstRetryMilliseconds"] = "50",
        ["Alerting:PublicBaseUrl"] = PublicBaseUrl,
        ["Logging:LogLevel:Default"] = "Debug",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug",
        ["Logging:LogLevel:MassTransit"] = "Debug",
        ["Logging:LogLevel:Marten"] = "Debug",
        ["Logging:Console:LogLevel:Default"] = "Warning",
    };

    /// <summary>Waits for the alert of <paramref name="subscription"/> for <paramref name="article"/>.</summary>
    public Task<AlertRaised> AlertAsync(Guid subscription, Guid article) =>
        Probe.WaitForAsync<AlertRaised>(m => m.SubscriptionId == subscription && m.ArticleId == article, $"AlertRaised of {subscription} for {article}");

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        Service.Services.GetRequiredService<ILoggerFactory>().AddProvider(Logs);
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        Smtp.Dispose();
    }
}

/// <summary>
/// Email delivery end to end inside the service: alerts and digests arrive at the SMTP server once each, right in Arabic,
/// with both parts and a working unsubscribe link; a refusing server makes a recorded failure and then a recovery.
/// </summary>
public sealed partial class EmailTests(EmailFixture fixture) : IClassFixture<EmailFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private const string HostileTitle = "عاجل: <script>alert('x')</script> قمة الحلف";

    private static HttpRequestMessage AsTenant(HttpMethod method, string path, string tenant, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add(Caller.RoleHeader, "subscriber");
        request.Headers.Add(Caller.TenantHeader, tenant);
        return request;
    }

    private async Task<Guid> SubscribeAsync(string tenant, string rule, string address, string mode = "immediate", bool confirm = true)
    {
        var response = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, "/api/v1/subscriptions", tenant, new { name = "بريد الناتو", rule, mode, email = new { address } }), Cancel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();
        if (confirm)
        {
            using var anonymous = AsGatewayWithoutIdentity();
            var confirmed = await anonymous.PostAsync(await ConfirmPathAsync(address), null, Cancel);
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
            Assert.Equal("ok", (await SubscriptionAsync(tenant, id)).GetProperty("email").GetProperty("status").GetString());
        }
        return id;
    }

    // A reader of the mail has no key, so the gateway forwards the link with its credential and no identity.
    private HttpClient AsGatewayWithoutIdentity()
    {
        var client = fixture.Service.CreateBareClient();
        client.DefaultRequestHeaders.Add(GatewayCredential.Header, AsGateway.InternalKey);
        return client;
    }

    // The path of the link in the confirmation request sent to the address.
    private async Task<string> ConfirmPathAsync(string address)
    {
        var request = await Eventually.GetAsync(() => Task.FromResult(fixture.Smtp.To(address).FirstOrDefault(m => m.Message.Subject == "Confirm NewsMonitor alert email")),
            $"confirmation request to {address}");
        var link = ConfirmLink().Match(request.Message.TextBody ?? "");
        Assert.True(link.Success, request.Message.TextBody);
        return link.Value["https://news.example.org".Length..];
    }

    [GeneratedRegex(@"https://news\.example\.org/email/confirm/[A-Za-z0-9_-]+")]
    private static partial Regex ConfirmLink();

    // Alert and digest mail (the confirmation request aside).
    private List<LoopbackSmtpServer.Received> AlertMail(string address) =>
        fixture.Smtp.To(address).Where(mail => mail.Message.Headers.Contains("X-NewsMonitor-Delivery")).ToList();

    private async Task<JsonElement> SubscriptionAsync(string tenant, Guid id)
    {
        var response = await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, $"/api/v1/subscriptions/{id}", tenant), Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
    }

    private static string Address(string name) => $"{name}-{Guid.NewGuid():N}@example.org";

    private static ArticleReceived Article(Guid id, string title, string body, string? url = null) =>
        new(id, title, body, url, "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    private Task<LoopbackSmtpServer.Received> MailAsync(string address, int count = 1) =>
        Eventually.GetAsync(() => Task.FromResult(AlertMail(address) is var mail && mail.Count >= count ? mail[count - 1] : null), $"alert mail {count} to {address}");

    private Task<long> EventsAsync(string type, Guid subscription) => TestInfrastructure.ScalarAsync<long>(
        $"select count(*) from \"{fixture.Schema}\".mt_events where type = '{type}' and stream_id = '{subscription}'");

    // Publishes an article the subscription's rule matches and waits until the email consumer is done with its alert.
    private async Task AlertPastTheEmailConsumerAsync(Guid subscription, string title, string body)
    {
        var article = Guid.NewGuid();
        using var consumed = ConsumeProbe.Start(fixture.Service.Services);
        await fixture.Probe.PublishAsync(Article(article, title, body));
        var alert = await fixture.AlertAsync(subscription, article);
        await consumed.WaitForAsync<AlertRaised>(m => m.AlertId == alert.AlertId, $"email delivery of the alert of {subscription}", queue: "email-delivery");
    }

    [GeneratedRegex(@"https://news\.example\.org/unsubscribe/([A-Za-z0-9_-]+)")]
    private static partial Regex UnsubscribeLink();

    [Fact]
    public async Task An_alert_is_mailed_once_in_arabic_with_escaped_html_and_a_redelivery_keeps_its_message_id()
    {
        var address = Address("immediate");
        var subscription = await SubscribeAsync("t-mail", "مونتينيغرو", address);
        Assert.Equal(JsonValueKind.Object, (await SubscriptionAsync("t-mail", subscription)).GetProperty("email").ValueKind);
        var article = Guid.NewGuid();
        using var consumed = ConsumeProbe.Start(fixture.Service.Services);
        await fixture.Probe.PublishAsync(Article(article, HostileTitle, "انضمت مونتينيغرو إلى الحلف", "https://news.example/montenegro?a=1&b=2"));

        var alert = await fixture.AlertAsync(subscription, article);
        var mail = await MailAsync(address);
        var message = mail.Message;
        Assert.Equal("alerts@newsmonitor.test", mail.From);
        Assert.Equal($"[بريد الناتو] {HostileTitle}", message.Subject);
        Assert.Equal($"{alert.AlertId:N}.alerts@newsmonitor.test", message.MessageId);
        Assert.Contains(HostileTitle, message.TextBody, StringComparison.Ordinal);
        Assert.Contains("https://news.example/montenegro?a=1&b=2", message.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", message.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("<p dir=\"rtl\" lang=\"ar\"><a href=\"https://news.example/montenegro?a=1&amp;b=2\">", message.HtmlBody, StringComparison.Ordinal);
        var link = UnsubscribeLink().Match(message.TextBody ?? "");
        Assert.True(link.Success, message.TextBody);
        Assert.Equal($"<{link.Value}>", message.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.Contains($"href=\"{link.Value}\"", message.HtmlBody, StringComparison.Ordinal);

        // The delivery consumer is done with the alert: exactly one message.
        await consumed.WaitForAsync<AlertRaised>(m => m.AlertId == alert.AlertId, "email delivery of the alert", queue: "email-delivery");
        Assert.Single(AlertMail(address));

        // At-least-once: the same alert delivered again is mailed again, as the same message.
        await fixture.Probe.PublishAsync(alert);
        var again = await MailAsync(address, count: 2);
        Assert.Equal(message.MessageId, again.Message.MessageId);
        Assert.Equal(message.Subject, again.Message.Subject);
    }

    [Fact]
    public async Task The_unsubscribe_link_shows_a_form_and_its_post_removes_only_the_email_and_stops_the_mail()
    {
        var address = Address("unsubscribe");
        var subscription = await SubscribeAsync("t-unsub", "البوسنة", address);
        await fixture.Probe.PublishAsync(Article(Guid.NewGuid(), "قمة في البوسنة", "زيارة إلى البوسنة"));
        var mail = await MailAsync(address);
        var token = UnsubscribeLink().Match(mail.Message.TextBody ?? "").Groups[1].Value;
        var path = $"/unsubscribe/{token}";
        // A reader has no key and no gateway identity here: the token is the credential.
        using var anonymous = AsGatewayWithoutIdentity();
        // Straight to the service's port, without the gateway's credential: 401, even with a valid token.
        using var around = fixture.Service.CreateBareClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await around.GetAsync(path, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await around.PostAsync(path, null, Cancel)).StatusCode);

        var page = await anonymous.GetAsync(path, Cancel);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
        var html = await page.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("<form method=\"post\">", html, StringComparison.Ordinal);
        Assert.Contains(address, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style", html, StringComparison.OrdinalIgnoreCase);
        // Opening the page changes nothing (mail scanners open links).
        Assert.Equal(0, await EventsAsync("email_unsubscribed", subscription));

        // A mail client's RFC 8058 one-click POST, as the form would send it.
        var posted = await anonymous.PostAsync(path, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]), Cancel);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var view = await SubscriptionAsync("t-unsub", subscription);
        Assert.Equal(JsonValueKind.Null, view.GetProperty("email").ValueKind);
        Assert.Equal("البوسنة", view.GetProperty("rule").GetString());
        Assert.False(view.GetProperty("paused").GetBoolean());
        Assert.Equal(1, await EventsAsync("email_unsubscribed", subscription));

        // Idempotent: the same link again changes nothing; a changed token is no token.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsync(path, null, Cancel)).StatusCode);
        Assert.Equal(1, await EventsAsync("email_unsubscribed", subscription));
        var tampered = path[..^3] + (path[^3] == 'A' ? 'B' : 'A') + path[^2..];
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(tampered, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PostAsync(tampered, null, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PostAsync($"/unsubscribe/{new string('A', 5000)}", null, Cancel)).StatusCode);

        // The subscription still raises alerts, and mails none.
        await AlertPastTheEmailConsumerAsync(subscription, "البوسنة مجددا", "البوسنة");
        Assert.Single(AlertMail(address));
    }

    [Fact]
    public async Task An_hourly_subscription_gets_one_message_per_digest_and_none_per_alert()
    {
        var address = Address("digest");
        var subscription = await SubscribeAsync("t-mail-digest", "مقدونيا", address, mode: "hourly");
        var articles = new[] { Guid.NewGuid(), Guid.NewGuid() };
        using var consumed = ConsumeProbe.Start(fixture.Service.Services);
        foreach (var article in articles) await fixture.Probe.PublishAsync(Article(article, "مقدونيا الشمالية", "انضمت مقدونيا الشمالية"));
        var raised = await fixture.Probe.WaitForAtLeastAsync<AlertRaised>(2, m => m.SubscriptionId == subscription && articles.Contains(m.ArticleId), "both alerts");
        await consumed.WaitForAsync<AlertRaised>(m => m.SubscriptionId == subscription, "both alerts past the email consumer", count: 2, queue: "email-delivery");
        Assert.Empty(AlertMail(address));

        var hour = TimeSpan.FromHours(1);
        var closed = raised.Max(alert => DigestPeriods.StartOf(alert.RaisedAt, hour)) + hour;
        for (var run = 0; run < 2; run++)
        {
            await using var scope = fixture.Service.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<DigestCompiler>().CompileDueAsync(closed, Cancel);
        }
        var periods = raised.Select(alert => DigestPeriods.StartOf(alert.RaisedAt, hour)).Distinct().ToList();
        await consumed.WaitForAsync<AlertDigestCompiled>(m => m.SubscriptionId == subscription, "digests past the email consumer", count: periods.Count, queue: "email-delivery");

        var mail = AlertMail(address);
        Assert.Equal(periods.Count, mail.Count);
        Assert.Equal(periods.Select(start => $"{DigestPeriods.DigestId(subscription, start):N}.alerts@newsmonitor.test").Order(), mail.Select(m => m.Message.MessageId).Order());
        Assert.Equal(2, mail.Sum(m => Regex.Count(m.Message.TextBody ?? "", "مقدونيا الشمالية")));
        Assert.All(mail, m => Assert.NotNull(m.Message.HtmlBody));
        Assert.All(mail, m => Assert.StartsWith("[بريد الناتو] ", m.Message.Subject, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refusing_smtp_server_makes_a_recorded_failure_and_the_next_message_a_recovery()
    {
        var address = Address("failing");
        var subscription = await SubscribeAsync("t-mail-fail", "سراييفو", address);
        var refusedBefore = fixture.Smtp.Refused;
        fixture.Smtp.Refusing = true;
        try
        {
            await fixture.Probe.PublishAsync(Article(Guid.NewGuid(), "سراييفو", "مؤتمر في سراييفو"));
            var email = await Eventually.GetAsync(async () => (await SubscriptionAsync("t-mail-fail", subscription)).GetProperty("email") is var e
                && e.GetProperty("status").GetString() == "failing" ? e.GetRawText() : null, "failing email status");
            Assert.Contains("451", JsonDocument.Parse(email).RootElement.GetProperty("lastError").GetString(), StringComparison.Ordinal);
            Assert.True(fixture.Smtp.Refused - refusedBefore >= 3, $"{fixture.Smtp.Refused - refusedBefore} attempts refused");
            Assert.Equal(1, await EventsAsync("email_delivery_failed", subscription));
        }
        finally
        {
            fixture.Smtp.Refusing = false;
        }
        await fixture.Probe.PublishAsync(Article(Guid.NewGuid(), "سراييفو مجددا", "سراييفو"));
        await MailAsync(address);
        await Eventually.TrueAsync(async () => (await SubscriptionAsync("t-mail-fail", subscription)).GetProperty("email").GetProperty("status").GetString() == "ok", "email status ok again");
        Assert.Equal(1, await EventsAsync("email_delivery_recovered", subscription));
    }

    [Fact]
    public async Task An_unconfirmed_address_gets_only_the_confirmation_request_until_it_confirms()
    {
        var address = Address("pending");
        var subscription = await SubscribeAsync("t-mail-pending", "بريشتينا", address, confirm: false);
        Assert.Equal("pending", (await SubscriptionAsync("t-mail-pending", subscription)).GetProperty("email").GetProperty("status").GetString());
        var path = await ConfirmPathAsync(address);
        await AlertPastTheEmailConsumerAsync(subscription, "بريشتينا", "في بريشتينا");
        Assert.Empty(AlertMail(address));
        Assert.Single(fixture.Smtp.To(address));

        using var anonymous = AsGatewayWithoutIdentity();
        var page = await (await anonymous.GetAsync(path, Cancel)).Content.ReadAsStringAsync(Cancel);
        Assert.Contains("<form method=\"post\">", page, StringComparison.Ordinal);
        Assert.Equal("pending", (await SubscriptionAsync("t-mail-pending", subscription)).GetProperty("email").GetProperty("status").GetString());
        // The confirmation token does not unsubscribe.
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PostAsync(path.Replace("/email/confirm/", "/unsubscribe/", StringComparison.Ordinal), null, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsync(path, null, Cancel)).StatusCode);
        Assert.Equal("ok", (await SubscriptionAsync("t-mail-pending", subscription)).GetProperty("email").GetProperty("status").GetString());
        Assert.Equal(1, await EventsAsync("email_confirmed", subscription));
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsync(path, null, Cancel)).StatusCode);
        Assert.Equal(1, await EventsAsync("email_confirmed", subscription));

        await fixture.Probe.PublishAsync(Article(Guid.NewGuid(), "بريشتينا مجددا", "بريشتينا"));
        await MailAsync(address);
    }

    [Fact]
    public async Task A_confirmation_request_that_cannot_be_sent_shows_on_the_subscription_and_a_put_sends_it_again()
    {
        var address = Address("pending-fail");
        Guid subscription;
        fixture.Smtp.Refusing = true;
        try
        {
            subscription = await SubscribeAsync("t-mail-pending-fail", "سكوبيه", address, confirm: false);
        }
        finally
        {
            fixture.Smtp.Refusing = false;
        }
        var email = (await SubscriptionAsync("t-mail-pending-fail", subscription)).GetProperty("email");
        Assert.Equal("pending", email.GetProperty("status").GetString());
        Assert.Contains("451", email.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Empty(fixture.Smtp.To(address));

        var again = await fixture.Client.SendAsync(AsTenant(HttpMethod.Put, $"/api/v1/subscriptions/{subscription}", "t-mail-pending-fail",
            new { name = "بريد الناتو", rule = "سكوبيه", email = new { address } }), Cancel);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await ConfirmPathAsync(address);
    }

    [Fact]
    public async Task The_smtp_password_is_never_logged()
    {
        var address = Address("logs");
        await SubscribeAsync("t-mail-logs", "هرسك", address);
        await fixture.Probe.PublishAsync(Article(Guid.NewGuid(), "هرسك", "في الهرسك"));
        await MailAsync(address);
        Assert.NotEmpty(fixture.Logs.Lines);
        Assert.DoesNotContain(fixture.Logs.Lines, line => line.Contains(EmailFixture.SmtpPassword, StringComparison.Ordinal));
    }

    public static TheoryData<string> BadAddresses() =>
    [
        "no-at-sign", "a@example.org, b@example.org", "Reader <reader@example.org>", "reader@example.org\r\nBcc: victim@example.org",
        new string('a', 300) + "@example.org", "",
    ];

    [Theory]
    [MemberData(nameof(BadAddresses))]
    public async Task A_bad_address_is_refused_naming_it_and_nothing_is_stored(string address)
    {
        var before = await fixture.StoredEventsAsync();
        var response = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, "/api/v1/subscriptions", "t-mail-bad", new { name = "n", rule = "الناتو", email = new { address } }), Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.True(problem.GetProperty("errors").TryGetProperty("email.address", out _), problem.GetRawText());
        Assert.Equal(before, await fixture.StoredEventsAsync());
    }

    public static TheoryData<string, HostileBody> HostileBodies()
    {
        var valid = new JsonObject { ["name"] = "NATO", ["rule"] = "الناتو", ["email"] = new JsonObject { ["address"] = "reader@example.org" } };
        return [.. HostileInput.Bodies(valid, ["email.address"], ["email.address"]).Select(body => ("POST", body))];
    }

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async Task A_hostile_email_address_is_refused(string method, HostileBody hostile)
    {
        var before = await fixture.StoredEventsAsync();
        var response = await fixture.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/api/v1/subscriptions") { Content = hostile.Content }, Cancel);
        await HostileInput.AssertRefusedAsync(response, hostile, Cancel);
        Assert.Equal(before, await fixture.StoredEventsAsync());
    }

    [Fact]
    public async Task A_changed_address_starts_ok_and_removing_it_shows_null()
    {
        var subscription = await SubscribeAsync("t-mail-put", "تيرانا", Address("put"));
        var other = Address("put-other");
        var changed = await fixture.Client.SendAsync(AsTenant(HttpMethod.Put, $"/api/v1/subscriptions/{subscription}", "t-mail-put", new { name = "n", rule = "تيرانا", email = new { address = other } }), Cancel);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var email = (await SubscriptionAsync("t-mail-put", subscription)).GetProperty("email");
        Assert.Equal(other, email.GetProperty("address").GetString());
        // A new address waits for its own confirmation.
        Assert.Equal("pending", email.GetProperty("status").GetString());
        await ConfirmPathAsync(other);
        var removed = await fixture.Client.SendAsync(AsTenant(HttpMethod.Put, $"/api/v1/subscriptions/{subscription}", "t-mail-put", new { name = "n", rule = "تيرانا" }), Cancel);
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await SubscriptionAsync("t-mail-put", subscription)).GetProperty("email").ValueKind);
    }
}

/// <summary>Without SMTP configured, a subscription asking for email is refused, naming <c>email</c>.</summary>
public sealed class EmailNotConfiguredTests(AlertingFixture fixture) : IClassFixture<AlertingFixture>
{
    [Fact]
    public async Task Email_is_refused_naming_email_when_smtp_is_not_configured()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/subscriptions") { Content = JsonContent.Create(new { name = "n", rule = "الناتو", email = new { address = "reader@example.org" } }) };
        var response = await fixture.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty("email", out _), problem.GetRawText());
        // Without email the same subscription is fine.
        var plain = await fixture.Client.PostAsJsonAsync("/api/v1/subscriptions", new { name = "n", rule = "الناتو" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, plain.StatusCode);
    }
}

/// <summary>With an SMTP host configured the service does not start without what every message needs.</summary>
public sealed class EmailSettingsTests
{
    [Theory]
    [InlineData(null, "alerts@newsmonitor.test", "PublicBaseUrl")]
    [InlineData("https://news.example.org", null, "From:Address")]
    [InlineData("https://news.example.org", "Reader <alerts@newsmonitor.test>", "From:Address")]
    public async Task The_service_refuses_to_start_with_a_host_but_without_a_sender_or_a_public_url(string? publicBaseUrl, string? from, string named)
    {
        var schema = TestInfrastructure.UniqueName("email_settings");
        using var factory = new ServiceFactory<Program>(schema, "unused", new Dictionary<string, string?>
        {
            ["Alerting:Email:Host"] = "127.0.0.1",
            ["Alerting:Email:From:Address"] = from,
            ["Alerting:PublicBaseUrl"] = publicBaseUrl,
        });
        var exception = Record.Exception(() => factory.CreateClient());
        Assert.NotNull(exception);
        var messages = string.Join(" ", Flatten(exception).Select(e => e.Message));
        Assert.Contains(named, messages, StringComparison.Ordinal);
        await TestInfrastructure.DropSchemasAsync(schema);
    }

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
            if (current is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten)) yield return inner;
        }
    }
}
