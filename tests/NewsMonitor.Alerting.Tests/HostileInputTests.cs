using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using NewsMonitor.Testing;

namespace NewsMonitor.Alerting.Tests;

/// <summary>Its own schema: every event stored there is one this class caused.</summary>
public sealed class HostileAlertingFixture() : ServiceFixture<Program>("hostile_alerting")
{
    protected override Type[] ProbedMessages => [];

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Alerting:Webhooks:AllowPrivateTargets"] = "true" };
}

/// <summary>Hostile input to the subscription endpoints answers 4xx problem+json naming the field, and stores nothing.</summary>
public sealed class HostileInputTests(HostileAlertingFixture fixture) : IClassFixture<HostileAlertingFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static JsonObject Subscription() => new()
    {
        ["name"] = "NATO", ["rule"] = "الناتو OR \"حلف شمال الأطلسي\"", ["mode"] = "immediate",
        ["webhook"] = new JsonObject { ["url"] = "http://127.0.0.1:9/hook", ["secret"] = "a-secret-of-enough-length-0123456789", ["format"] = "slack" },
    };

    private static readonly string[] Fields = ["name", "rule", "mode", "webhook.url", "webhook.secret", "webhook.format"];

    private static readonly string[] NameFields = ["name", "rule", "mode", "webhook.url", "webhook.format"];

    public static TheoryData<string, HostileBody> Bodies() =>
    [
        .. HostileInput.Bodies(Subscription(), Fields, NameFields).Select(body => ("POST", body)),
        .. HostileInput.Bodies(Subscription(), Fields, NameFields).Select(body => ("PUT", body)),
    ];

    private async Task<Guid> SubscribeAsync()
    {
        var response = await fixture.Client.PostAsync("/api/v1/subscriptions", HostileInput.Json(Subscription().ToJsonString()), Cancel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_hostile_subscription_is_refused_and_nothing_is_stored(string method, HostileBody hostile)
    {
        var path = method == "POST" ? "/api/v1/subscriptions" : $"/api/v1/subscriptions/{await SubscribeAsync()}";
        var before = await fixture.StoredEventsAsync();
        var response = await fixture.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = hostile.Content }, Cancel);

        await HostileInput.AssertRefusedAsync(response, hostile, Cancel);
        Assert.Equal(before, await fixture.StoredEventsAsync());
    }

    [Theory]
    // A NUL in the path (%00) never reaches the application: ASP.NET Core's URL decoder refuses it (Kestrel answers 400 itself).
    [InlineData("POST", "/api/v1/subscriptions/not-a-guid/pause", HttpStatusCode.NotFound)]
    [InlineData("POST", "/api/v1/subscriptions/00000000-0000-0000-0000-000000000000/pause", HttpStatusCode.NotFound)]
    [InlineData("POST", "/api/v1/subscriptions/00000000-0000-0000-0000-000000000000/resume", HttpStatusCode.NotFound)]
    [InlineData("PUT", "/api/v1/subscriptions/00000000-0000-0000-0000-000000000000", HttpStatusCode.NotFound)]
    [InlineData("DELETE", "/api/v1/subscriptions/00000000-0000-0000-0000-000000000000", HttpStatusCode.NotFound)]
    [InlineData("GET", "/api/v1/alerts?after=%00", HttpStatusCode.BadRequest)]
    public async Task Hostile_ids_and_parameters_are_problems(string method, string path, HttpStatusCode status)
    {
        var before = await fixture.StoredEventsAsync();
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "PUT") request.Content = HostileInput.Json(Subscription().ToJsonString());
        var response = await fixture.Client.SendAsync(request, Cancel);

        Assert.Equal(status, response.StatusCode);
        HostileInput.AssertProblem(response, await response.Content.ReadAsStringAsync(Cancel), path);
        Assert.Equal(before, await fixture.StoredEventsAsync());
    }

    [Fact]
    public async Task Pause_and_resume_ignore_a_hostile_body_and_store_only_the_change()
    {
        var id = await SubscribeAsync();
        var before = await fixture.StoredEventsAsync();
        var paused = await fixture.Client.PostAsync($"/api/v1/subscriptions/{id}/pause", HostileInput.Json("{\"name\": \"\\u0000\"} trailing"), Cancel);
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Equal("NATO", (await paused.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("name").GetString());
        Assert.Equal(before + 1, await fixture.StoredEventsAsync());
    }
}
