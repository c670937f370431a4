using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NewsMonitor.Testing;

namespace NewsMonitor.Ingestion.Tests;

/// <summary>Its own schema: every event stored there is one this class caused.</summary>
public sealed class HostileIngestionFixture() : ServiceFixture<Program>("hostile_ingest")
{
    protected override Type[] ProbedMessages => [];
}

/// <summary>Hostile input to the ingestion endpoints answers 4xx problem+json naming the field, and stores nothing.</summary>
public sealed class HostileInputTests(HostileIngestionFixture fixture) : IClassFixture<HostileIngestionFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static JsonObject Article(string marker) => new()
    {
        ["title"] = "قمة الناتو " + marker, ["body"] = "اجتمع قادة حلف شمال الأطلسي في لندن. " + marker, ["source"] = "test",
        ["language"] = "ar", ["url"] = $"https://example.org/{marker}",
    };

    public static TheoryData<HostileBody> ArticleBodies() =>
        [.. HostileInput.Bodies(Article("hostile"), ["title", "body", "source", "url", "language"], ["url", "language"])];

    [Theory]
    [MemberData(nameof(ArticleBodies))]
    public async Task A_hostile_article_is_refused_and_nothing_is_stored(HostileBody hostile)
    {
        var before = await fixture.StoredEventsAsync();
        var response = await fixture.Client.PostAsync("/api/v1/articles", hostile.Content, Cancel);

        await HostileInput.AssertRefusedAsync(response, hostile, Cancel);
        Assert.Equal(before, await fixture.StoredEventsAsync());
    }

    public static TheoryData<HostileBody> BatchBodies() =>
    [
        .. HostileInput.Bodies(new JsonObject(), ["x"], []).Where(hostile => hostile.Field is null && hostile.Case != "an array"),
    ];

    [Theory]
    [MemberData(nameof(BatchBodies))]
    public async Task A_hostile_batch_as_a_whole_is_refused_and_nothing_is_stored(HostileBody hostile)
    {
        var before = await fixture.StoredEventsAsync();
        var response = await fixture.Client.PostAsync("/api/v1/articles/batch", hostile.Content, Cancel);

        await HostileInput.AssertRefusedAsync(response, hostile, Cancel);
        Assert.Equal(before, await fixture.StoredEventsAsync());
    }

    [Theory]
    [InlineData("json")]
    [InlineData("ndjson")]
    public async Task In_a_batch_only_the_hostile_items_are_invalid_and_each_names_its_field(string format)
    {
        var marker = format + Guid.NewGuid().ToString("N")[..8];
        string[] items =
        [
            Article(marker + "-1").ToJsonString(),
            HostileInput.With(Article(marker + "-nul"), "title", "\"a\\u0000b\""),
            HostileInput.With(Article(marker + "-surrogate"), "body", "\"\\ud800\""),
            HostileInput.With(Article(marker + "-override"), "url", "\"https://example.org/\\u202Eevil\""),
            Article(marker + "-1").ToJsonString() + " trailing",
            Article(marker + "-2").ToJsonString(),
        ];
        var before = await fixture.StoredEventsAsync();
        var content = format == "json"
            ? HostileInput.Json("[" + string.Join(",", items[..4]) + "," + items[5] + "]")
            : new StringContent(string.Join("\n", items), Encoding.UTF8, "application/x-ndjson");
        var response = await fixture.Client.PostAsync("/api/v1/articles/batch", content, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        var statuses = result.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("status").GetString()!).ToArray();
        var errors = result.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("errors")).ToArray();
        if (format == "json") Assert.Equal(["accepted", "invalid", "invalid", "invalid", "accepted"], statuses);
        else Assert.Equal(["accepted", "invalid", "invalid", "invalid", "invalid", "accepted"], statuses);
        Assert.True(errors[1].TryGetProperty("title", out _), errors[1].ToString());
        Assert.True(errors[2].TryGetProperty("body", out _), errors[2].ToString());
        Assert.True(errors[3].TryGetProperty("url", out _), errors[3].ToString());
        Assert.Equal(before + 2, await fixture.StoredEventsAsync("article_submitted"));
    }

    [Fact]
    public async Task Article_text_may_carry_bidirectional_controls()
    {
        // Arabic text with an English name inside: marks, an embedding and an isolate are ordinary in such text.
        var article = new JsonObject
        {
            ["title"] = "\u202Bقمة NATO\u202C في \u2067لاهاي\u2069",
            ["body"] = "قال الأمين العام\u200F للناتو \u2066Mark Rutte\u2069 إن الحلف موحد " + Guid.NewGuid(),
            ["source"] = "\u200Fمصدر",
        };
        var response = await fixture.Client.PostAsync("/api/v1/articles", HostileInput.Json(article.ToJsonString()), Cancel);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/ops/replay?from=%00", "from")]
    [InlineData("/api/v1/ops/replay?from=2026-01-01&limit=99999999999999", "limit")]
    [InlineData("/api/v1/ops/replay?limit=0", "limit")]
    public async Task Replay_refuses_hostile_parameters_as_problems(string path, string field)
    {
        var before = await fixture.StoredEventsAsync();
        var response = await fixture.Client.PostAsync(path, null, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = HostileInput.AssertProblem(response, text, path);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), text);
        Assert.Equal(before, await fixture.StoredEventsAsync());
    }

    [Theory]
    [InlineData("GET", "/api/v1/nothing-here", HttpStatusCode.NotFound)]
    [InlineData("GET", "/api/v1/articles/batch", HttpStatusCode.MethodNotAllowed)]
    [InlineData("DELETE", "/api/v1/articles", HttpStatusCode.MethodNotAllowed)]
    public async Task Errors_of_the_framework_itself_are_problems_with_a_type(string method, string path, HttpStatusCode status)
    {
        var response = await fixture.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Cancel);
        Assert.Equal(status, response.StatusCode);
        HostileInput.AssertProblem(response, await response.Content.ReadAsStringAsync(Cancel), path);
    }

    [Fact]
    public async Task A_request_target_or_headers_over_the_limits_are_problems_with_a_type()
    {
        var longTarget = await fixture.Client.GetAsync("/api/v1/articles/" + new string('a', 9_000), Cancel);
        Assert.Equal(HttpStatusCode.RequestUriTooLong, longTarget.StatusCode);
        HostileInput.AssertProblem(longTarget, await longTarget.Content.ReadAsStringAsync(Cancel), "414");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/articles/{Guid.NewGuid()}");
        for (var i = 0; i < 5; i++) request.Headers.Add($"X-Padding-{i}", new string('p', 8_000));
        var bigHeaders = await fixture.Client.SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, bigHeaders.StatusCode);
        HostileInput.AssertProblem(bigHeaders, await bigHeaders.Content.ReadAsStringAsync(Cancel), "431");
    }
}
