using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NewsMonitor.Alerting.Delivery;
using NewsMonitor.Alerting.Subscriptions;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;
using Npgsql;

namespace NewsMonitor.Alerting.Tests;

/// <summary>
/// The alerting service with webhooks to loopback allowed, quick retries, and its logs captured at Debug (the console
/// stays at Warning).
/// </summary>
public sealed class SecretsFixture() : ServiceFixture<Program>("secrets"), IAsyncLifetime
{
    public CapturedLogs Logs { get; } = new();

    protected override Type[] ProbedMessages => [typeof(AlertRaised)];

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Alerting:Webhooks:AllowPrivateTargets"] = "true",
        ["Alerting:Webhooks:Attempts"] = "3",
        ["Alerting:Webhooks:FirstRetryMilliseconds"] = "50",
        ["Logging:LogLevel:Default"] = "Debug",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug",
        ["Logging:LogLevel:MassTransit"] = "Debug",
        ["Logging:LogLevel:Marten"] = "Debug",
        ["Logging:LogLevel:Npgsql"] = "Debug",
        ["Logging:LogLevel:System.Net.Http"] = "Debug",
        ["Logging:Console:LogLevel:Default"] = "Warning",
    };

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        // Added to the running host's logger factory, which hands it to every logger already made: everything logged
        // from here on (the service starts before any secret exists) reaches the capture.
        Service.Services.GetRequiredService<ILoggerFactory>().AddProvider(Logs);
    }
}

/// <summary>
/// Webhook secrets are sealed at rest and never printed: after a delivery, retries, a dead letter and a failed insert,
/// neither the raw database (every table of the service's schema) nor the logs hold the secret, while the receiver
/// still gets a signature made with it.
/// </summary>
public sealed class WebhookSecretTests(SecretsFixture fixture) : IClassFixture<SecretsFixture>
{
    private static HttpRequestMessage AsTenant(HttpMethod method, string path, string tenant, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add(Caller.RoleHeader, "subscriber");
        request.Headers.Add(Caller.TenantHeader, tenant);
        return request;
    }

    private async Task<Guid> SubscribeAsync(string tenant, string name, string rule, string url, string secret)
    {
        var response = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, "/api/v1/subscriptions", tenant, new { name, rule, webhook = new { url, secret } }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
    }

    private async Task<JsonElement> DeliveryAsync(string tenant, Guid subscription)
    {
        var response = await fixture.Client.SendAsync(AsTenant(HttpMethod.Get, $"/api/v1/subscriptions/{subscription}", tenant), TestContext.Current.CancellationToken);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("delivery");
    }

