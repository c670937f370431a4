using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Testing;

namespace NewsMonitor.EndToEnd.Tests;

/// <summary>
/// Every public route × every caller (operator, integrator, a subscriber of the owning tenant, a subscriber of another
/// tenant, no key, a wrong key), through the gateway to the real services, asserting the status of each cell.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class AuthorizationMatrixTests(RunningSystem system)
{
    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;
    private static readonly string[] Callers = ["operator", "integrator", "own", "other", "none", "bad"];

    private sealed record Route(string Method, string Path, Func<object?>? Body, int Operator, int Integrator, int Own, int Other);

    /// <summary>
    /// An expected status meaning "let through the door": 2xx, or a 4xx the service itself gives (not 401 or 403). The
    /// operator's sources cells use it, so they ask what the gateway decides and not how the sources API answers a made-up id.
    /// </summary>
    private const int Through = 0;

    private Task<string> IssueAsync(string role, string tenant) => system.IssueKeyAsync(role, tenant, $"matrix {role} {tenant}");

    private async Task<HttpResponseMessage> SendAsync(string? key, string method, string path, object? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : JsonContent.Create(body) };
        if (key is not null) request.Headers.Add("X-Api-Key", key);
        // Headers only: the alert stream never ends, and the status is all a cell asserts.
        return await system.Anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancel);
    }

    private async Task<Guid> SubscribeAsync(string key)
    {
        var response = await SendAsync(key, "POST", "/api/v1/subscriptions", new { name = "matrix", rule = "الناتو" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task Every_route_answers_each_caller_as_the_contract_says()
    {
        var keys = new Dictionary<string, string?>
        {
            ["operator"] = RunningSystem.OperatorKey,
            ["integrator"] = await IssueAsync("integrator", "default"),
            ["own"] = await IssueAsync("subscriber", "alpha"),
            ["other"] = await IssueAsync("subscriber", "beta"),
            ["none"] = null,
            ["bad"] = "nm_not-a-key-anyone-was-given",
        };
        // Not a sample: a repost of one would be a near copy of PipelineTests' article, whose alert could then be withheld.
        var posted = await system.Gateway.PostAsJsonAsync("/api/v1/articles", new
        {
            Title = $"روته في بروكسل {Guid.NewGuid():N}",
            Body = "التقى الأمين العام لحلف الناتو مارك روته وزير الخارجية الأمريكي في بروكسل لبحث دعم أوكرانيا والإنفاق الدفاعي للحلفاء.",
            Language = "ar",
            Source = "authorization-matrix",
        }, Cancel);
        var article = (await posted.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();
        await Eventually.TrueAsync(async () =>
        {
            var processing = (await system.Gateway.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{article}", Cancel)).GetProperty("processing");
            return processing.GetProperty("classified").GetBoolean() && processing.GetProperty("entitiesExtracted").GetBoolean();
        }, "the article processed");
        var entity = (await system.Gateway.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{article}/entities", Cancel))
            .GetProperty("entities").EnumerateArray().First().GetProperty("id").GetString();
        var owned = await SubscribeAsync(keys["own"]!);
        var ownedForOperator = await SubscribeAsync(keys["own"]!);
        Assert.Equal(HttpStatusCode.Created, (await system.Gateway.PostAsJsonAsync("/api/v1/topics", new { label = "matrix-watch", rule = "روته" }, Cancel)).StatusCode);
        foreach (var (entityId, name) in new[] { ("matrix-one", "Matrix One"), ("matrix-two", "Matrix Two") })
            Assert.Equal(HttpStatusCode.Created, (await system.Gateway.PostAsJsonAsync("/api/v1/entities", new { id = entityId, type = "ORG", name }, Cancel)).StatusCode);
        var unique = 0;
        // A source id nobody registered: the cells ask the door, not the sources API.
        var source = Guid.NewGuid();
        object NewArticle() => new { title = $"مقال {Guid.NewGuid()}", body = "قال الأمين العام لحلف الناتو إن الحلف موحد." };

        // Expected statuses: operator, integrator, subscriber of the owning tenant, subscriber of another tenant.
        Route[] routes =
        [
            new("POST", "/api/v1/articles", NewArticle, 202, 202, 403, 403),
            new("POST", "/api/v1/articles/batch", () => new[] { NewArticle() }, 200, 200, 403, 403),
            new("GET", $"/api/v1/articles/{article}", null, 200, 200, 403, 403),
            new("GET", $"/api/v1/articles/{article}/topics", null, 200, 200, 403, 403),
            new("GET", $"/api/v1/articles/{article}/entities", null, 200, 200, 403, 403),
            new("GET", "/api/v1/topics", null, 200, 200, 403, 403),
            new("GET", "/api/v1/topics/defense/timeline?bucket=day", null, 200, 200, 403, 403),
            new("GET", "/api/v1/topics/defense/articles", null, 200, 200, 403, 403),
            new("POST", "/api/v1/topics", () => new { label = $"matrix-{++unique}", rule = "روته" }, 201, 403, 403, 403),
            new("POST", "/api/v1/topics/matrix-watch/apply?limit=10", null, 200, 403, 403, 403),
            new("GET", "/api/v1/entities?q=nato", null, 200, 200, 403, 403),
            new("GET", "/api/v1/entities/trending", null, 200, 200, 403, 403),
            new("GET", $"/api/v1/entities/{entity}", null, 200, 200, 403, 403),
            new("GET", $"/api/v1/entities/{entity}/articles", null, 200, 200, 403, 403),
            new("POST", "/api/v1/entities", () => new { type = "ORG", name = $"Matrix Org {++unique}" }, 201, 403, 403, 403),
            new("POST", "/api/v1/entities/matrix-one/aliases", () => new { alias = "ماتريكس وان" }, 200, 403, 403, 403),
            new("POST", "/api/v1/entities/matrix-one/merge", () => new { into = "matrix-two" }, 200, 403, 403, 403),
            new("PUT", "/api/v1/topics/matrix-watch", () => new { rule = "روته OR Rutte" }, 200, 403, 403, 403),
            new("POST", "/api/v1/subscriptions", () => new { name = "mine", rule = "قمة" }, 201, 403, 201, 201),
            new("GET", "/api/v1/subscriptions", null, 200, 403, 200, 200),
            new("GET", $"/api/v1/subscriptions/{owned}", null, 200, 403, 200, 404),
            new("PUT", $"/api/v1/subscriptions/{owned}", () => new { name = "renamed", rule = "الناتو" }, 200, 403, 200, 404),
            new("POST", $"/api/v1/subscriptions/{owned}/pause", null, 200, 403, 200, 404),
            new("POST", $"/api/v1/subscriptions/{owned}/resume", null, 200, 403, 200, 404),
            new("GET", $"/api/v1/subscriptions/{owned}/digests", null, 200, 403, 200, 404),
            new("POST", $"/api/v1/subscriptions/{owned}/feed/rotate", null, 200, 403, 200, 404),
            new("DELETE", $"/api/v1/subscriptions/{owned}/feed", null, 204, 403, 204, 404),
            new("GET", "/api/v1/alerts?limit=5", null, 200, 403, 200, 200),
            new("GET", "/api/v1/alerts/stream", null, 200, 403, 200, 200),
            new("GET", "/api/v1/alerts?order=desc&limit=5", null, 200, 403, 200, 200),
            new("GET", $"/api/v1/alerts/{Guid.NewGuid()}", null, 404, 403, 404, 404),
            new("GET", $"/api/v1/alerts/{Guid.NewGuid()}/article", null, 404, 403, 404, 404),
            new("GET", "/api/v1/ops/status", null, 200, 403, 403, 403),
            new("POST", "/api/v1/ops/errors/nothing-here/replay", null, 404, 403, 403, 403),
            new("POST", "/api/v1/ops/projections/NoSuchProjection/rebuild", null, 404, 403, 403, 403),
            new("GET", "/api/v1/keys/me", null, 200, 200, 200, 200),
            new("POST", $"/api/v1/ops/replay?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddYears(1).ToString("O"))}", null, 200, 403, 403, 403),
            new("GET", "/api/v1/keys", null, 200, 403, 403, 403),
            new("POST", "/api/v1/keys", () => new { role = "integrator", name = "another" }, 201, 403, 403, 403),
            new("DELETE", $"/api/v1/keys/{Guid.NewGuid()}", null, 404, 403, 403, 403),
            new("GET", "/api/v1/sources", null, Through, 403, 403, 403),
            new("POST", "/api/v1/sources", () => new { url = $"http://127.0.0.1:9/matrix-{++unique}.xml", name = "matrix" }, Through, 403, 403, 403),
            new("POST", "/api/v1/sources/opml", null, Through, 403, 403, 403),
            new("GET", $"/api/v1/sources/{source}", null, Through, 403, 403, 403),
            new("GET", $"/api/v1/sources/{source}/items?limit=5", null, Through, 403, 403, 403),
            new("PUT", $"/api/v1/sources/{source}", () => new { url = "http://127.0.0.1:9/matrix.xml", name = "renamed" }, Through, 403, 403, 403),
            new("POST", $"/api/v1/sources/{source}/pause", null, Through, 403, 403, 403),
            new("POST", $"/api/v1/sources/{source}/resume", null, Through, 403, 403, 403),
            new("POST", $"/api/v1/sources/{source}/poll", null, Through, 403, 403, 403),
            new("DELETE", $"/api/v1/sources/{source}", null, Through, 403, 403, 403),
            new("GET", "/api/v1/events?limit=5", null, 200, 200, 403, 403),
            new("GET", "/api/v1/events/stream", null, 200, 200, 403, 403),
            // Alert events carry subscribers' tenants: the feed keeps them from integrators.
            new("GET", "/api/v1/events?types=org.newsmonitor.alert.raised", null, 200, 403, 403, 403),
        ];

        var mismatches = new List<string>();
        var cells = 0;
        async Task CheckAsync(string caller, string method, string path, object? body, int expected)
        {
            cells++;
            var status = (int)(await SendAsync(keys[caller], method, path, body)).StatusCode;
            if (expected == Through ? status is < 200 or >= 500 or 401 or 403 : status != expected) mismatches.Add($"{method} {path} as {caller}: {status}, expected {expected}");
        }

        foreach (var route in routes)
        {
            int[] expected = [route.Operator, route.Integrator, route.Own, route.Other, 401, 401];
            // Another tenant first, so the owner's cells find the resource as it was.
            foreach (var index in new[] { 3, 1, 4, 5, 2, 0 }) await CheckAsync(Callers[index], route.Method, route.Path, route.Body?.Invoke(), expected[index]);
        }
        // Deleting: another tenant cannot (404), an integrator may not (403), the owner can, as can an operator.
        await CheckAsync("other", "DELETE", $"/api/v1/subscriptions/{owned}", null, 404);
        await CheckAsync("integrator", "DELETE", $"/api/v1/subscriptions/{owned}", null, 403);
        await CheckAsync("none", "DELETE", $"/api/v1/subscriptions/{owned}", null, 401);
        await CheckAsync("bad", "DELETE", $"/api/v1/subscriptions/{owned}", null, 401);
        await CheckAsync("own", "DELETE", $"/api/v1/subscriptions/{owned}", null, 204);
        await CheckAsync("operator", "DELETE", $"/api/v1/subscriptions/{ownedForOperator}", null, 204);
        foreach (var (caller, status) in new[] { ("other", 403), ("own", 403), ("integrator", 403), ("none", 401), ("bad", 401), ("operator", 204) })
            await CheckAsync(caller, "DELETE", "/api/v1/topics/matrix-watch", null, status);

        // The operator topics defined here would label every other class's Rutte articles: retire them.
        var taxonomy = await system.Gateway.GetFromJsonAsync<JsonElement>("/api/v1/topics", Cancel);
        foreach (var topic in taxonomy.GetProperty("topics").EnumerateArray().Select(t => t.GetProperty("label").GetString()!).Where(label => label.StartsWith("matrix-", StringComparison.Ordinal)))
            Assert.Equal(HttpStatusCode.NoContent, (await system.Gateway.DeleteAsync($"/api/v1/topics/{topic}", Cancel)).StatusCode);

        TestContext.Current.TestOutputHelper?.WriteLine($"{cells} cells checked");
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Theory]
    [InlineData("Ingestion", "/api/v1/articles/6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11")]
    [InlineData("Classification", "/api/v1/topics")]
    [InlineData("Entities", "/api/v1/entities/trending")]
    [InlineData("Alerting", "/api/v1/alerts")]
    [InlineData("Sources", "/api/v1/sources")]
    [InlineData("Events", "/api/v1/events")]
    public async Task Services_refuse_requests_that_bypass_the_gateway_even_with_identity_headers(string service, string path)
    {
        using var client = new HttpClient { BaseAddress = system.ServiceAddress(service) };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-NewsMonitor-Role", "operator");
        request.Headers.Add("X-NewsMonitor-Gateway", "a-guess");
        var response = await client.SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        // Health stays open for the gateway's and the orchestrator's probes.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live", Cancel)).StatusCode);
    }

    [Theory]
    [InlineData("ingestion", "/api/v1/articles")]
    [InlineData("classification", "/api/v1/topics")]
    [InlineData("entities", "/api/v1/entities/trending")]
    [InlineData("alerting", "/api/v1/subscriptions")]
    [InlineData("sources", "/api/v1/sources")]
    [InlineData("events", "/api/v1/events")]
    [InlineData("v1", "/api/v1/keys")]
    public async Task Every_service_publishes_its_openapi_document_through_the_gateway(string document, string path)
    {
        var openApi = await system.Anonymous.GetFromJsonAsync<JsonElement>($"/openapi/{document}.json", Cancel);
        Assert.StartsWith("3.", openApi.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.True(openApi.GetProperty("paths").TryGetProperty(path, out _), $"{path} in {document}");
    }

    [Fact]
    public async Task The_api_reference_at_docs_lists_every_document()
    {
        var page = await system.Anonymous.GetStringAsync("/docs", Cancel);
        foreach (var document in new[] { "ingestion", "classification", "entities", "alerting", "sources", "events" }) Assert.Contains($"\"url\":\"openapi/{document}.json\"", page, StringComparison.Ordinal);
    }
}
