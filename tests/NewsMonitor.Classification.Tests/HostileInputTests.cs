using System.Net;
using System.Text.Json.Nodes;
using NewsMonitor.Testing;

namespace NewsMonitor.Classification.Tests;

/// <summary>Its own schema: every event stored there is one this class caused.</summary>
public sealed class HostileClassificationFixture() : ServiceFixture<Program>("hostile_classify")
{
    protected override Type[] ProbedMessages => [];
}

/// <summary>Hostile input to the operator-topic endpoints answers 4xx problem+json naming the field, and stores nothing.</summary>
public sealed class HostileInputTests(HostileClassificationFixture fixture) : IClassFixture<HostileClassificationFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static JsonObject Topic() => new() { ["label"] = "hostile-topic", ["rule"] = "الناتو OR \"حلف شمال الأطلسي\"", ["description"] = "وصف" };

    public static TheoryData<string, HostileBody> Bodies() =>
    [
        .. HostileInput.Bodies(Topic(), ["label", "rule", "description"], ["label", "rule"]).Select(body => ("POST /api/v1/topics", body)),
        .. HostileInput.Bodies(Topic(), ["rule", "description"], ["rule"]).Select(body => ("PUT /api/v1/topics/hostile-topic", body)),
    ];

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_hostile_topic_is_refused_and_nothing_is_stored(string endpoint, HostileBody hostile)
    {
        var (method, path) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
        var before = await fixture.StoredEventsAsync();
        var response = await fixture.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = hostile.Content }, Cancel);

        await HostileInput.AssertRefusedAsync(response, hostile, Cancel);
        Assert.Equal(before, await fixture.StoredEventsAsync());
    }

    [Theory]
    [InlineData("POST", "/api/v1/topics/hostile-topic/apply?from=%00", HttpStatusCode.BadRequest)]
    [InlineData("POST", "/api/v1/topics/hostile-topic/apply?limit=99999999999999", HttpStatusCode.BadRequest)]
    [InlineData("POST", "/api/v1/topics/%E2%80%AE/apply", HttpStatusCode.NotFound)]
    [InlineData("PUT", "/api/v1/topics/%E2%80%AE", HttpStatusCode.NotFound)]
    public async Task Hostile_paths_and_parameters_are_problems(string method, string path, HttpStatusCode status)
    {
        var before = await fixture.StoredEventsAsync();
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "PUT") request.Content = HostileInput.Json(Topic().ToJsonString());
        var response = await fixture.Client.SendAsync(request, Cancel);

        Assert.Equal(status, response.StatusCode);
        HostileInput.AssertProblem(response, await response.Content.ReadAsStringAsync(Cancel), path);
        Assert.Equal(before, await fixture.StoredEventsAsync());
    }
}