    private static ArticleReceived Article(string body) => new(Guid.NewGuid(), "عنوان", body, null, "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    /// <summary>Every row of every table in the service's schema, as PostgreSQL prints it (jsonb, text and all).</summary>
    private async Task<Dictionary<string, string>> DumpSchemaAsync()
    {
        await using var connection = new NpgsqlConnection(TestInfrastructure.Postgres);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("select table_name from information_schema.tables where table_schema = @schema and table_type = 'BASE TABLE'", connection))
        {
            list.Parameters.AddWithValue("schema", fixture.Schema);
            await using var reader = await list.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken)) tables.Add(reader.GetString(0));
        }
        var dump = new Dictionary<string, string>();
        foreach (var table in tables)
        {
            await using var rows = new NpgsqlCommand($"select coalesce(string_agg(t::text, E'\\n'), '') from \"{fixture.Schema}\".\"{table}\" t", connection);
            dump[table] = (string)(await rows.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        }
        return dump;
    }

    [Fact]
    public async Task A_secret_is_nowhere_in_the_database_or_the_logs_yet_signs_every_delivery()
    {
        var secret = "known-secret-" + Guid.NewGuid().ToString("N");
        var marker = "secret-test-" + Guid.NewGuid().ToString("N")[..8];
        await using var flaky = await WebhookReceiver.StartAsync(failures: 1);
        await using var broken = await WebhookReceiver.StartAsync(failures: int.MaxValue);

        // A delivery that succeeds on its second try, and one that fails every try and becomes a dead letter.
        var delivered = await SubscribeAsync("t-secret", marker, "مونتينيغرو", flaky.Url, secret);
        var dead = await SubscribeAsync("t-secret", marker + "-dead", "مونتينيغرو", broken.Url, secret);
        // A PUT that keeps the webhook, and a create whose insert fails (PostgreSQL refuses NUL in text) or is refused.
        var put = await fixture.Client.SendAsync(AsTenant(HttpMethod.Put, $"/api/v1/subscriptions/{delivered}", "t-secret",
            new { name = marker, rule = "مونتينيغرو", webhook = new { url = flaky.Url, secret } }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var failedInsert = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, "/api/v1/subscriptions", "t-secret",
            new { name = "nul\u0000" + marker, rule = "مونتينيغرو", webhook = new { url = flaky.Url, secret } }), TestContext.Current.CancellationToken);
        Assert.False(failedInsert.IsSuccessStatusCode);
        Assert.DoesNotContain(secret, await failedInsert.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        await fixture.Probe.PublishAsync(Article("انضمت مونتينيغرو إلى الحلف"));
        await Eventually.TrueAsync(() => Task.FromResult(flaky.Requests.Count >= 2), "a retried delivery");
        var last = flaky.Requests.ToArray()[^1];
        Assert.Equal(WebhookDeliveryConsumer.Signature(secret, Encoding.UTF8.GetBytes(last.Body)), last.Signature);
        await Eventually.TrueAsync(async () => (await DeliveryAsync("t-secret", dead)).GetProperty("status").GetString() == "failing", "a dead letter");
        Assert.Equal(3, broken.Requests.Count);
        Assert.All(broken.Requests, request => Assert.Equal(WebhookDeliveryConsumer.Signature(secret, Encoding.UTF8.GetBytes(request.Body)), request.Signature));
        Assert.Equal("ok", (await DeliveryAsync("t-secret", delivered)).GetProperty("status").GetString());

        // The raw database: the subscriptions are there (the dump sees them), their secrets only sealed.
        var dump = await DumpSchemaAsync();
        Assert.Contains("mt_events", dump.Keys);
        Assert.Contains("mt_doc_subscription", dump.Keys);
        Assert.Contains("data_protection_keys", dump.Keys);
        Assert.Contains(marker, dump["mt_events"], StringComparison.Ordinal);
        Assert.Contains(marker, dump["mt_doc_subscription"], StringComparison.Ordinal);
        Assert.Contains("sealedSecret", dump["mt_doc_subscription"], StringComparison.Ordinal);
        Assert.Contains("<key ", dump["data_protection_keys"], StringComparison.Ordinal);
        foreach (var (table, rows) in dump) Assert.False(rows.Contains(secret, StringComparison.Ordinal), $"the secret is in table {table}");

        // The logs: they saw the retries, the dead letter and the failed insert, never the secret.
        var logs = fixture.Logs.Lines.ToArray();
        Assert.Contains(logs, line => line.Contains(dead.ToString(), StringComparison.Ordinal) && line.Contains("failed after 3 attempts", StringComparison.Ordinal));
        Assert.Contains(logs, line => line.Contains("retrying in", StringComparison.Ordinal));
        Assert.Contains(logs, line => line.Contains("/api/v1/subscriptions", StringComparison.Ordinal));
        Assert.All(logs, line => Assert.DoesNotContain(secret, line, StringComparison.Ordinal));
        // Nor any stored event or document: a failed command is logged by its SQL text, without parameter values.
        Assert.All(logs, line => Assert.DoesNotContain("sealedSecret", line, StringComparison.Ordinal));
        if (failedInsert.StatusCode == HttpStatusCode.InternalServerError)
            Assert.Contains(logs, line => line.Contains("Marten failed executing", StringComparison.Ordinal) && line.Contains("mt_events", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_webhook_stored_before_secrets_were_sealed_still_delivers_and_is_sealed_and_masked_at_the_next_start()
    {
        var first = "legacy-secret-" + Guid.NewGuid().ToString("N");
        var secret = "legacy-secret-" + Guid.NewGuid().ToString("N");
        await using var receiver = await WebhookReceiver.StartAsync(failures: 0);
        var id = Guid.CreateVersion7();
        // The events as they were stored before: the secret in clear text, no sealed form; the second secret replaced the first.
        await using (var session = fixture.Service.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Events.StartStream<Subscription>(id, new SubscriptionCreated(id, "t-legacy", "legacy", "الجبل الأسود", "immediate", DateTimeOffset.UtcNow, new Webhook(receiver.Url, first)));
            session.Events.Append(id, new SubscriptionChanged(id, "legacy", "الجبل الأسود", "immediate", DateTimeOffset.UtcNow, new Webhook(receiver.Url, secret)));
            await session.SaveChangesInCommitOrderAsync(TestContext.Current.CancellationToken);
        }
        Assert.Contains(secret, string.Concat((await DumpSchemaAsync()).Values), StringComparison.Ordinal);

        await fixture.Probe.PublishAsync(Article("قمة في الجبل الأسود"));
        await Eventually.TrueAsync(() => Task.FromResult(!receiver.Requests.IsEmpty), "a delivery signed with the clear secret");
        var request = receiver.Requests.ToArray()[0];
        Assert.Equal(WebhookDeliveryConsumer.Signature(secret, Encoding.UTF8.GetBytes(request.Body)), request.Signature);

        // The next start (here a second instance on the same schema) seals it and masks both clear secrets out of the events.
        // Its async daemon stays off: two daemons on one schema fight over the relay's progress, and the loser (the
        // fixture's) stops relaying, so no later alert would be published in this class.
        await using var restarted = fixture.Service.WithWebHostBuilder(builder => builder.UseSetting("NewsMonitor:DaemonMode", "Disabled"));
        _ = restarted.Services;
        var dump = await DumpSchemaAsync();
        foreach (var (table, rows) in dump)
        {
            Assert.False(rows.Contains(first, StringComparison.Ordinal), $"the first clear secret is still in table {table}");
            Assert.False(rows.Contains(secret, StringComparison.Ordinal), $"the clear secret is still in table {table}");
        }
        Assert.Equal(1L, await TestInfrastructure.ScalarAsync<long>(
            $"select count(*) from \"{fixture.Schema}\".mt_events where stream_id = '{id}' and type = 'webhook_secret_sealed'"));

        await fixture.Probe.PublishAsync(Article("الجبل الأسود مرة أخرى"));
        await Eventually.TrueAsync(() => Task.FromResult(receiver.Requests.Count >= 2), "a delivery signed with the sealed secret");
        request = receiver.Requests.ToArray()[1];
        Assert.Equal(WebhookDeliveryConsumer.Signature(secret, Encoding.UTF8.GetBytes(request.Body)), request.Signature);
        Assert.Equal("ok", (await DeliveryAsync("t-legacy", id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_key_ring_is_in_the_database_and_another_replica_opens_what_one_sealed()
    {
        const string secret = "replica-secret-of-some-length";
        var webhook = fixture.Service.Services.GetRequiredService<WebhookSecrets>().Seal("https://example.com/hook", secret);
        // A Data Protection payload starts with a 4-byte magic header and the id of the key that sealed it.
        var keyId = new Guid(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(webhook.SealedSecret!).AsSpan(4, 16));
        var ring = await TestInfrastructure.ScalarAsync<string>($"select string_agg(xml, '') from \"{fixture.Schema}\".data_protection_keys");
        Assert.Contains($"id=\"{keyId}\"", ring, StringComparison.Ordinal);

        // A second instance on the same schema (a replica, or this one after a restart) reads the same ring.
        await using var replica = fixture.Service.WithWebHostBuilder(builder => builder.UseSetting("NewsMonitor:DaemonMode", "Disabled"));
        Assert.Equal(secret, replica.Services.GetRequiredService<WebhookSecrets>().Open(webhook));
        Assert.Equal(1L, await TestInfrastructure.ScalarAsync<long>($"select count(*) from \"{fixture.Schema}\".data_protection_keys"));
        // A protector for another purpose cannot open it.
        Assert.Throws<System.Security.Cryptography.CryptographicException>(() =>
            replica.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("another purpose").Unprotect(webhook.SealedSecret!));
    }

    [Fact]
    public void Printing_a_webhook_or_a_request_shows_neither_secret_nor_the_url_path()
    {
        var request = new SubscriptionRequest("n", "r", null, new WebhookRequest("https://hooks.example/T0/B0/token?x=1", "clear-secret-of-length"));
        var webhook = new Webhook("https://hooks.example/T0/B0/token", "clear-secret-of-length", "sealed-form");
        var created = new SubscriptionCreated(Guid.NewGuid(), "t", "n", "r", "immediate", DateTimeOffset.UtcNow, webhook);
        foreach (var printed in new[] { request.ToString(), webhook.ToString(), created.ToString() })
        {
            Assert.DoesNotContain("clear-secret", printed, StringComparison.Ordinal);
            Assert.DoesNotContain("sealed-form", printed, StringComparison.Ordinal);
            Assert.DoesNotContain("token", printed, StringComparison.Ordinal);
            Assert.Contains("https://hooks.example/", printed, StringComparison.Ordinal);
        }
    }
}
