using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using NewsMonitor.Testing;

namespace NewsMonitor.Gateway.Tests;

/// <summary>The gateway in front of five real loopback HTTP servers that echo what reaches them.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string OperatorKey = "test-operator-key-0123456789";

    public const string InternalKey = "internal-test-credential-42";

    private readonly List<string> _schemas = [];

    public List<EchoService> Services { get; } = [];

    public WebApplicationFactory<Program> Gateway { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>Every line the gateway logged, to show no key is ever written there.</summary>
    public CapturedLogs Logs { get; } = new();

    public IReadOnlyDictionary<string, string> Addresses => Services.ToDictionary(service => service.Name, service => service.Address);

    public async ValueTask InitializeAsync()
    {
        foreach (var name in new[] { "Ingestion", "Classification", "Entities", "Alerting", "Sources", "Events" }) Services.Add(await EchoService.StartAsync(name));
        Gateway = CreateGateway(Addresses, logs: Logs);
        Client = Gateway.CreateClient();
    }

    /// <summary>A gateway in front of <paramref name="addresses"/>, with its key store in a schema of its own.</summary>
    public WebApplicationFactory<Program> CreateGateway(IReadOnlyDictionary<string, string> addresses, IReadOnlyDictionary<string, string>? settings = null, CapturedLogs? logs = null)
    {
        var schema = TestInfrastructure.UniqueName("gw");
        _schemas.Add(schema);
        return new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("NEWSMONITOR_ADMIN_KEY", OperatorKey);
            builder.UseSetting("NEWSMONITOR_INTERNAL_KEY", InternalKey);
            builder.UseSetting("ConnectionStrings:Postgres", TestInfrastructure.Postgres);
            builder.UseSetting("NewsMonitor:Schema", schema);
            foreach (var (name, address) in addresses) builder.UseSetting($"Services:{name}", address);
            foreach (var (name, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(name, value);
            if (logs is not null) builder.ConfigureLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        foreach (var service in Services) await service.DisposeAsync();
        await TestInfrastructure.DropSchemasAsync([.. _schemas]);
    }
}

public sealed class GatewayTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private async Task<(HttpStatusCode Status, JsonElement Body, string? MediaType)> SendAsync(HttpMethod method, string path, string? key, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null) request.Headers.Add("X-Api-Key", key);
        foreach (var (name, value) in headers) request.Headers.Add(name, value);
        var response = await fixture.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement, response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("POST", "/api/v1/articles", "Ingestion")]
    [InlineData("POST", "/api/v1/articles/batch", "Ingestion")]
    [InlineData("GET", "/api/v1/articles/6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11", "Ingestion")]
    [InlineData("GET", "/api/v1/articles/6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11/topics", "Classification")]
    [InlineData("GET", "/api/v1/articles/6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11/entities", "Entities")]
    [InlineData("GET", "/api/v1/topics", "Classification")]
    [InlineData("GET", "/api/v1/topics/defense/articles", "Classification")]
    [InlineData("GET", "/api/v1/entities?q=nato", "Entities")]
    [InlineData("GET", "/api/v1/entities/nato/articles", "Entities")]
    [InlineData("POST", "/api/v1/subscriptions", "Alerting")]
    [InlineData("DELETE", "/api/v1/subscriptions/6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11", "Alerting")]
    [InlineData("GET", "/api/v1/alerts?limit=5", "Alerting")]
    [InlineData("GET", "/api/v1/sources", "Sources")]
    [InlineData("POST", "/api/v1/sources", "Sources")]
    [InlineData("GET", "/api/v1/sources/6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11/items?limit=5", "Sources")]
    [InlineData("PUT", "/api/v1/sources/6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11", "Sources")]
    [InlineData("DELETE", "/api/v1/sources/6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11", "Sources")]
    [InlineData("POST", "/api/v1/sources/6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11/poll", "Sources")]
    [InlineData("POST", "/api/v1/sources/opml", "Sources")]
    [InlineData("GET", "/api/v1/events?after=0&limit=10", "Events")]
    [InlineData("GET", "/api/v1/events/stream?types=org.newsmonitor.article.received", "Events")]
    public async Task Each_public_path_reaches_its_service(string method, string path, string service)
    {
        var (status, body, _) = await SendAsync(new HttpMethod(method), path, GatewayFixture.OperatorKey);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(service, body.GetProperty("service").GetString());
        Assert.Equal(path, body.GetProperty("path").GetString());
    }

    [Theory]
    [InlineData("integrator", "default")]
    [InlineData("subscriber", "gw-sources")]
    public async Task Sources_answer_operators_only(string role, string tenant)
    {
        var issued = await fixture.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/keys")
        {
            Headers = { { "X-Api-Key", GatewayFixture.OperatorKey } },
            Content = JsonContent.Create(new { role, tenant, name = $"sources {role}" }),
        }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var key = (await issued.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("key").GetString();
        foreach (var (method, path) in new[] { ("GET", "/api/v1/sources"), ("POST", "/api/v1/sources"), ("GET", "/api/v1/sources/6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11"),
                     ("POST", "/api/v1/sources/6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11/pause"), ("DELETE", "/api/v1/sources/6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11"), ("POST", "/api/v1/sources/opml") })
        {
            var (status, _, mediaType) = await SendAsync(new HttpMethod(method), path, key);
            Assert.True(status == HttpStatusCode.Forbidden, $"{method} {path} as {role}: {(int)status}");
            Assert.Equal("application/problem+json", mediaType);
        }
    }

    [Theory]
    [InlineData("integrator", "default")]
    [InlineData("subscriber", "gw-sources-spell")]
    public async Task Sources_in_any_spelling_never_reach_the_service_for_non_operators(string role, string tenant)
    {
        var issued = await fixture.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/keys")
        {
            Headers = { { "X-Api-Key", GatewayFixture.OperatorKey } },
            Content = JsonContent.Create(new { role, tenant, name = $"sources spelling {role}" }),
        }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var key = (await issued.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("key").GetString();
        foreach (var (method, path) in new[]
                 {
                     ("GET", "/API/V1/SOURCES"), ("POST", "/Api/v1/Sources/opml"), ("GET", "/api/v1/sources/"), ("GET", "/api/v1//sources"),
                     ("GET", "/api/v1/./sources"), ("GET", "/api/v1/x/../sources"), ("GET", "/api/v1/sources%2Fopml"), ("GET", "/api/v1/%73ources"),
                     ("DELETE", "/API/v1/sources/6F1F5D3E-2B0A-4C57-9A43-0C1E6F0B9A11"),
                 })
        {
            var (status, _, _) = await SendAsync(new HttpMethod(method), path, key);
            Assert.True(status is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{method} {path} as {role}: {(int)status}");
            var (anonymous, _, _) = await SendAsync(new HttpMethod(method), path, key: null);
            Assert.True(anonymous is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{method} {path} without a key: {(int)anonymous}");
        }
    }

    [Fact]
    public async Task Services_get_the_callers_identity_from_the_gateway_only_and_never_the_key()
    {
        var (_, body, _) = await SendAsync(HttpMethod.Get, "/api/v1/alerts", GatewayFixture.OperatorKey,
            ("X-NewsMonitor-Role", "subscriber"), ("X-NewsMonitor-Tenant", "someone-else"));
        var headers = body.GetProperty("headers");
        Assert.Equal("operator", headers.GetProperty("x-newsmonitor-role").GetString());
        Assert.Equal("default", headers.GetProperty("x-newsmonitor-tenant").GetString());
        Assert.False(headers.TryGetProperty("x-api-key", out _));
        // The internal credential tells the service the request came through the gateway.
        Assert.Equal(GatewayFixture.InternalKey, headers.GetProperty("x-newsmonitor-gateway").GetString());
    }

    [Theory]
    [InlineData(null, "X-Api-Key header")]
    [InlineData("wrong-key", "not valid")]
    [InlineData("", "X-Api-Key header")]
    public async Task Api_requests_without_a_valid_key_answer_401_problem(string? key, string detail)
    {
        var (status, body, mediaType) = await SendAsync(HttpMethod.Get, "/api/v1/alerts", key);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("application/problem+json", mediaType);
        Assert.Contains(detail, body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Health_aggregates_every_service()
    {
        var (status, body, _) = await SendAsync(HttpMethod.Get, "/health", key: null);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal(["alerting", "classification", "entities", "events", "ingestion", "sources"], body.GetProperty("services").EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task Health_is_unhealthy_when_a_service_is_unreachable()
    {
        var addresses = fixture.Services.ToDictionary(service => service.Name, service => service.Address);
        addresses["Entities"] = "http://127.0.0.1:1"; // nothing listens on port 1
        await using var gateway = fixture.CreateGateway(addresses);
        var response = await gateway.CreateClient().GetAsync("/health", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Unreachable", body.GetProperty("services").GetProperty("entities").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("services").GetProperty("ingestion").GetProperty("status").GetString());
    }

    [Fact]
    public void The_gateway_refuses_to_start_without_an_operator_key()
    {
        using var gateway = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("NEWSMONITOR_ADMIN_KEY", "short");
            foreach (var service in fixture.Services) builder.UseSetting($"Services:{service.Name}", service.Address);
        });
        var error = Assert.ThrowsAny<Exception>(() => gateway.CreateClient());
        Assert.Contains("NEWSMONITOR_ADMIN_KEY", error.ToString());
    }

    [Fact]
    public void The_gateway_refuses_to_start_without_the_internal_credential()
    {
        using var gateway = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("NEWSMONITOR_ADMIN_KEY", GatewayFixture.OperatorKey);
            builder.UseSetting("NEWSMONITOR_INTERNAL_KEY", "");
            builder.UseSetting("ConnectionStrings:Postgres", TestInfrastructure.Postgres);
            foreach (var service in fixture.Services) builder.UseSetting($"Services:{service.Name}", service.Address);
        });
        var error = Assert.ThrowsAny<Exception>(() => gateway.CreateClient());
        Assert.Contains("NEWSMONITOR_INTERNAL_KEY", error.ToString());
    }

    [Theory]
    [InlineData("/API/v1/alerts")]
    [InlineData("/Api/V1/Subscriptions")]
    [InlineData("/api/v1/nothing-here")]
    [InlineData("/elsewhere")]
    public async Task Any_spelling_of_a_private_path_needs_a_key(string path)
    {
        var (status, body, mediaType) = await SendAsync(HttpMethod.Get, path, key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("application/problem+json", mediaType);
        Assert.Contains("X-Api-Key", body.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("GET", "/unsubscribe/CfDJ8-made-up_token")]
    [InlineData("POST", "/unsubscribe/CfDJ8-made-up_token")]
    [InlineData("GET", "/email/confirm/CfDJ8-made-up_token")]
    [InlineData("POST", "/email/confirm/CfDJ8-made-up_token")]
    public async Task The_links_in_alert_mail_reach_alerting_without_a_key_and_without_an_identity(string method, string path)
    {
        // The token is the credential (alerting checks it); a reader of the mail has no API key.
        var (status, body, _) = await SendAsync(new HttpMethod(method), path, key: null, ("X-NewsMonitor-Role", "operator"), ("X-NewsMonitor-Tenant", "default"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Alerting", body.GetProperty("service").GetString());
        Assert.Equal(path, body.GetProperty("path").GetString());
        var headers = body.GetProperty("headers");
        // Forged identity headers are dropped, and none is added: the service sees an anonymous caller beside the credential.
        Assert.False(headers.TryGetProperty("x-newsmonitor-role", out _));
        Assert.False(headers.TryGetProperty("x-newsmonitor-tenant", out _));
        // Other methods on the path have no route.
        var (put, _, _) = await SendAsync(HttpMethod.Put, path, key: null);
        Assert.NotEqual(HttpStatusCode.OK, put);
    }
}

/// <summary>The anonymous Atom feed route: reached without a key, with no identity, rate-limited per address, its token never logged.</summary>
public sealed class FeedRouteTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static string NewToken() => System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task A_feed_is_forwarded_without_a_key_with_the_credential_and_no_identity_and_its_token_is_not_logged()
    {
        var token = NewToken();
        foreach (var path in new[] { $"/feeds/{token}.atom", $"/FEEDS/{token}.ATOM" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            // Forged identity: the gateway drops it, so the service sees no caller at all.
            request.Headers.Add("X-NewsMonitor-Role", "operator");
            request.Headers.Add("X-NewsMonitor-Tenant", "default");
            var response = await fixture.Client.SendAsync(request, Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var echoed = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
            Assert.Equal("Alerting", echoed.GetProperty("service").GetString());
            Assert.Equal(path, echoed.GetProperty("path").GetString());
            var headers = echoed.GetProperty("headers");
            Assert.False(headers.TryGetProperty("x-newsmonitor-role", out _));
            Assert.False(headers.TryGetProperty("x-newsmonitor-tenant", out _));
            Assert.Equal(GatewayFixture.InternalKey, headers.GetProperty("x-newsmonitor-gateway").GetString());
        }
        // Only GET and HEAD; anything else, and any other key-less path, is still refused at the door.
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/feeds/{token}.atom"), Cancel)).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await fixture.Client.PostAsync($"/feeds/{token}.atom", null, Cancel)).StatusCode);
        foreach (var path in new[] { "/feeds", $"/feeds/{token}", $"/feeds/{token}.atom/x", $"/feeds/%2e%2e/api/v1/alerts", $"/feeds/../api/v1/alerts", "/api/v1/feeds/x.atom" })
            Assert.True((await fixture.Client.GetAsync(path, Cancel)).StatusCode == HttpStatusCode.Unauthorized, path);
        Assert.NotEmpty(fixture.Logs.Lines);
        Assert.DoesNotContain(fixture.Logs.Lines, line => line.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Key_less_feed_reads_are_limited_per_address_and_keys_are_not_held_back()
    {
        await using var gateway = fixture.CreateGateway(fixture.Addresses, new Dictionary<string, string> { ["Gateway:BurstPerAddress"] = "3", ["Gateway:PerSecondPerAddress"] = "1" });
        var client = gateway.CreateClient();
        HttpResponseMessage? limited = null;
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8 && limited is null; i++)
        {
            var response = await client.GetAsync($"/feeds/{NewToken()}.atom", Cancel);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
        }
        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.NotNull(limited);
        Assert.True(int.Parse(limited!.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType!.MediaType);
        Assert.Contains("without a key", (await limited.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        // A key has its own bucket; a key-less API request is still a plain 401, not a 429.
        using var keyed = new HttpRequestMessage(HttpMethod.Get, "/api/v1/topics");
        keyed.Headers.Add("X-Api-Key", GatewayFixture.OperatorKey);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(keyed, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/topics", Cancel)).StatusCode);
    }
}
