using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace NewsMonitor.Gateway.Tests;

/// <summary>Keys issued and revoked over the API, roles, rate limits, body limits, headers, CORS, logs.</summary>
public sealed class DoorTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? key, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (key is not null) request.Headers.Add("X-Api-Key", key);
        return await client.SendAsync(request, Cancel);
    }

    private async Task<JsonElement> IssueAsync(string role, string tenant = "default", HttpClient? client = null)
    {
        var response = await SendAsync(client ?? fixture.Client, HttpMethod.Post, "/api/v1/keys", GatewayFixture.OperatorKey, new { role, tenant, name = $"{role} of {tenant}" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
    }

    [Fact]
    public async Task An_issued_key_works_with_its_role_and_tenant_until_it_is_revoked()
    {
        var issued = await IssueAsync("subscriber", "acme");
        var key = issued.GetProperty("key").GetString()!;
        Assert.StartsWith("nm_", key, StringComparison.Ordinal);

        var forwarded = await (await SendAsync(fixture.Client, HttpMethod.Get, "/api/v1/subscriptions", key)).Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal("subscriber", forwarded.GetProperty("headers").GetProperty("x-newsmonitor-role").GetString());
        Assert.Equal("acme", forwarded.GetProperty("headers").GetProperty("x-newsmonitor-tenant").GetString());
        // The role decides the routes: a subscriber may not submit articles.
        var forbidden = await SendAsync(fixture.Client, HttpMethod.Post, "/api/v1/articles", key, new { title = "x", body = "y" });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType!.MediaType);

        // Listed without its secret; stored only as a hash.
        var list = await (await SendAsync(fixture.Client, HttpMethod.Get, "/api/v1/keys", GatewayFixture.OperatorKey)).Content.ReadFromJsonAsync<JsonElement>(Cancel);
        var listed = list.GetProperty("items").EnumerateArray().Single(item => item.GetProperty("id").GetGuid() == issued.GetProperty("id").GetGuid());
        Assert.False(listed.TryGetProperty("key", out _));
        Assert.Equal(key[..7] + "…", listed.GetProperty("prefix").GetString());
        Assert.DoesNotContain(key, list.ToString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(fixture.Client, HttpMethod.Delete, $"/api/v1/keys/{issued.GetProperty("id").GetGuid()}", GatewayFixture.OperatorKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(fixture.Client, HttpMethod.Get, "/api/v1/subscriptions", key)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(fixture.Client, HttpMethod.Delete, $"/api/v1/keys/{Guid.NewGuid()}", GatewayFixture.OperatorKey)).StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("default")]
    public async Task A_subscriber_key_needs_a_tenant_of_its_own(string? tenant)
    {
        // The default tenant holds the operators' own subscriptions: a subscriber there would read and change them.
        var response = await SendAsync(fixture.Client, HttpMethod.Post, "/api/v1/keys", GatewayFixture.OperatorKey, new { role = "subscriber", tenant, name = "customer" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("errors").TryGetProperty("tenant", out _));
    }

    [Theory]
    [InlineData("/api/v1/keys")]
    [InlineData("/Api/v1/keys")]
    [InlineData("/API/V1/KEYS")]
    public async Task Api_answers_are_never_cached_whatever_the_spelling_of_the_path(string path)
    {
        var response = await SendAsync(fixture.Client, HttpMethod.Get, path, GatewayFixture.OperatorKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control of {path}: {response.Headers.CacheControl}");
    }

    [Fact]
    public async Task Only_operators_manage_keys_and_bad_requests_name_the_field()
    {
        var integrator = (await IssueAsync("integrator")).GetProperty("key").GetString();
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(fixture.Client, HttpMethod.Post, "/api/v1/keys", integrator, new { role = "operator", name = "me" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(fixture.Client, HttpMethod.Get, "/api/v1/keys", integrator)).StatusCode);

        var bad = await SendAsync(fixture.Client, HttpMethod.Post, "/api/v1/keys", GatewayFixture.OperatorKey, new { role = "admin", name = "", tenant = "Not A Tenant" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("errors");
        Assert.Equal(["name", "role", "tenant"], errors.EnumerateObject().Select(error => error.Name).Order());
    }

    [Fact]
    public async Task A_key_over_its_rate_answers_429_with_retry_after_and_other_keys_are_not_held_back()
    {
        await using var gateway = fixture.CreateGateway(fixture.Addresses, new Dictionary<string, string> { ["Gateway:BurstPerKey"] = "3", ["Gateway:PerSecondPerKey"] = "1" });
        var client = gateway.CreateClient();
        var first = (await IssueAsync("integrator", client: client)).GetProperty("key").GetString();
        var second = (await IssueAsync("integrator", client: client)).GetProperty("key").GetString();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 6; i++)
        {
            var response = await SendAsync(client, HttpMethod.Get, "/api/v1/topics", first);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited ??= response;
        }
        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.NotNull(limited);
        Assert.True(int.Parse(limited!.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, HttpMethod.Get, "/api/v1/topics", second)).StatusCode);
    }

    [Fact]
    public async Task A_body_over_the_limit_answers_413_problem_before_reaching_a_service()
    {
        await using var gateway = fixture.CreateGateway(fixture.Addresses, new Dictionary<string, string> { ["Gateway:MaxRequestBodyBytes"] = "1024" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/articles") { Content = new StringContent(new string('x', 4096), Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", GatewayFixture.OperatorKey);
        var response = await gateway.CreateClient().SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("limit is 1,024", (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_carry_security_headers_and_no_cors_permission()
    {
        foreach (var path in new[] { "/api/v1/topics", "/health" })
        {
            var response = await SendAsync(fixture.Client, HttpMethod.Get, path, GatewayFixture.OperatorKey);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/articles");
        preflight.Headers.Add("Origin", "https://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        var answer = await fixture.Client.SendAsync(preflight, Cancel);
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task No_key_is_ever_written_to_the_logs()
    {
        var issued = (await IssueAsync("integrator")).GetProperty("key").GetString()!;
        await SendAsync(fixture.Client, HttpMethod.Get, "/api/v1/topics", issued);
        await SendAsync(fixture.Client, HttpMethod.Get, "/api/v1/topics", "nm_wrong_key_that_is_not_valid");
        await SendAsync(fixture.Client, HttpMethod.Get, "/api/v1/topics", GatewayFixture.OperatorKey);
        Assert.NotEmpty(fixture.Logs.Lines);
        Assert.DoesNotContain(fixture.Logs.Lines, line => line.Contains(issued, StringComparison.Ordinal)
            || line.Contains(GatewayFixture.OperatorKey, StringComparison.Ordinal) || line.Contains(GatewayFixture.InternalKey, StringComparison.Ordinal)
            || line.Contains("nm_wrong_key", StringComparison.Ordinal));
    }
}
