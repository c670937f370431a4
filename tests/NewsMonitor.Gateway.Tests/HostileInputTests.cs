using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NewsMonitor.Testing;

namespace NewsMonitor.Gateway.Tests;

/// <summary>Hostile input to the gateway's own endpoints, and the framework's own errors, answer 4xx problem+json with a type.</summary>
public sealed class HostileInputTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static JsonObject KeyRequest() => new() { ["role"] = "integrator", ["tenant"] = "acme", ["name"] = "Acme's importer" };

    public static TheoryData<HostileBody> KeyBodies() => [.. HostileInput.Bodies(KeyRequest(), ["role", "tenant", "name"], ["role", "tenant", "name"])];

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-Api-Key", GatewayFixture.OperatorKey);
        return await client.SendAsync(request, Cancel);
    }

    private async Task<int> KeyCountAsync()
    {
        var list = await (await SendAsync(fixture.Client, HttpMethod.Get, "/api/v1/keys")).Content.ReadFromJsonAsync<JsonElement>(Cancel);
        return list.GetProperty("items").GetArrayLength();
    }

    [Theory]
    [MemberData(nameof(KeyBodies))]
    public async Task A_hostile_key_request_is_refused_and_no_key_is_issued(HostileBody hostile)
    {
        var before = await KeyCountAsync();
        var response = await SendAsync(fixture.Client, HttpMethod.Post, "/api/v1/keys", hostile.Content);

        await HostileInput.AssertRefusedAsync(response, hostile, Cancel);
        Assert.Equal(before, await KeyCountAsync());
    }

    [Fact]
    public async Task Revoking_the_empty_id_answers_404_problem()
    {
        var response = await SendAsync(fixture.Client, HttpMethod.Delete, "/api/v1/keys/00000000-0000-0000-0000-000000000000");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        HostileInput.AssertProblem(response, await response.Content.ReadAsStringAsync(Cancel), "DELETE empty key id");
    }

    [Fact]
    public async Task Rate_and_body_limits_answer_problems_with_a_type()
    {
        await using var gateway = fixture.CreateGateway(fixture.Addresses, new Dictionary<string, string>
        {
            ["Gateway:BurstPerKey"] = "2", ["Gateway:PerSecondPerKey"] = "1", ["Gateway:MaxRequestBodyBytes"] = "1024",
        });
        var client = gateway.CreateClient();

        var tooLarge = await SendAsync(client, HttpMethod.Post, "/api/v1/articles", new StringContent(new string('x', 4096), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        var problem = HostileInput.AssertProblem(tooLarge, await tooLarge.Content.ReadAsStringAsync(Cancel), "413");
        Assert.Contains("rfc9110#section-15.5.14", problem.GetProperty("type").GetString(), StringComparison.Ordinal);

        HttpResponseMessage? limited = null;
        for (var i = 0; i < 6 && limited is null; i++)
        {
            var response = await SendAsync(client, HttpMethod.Get, "/api/v1/topics");
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
        }
        Assert.NotNull(limited);
        problem = HostileInput.AssertProblem(limited!, await limited!.Content.ReadAsStringAsync(Cancel), "429");
        Assert.Contains("rfc6585#section-4", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Framework_errors_are_problems_with_a_type()
    {
        var longTarget = await SendAsync(fixture.Client, HttpMethod.Get, "/api/v1/topics?q=" + new string('a', 9_000));
        Assert.Equal(HttpStatusCode.RequestUriTooLong, longTarget.StatusCode);
        HostileInput.AssertProblem(longTarget, await longTarget.Content.ReadAsStringAsync(Cancel), "414");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/topics");
        request.Headers.Add("X-Api-Key", GatewayFixture.OperatorKey);
        for (var i = 0; i < 5; i++) request.Headers.Add($"X-Padding-{i}", new string('p', 8_000));
        var bigHeaders = await fixture.Client.SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, bigHeaders.StatusCode);
        HostileInput.AssertProblem(bigHeaders, await bigHeaders.Content.ReadAsStringAsync(Cancel), "431");

        foreach (var (method, path) in new[] { (HttpMethod.Get, "/no-such-page"), (HttpMethod.Put, "/api/v1/keys"), (HttpMethod.Post, "/health") })
        {
            var response = await SendAsync(fixture.Client, method, path, method == HttpMethod.Get ? null : HostileInput.Json("{}"));
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{method} {path}: {(int)response.StatusCode}");
            HostileInput.AssertProblem(response, await response.Content.ReadAsStringAsync(Cancel), $"{method} {path}");
        }
    }
}
