using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NewsMonitor.Sources.Sources;
using NewsMonitor.Testing;

namespace NewsMonitor.Sources.Tests;

/// <summary>The sources service with its poller off: only the API, on real PostgreSQL and RabbitMQ.</summary>
public sealed class SourcesApiFixture() : ServiceFixture<Program>("srcapi")
{
    protected override Type[] ProbedMessages => [];

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Sources:PollerEnabled"] = "false",
    };
}

/// <summary>The operator API of sources: validation, 404 and 409, state changes.</summary>
public sealed class SourcesApiTests(SourcesApiFixture fixture) : IClassFixture<SourcesApiFixture>
{
    private readonly HttpClient _client = fixture.Client;
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string FeedUrl() => $"https://news-{Guid.NewGuid():N}.example/feed.xml";

    private async Task<Guid> CreateAsync(object body)
    {
        var response = await _client.PostAsJsonAsync("/api/v1/sources", body, Token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/sources/{id}", response.Headers.Location!.ToString());
        return id;
    }

    private async Task<JsonElement> GetAsync(Guid id) => await _client.GetFromJsonAsync<JsonElement>($"/api/v1/sources/{id}", Token);

    [Fact]
    public async Task A_source_is_created_with_defaults_and_shows_its_health()
    {
        var url = FeedUrl();
        var id = await CreateAsync(new { url });

        var source = await GetAsync(id);
        Assert.Equal(SourceRules.IdOf(url), id);
        Assert.Equal(url, source.GetProperty("url").GetString());
        Assert.Equal(new Uri(url).Host, source.GetProperty("name").GetString());
        Assert.Equal(600, source.GetProperty("intervalSeconds").GetInt32());
        Assert.Equal("auto", source.GetProperty("kind").GetString());
        Assert.Equal("auto", source.GetProperty("fetchPages").GetString());
        Assert.Equal("active", source.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, source.GetProperty("lastPolledAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, source.GetProperty("lastSuccessAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, source.GetProperty("lastError").ValueKind);
        foreach (var counter in new[] { "consecutiveFailures", "itemsSeen", "articlesAccepted", "duplicates", "notModified" })
            Assert.Equal(0, source.GetProperty(counter).GetInt64());
        Assert.True(source.TryGetProperty("nextPollAt", out _));

        var list = await _client.GetFromJsonAsync<JsonElement>("/api/v1/sources", Token);
        Assert.Contains(list.GetProperty("items").EnumerateArray(), item => item.GetProperty("id").GetGuid() == id);
    }

    [Fact]
    public async Task The_same_feed_again_is_a_409_naming_the_existing_source()
    {
        var url = FeedUrl();
        var id = await CreateAsync(new { url, name = "الجزيرة", intervalSeconds = 300, language = "ar", kind = "rss", fetchPages = "always" });

        // Another spelling of the same URL is the same feed.
        var again = await _client.PostAsJsonAsync("/api/v1/sources", new { url = url.Replace("https://", "HTTPS://", StringComparison.Ordinal).Replace("/feed.xml", ":443/feed.xml#x", StringComparison.Ordinal) }, Token);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType!.MediaType);
        var problem = await again.Content.ReadFromJsonAsync<JsonElement>(Token);
        Assert.Equal(id, problem.GetProperty("existingId").GetGuid());
        Assert.Contains(id.ToString(), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var source = await GetAsync(id);
        Assert.Equal("الجزيرة", source.GetProperty("name").GetString());
        Assert.Equal(300, source.GetProperty("intervalSeconds").GetInt32());
    }

    [Theory]
    [InlineData("{}", "url")]
    [InlineData("{\"url\": \"ftp://example.com/feed\"}", "url")]
    [InlineData("{\"url\": \"/relative/feed\"}", "url")]
    [InlineData("{\"url\": \"https://example.com/feed\", \"intervalSeconds\": 30}", "intervalSeconds")]
    [InlineData("{\"url\": \"https://example.com/feed\", \"intervalSeconds\": 700000}", "intervalSeconds")]
    [InlineData("{\"url\": \"https://example.com/feed\", \"kind\": \"json\"}", "kind")]
    [InlineData("{\"url\": \"https://example.com/feed\", \"fetchPages\": \"maybe\"}", "fetchPages")]
    [InlineData("{\"url\": \"https://example.com/feed\", \"language\": \"not a tag\"}", "language")]
    [InlineData("{\"url\": \"https://example.com/feed\", \"name\": \"two\\nlines\"}", "name")]
    [InlineData("{\"url\": \"https://example.com/feed\", \"name\": \"nul\\u0000\"}", "name")]
    [InlineData("{\"url\": \"https://example.com/feed\", \"intervalSeconds\": \"often\"}", "intervalSeconds")]
    public async Task Invalid_input_is_a_400_problem_naming_the_field_and_stores_nothing(string json, string field)
    {
        var before = await fixture.StoredEventsAsync();
        var response = await _client.PostAsync("/api/v1/sources", new StringContent(json, Encoding.UTF8, "application/json"), Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors name {field}: {problem}");
        Assert.Equal(before, await fixture.StoredEventsAsync());
    }

    [Fact]
    public async Task A_too_long_url_is_refused()
    {
        var response = await _client.PostAsJsonAsync("/api/v1/sources", new { url = "https://example.com/" + new string('a', 2100) }, Token);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("2,048", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_ids_answer_404_problem_on_every_route()
    {
        var id = Guid.NewGuid();
        var requests = new Func<Task<HttpResponseMessage>>[]
        {
            () => _client.GetAsync($"/api/v1/sources/{id}", Token),
            () => _client.PutAsJsonAsync($"/api/v1/sources/{id}", new { url = FeedUrl() }, Token),
            () => _client.DeleteAsync($"/api/v1/sources/{id}", Token),
            () => _client.PostAsync($"/api/v1/sources/{id}/pause", null, Token),
            () => _client.PostAsync($"/api/v1/sources/{id}/resume", null, Token),
            () => _client.PostAsync($"/api/v1/sources/{id}/poll", null, Token),
            () => _client.GetAsync($"/api/v1/sources/{id}/items", Token),
        };
        foreach (var request in requests)
        {
            var response = await request();
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            Assert.Contains(id.ToString(), await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Put_changes_settings_and_refuses_another_sources_url()
    {
        var id = await CreateAsync(new { url = FeedUrl() });
        var otherUrl = FeedUrl();
        var other = await CreateAsync(new { url = otherUrl });

        var put = await _client.PutAsJsonAsync($"/api/v1/sources/{id}", new { url = FeedUrl(), name = "Renamed", intervalSeconds = 3600, fetchPages = "never" }, Token);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var source = await GetAsync(id);
        Assert.Equal(("Renamed", 3600, "never"), (source.GetProperty("name").GetString(), source.GetProperty("intervalSeconds").GetInt32(), source.GetProperty("fetchPages").GetString()));

        var clash = await _client.PutAsJsonAsync($"/api/v1/sources/{id}", new { url = otherUrl }, Token);
        Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
        Assert.Equal(other, (await clash.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("existingId").GetGuid());

        var invalid = await _client.PutAsJsonAsync($"/api/v1/sources/{id}", new { url = FeedUrl(), intervalSeconds = 1 }, Token);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task Pause_resume_poll_and_delete()
    {
        var url = FeedUrl();
        var id = await CreateAsync(new { url });

        var paused = await _client.PostAsync($"/api/v1/sources/{id}/pause", null, Token);
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Equal("paused", (await GetAsync(id)).GetProperty("status").GetString());
        // A paused source is not polled on request.
        Assert.Equal(HttpStatusCode.Conflict, (await _client.PostAsync($"/api/v1/sources/{id}/poll", null, Token)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync($"/api/v1/sources/{id}/resume", null, Token)).StatusCode);
        Assert.Equal("active", (await GetAsync(id)).GetProperty("status").GetString());

        var poll = await _client.PostAsync($"/api/v1/sources/{id}/poll", null, Token);
        Assert.Equal(HttpStatusCode.Accepted, poll.StatusCode);
        Assert.True((await GetAsync(id)).GetProperty("nextPollAt").GetDateTimeOffset() <= DateTimeOffset.UtcNow);

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/api/v1/sources/{id}", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/v1/sources/{id}", Token)).StatusCode);
        var list = await _client.GetFromJsonAsync<JsonElement>("/api/v1/sources", Token);
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), item => item.GetProperty("id").GetGuid() == id);

        // Removed, the same feed may be added again, under the same id.
        Assert.Equal(id, await CreateAsync(new { url }));
        Assert.Equal("active", (await GetAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Items_of_a_new_source_are_an_empty_list_and_limit_is_checked()
    {
        var id = await CreateAsync(new { url = FeedUrl() });
        var items = await _client.GetFromJsonAsync<JsonElement>($"/api/v1/sources/{id}/items", Token);
        Assert.Empty(items.GetProperty("items").EnumerateArray());
        foreach (var limit in new[] { "0", "501", "-1" })
        {
            var response = await _client.GetAsync($"/api/v1/sources/{id}/items?limit={limit}", Token);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("limit", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/api/v1/sources/{id}/items?limit=500", Token)).StatusCode);
    }

    [Fact]
    public async Task Only_operators_may_use_the_api()
    {
        foreach (var role in new[] { "integrator", "subscriber" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/sources");
            request.Headers.Add("X-NewsMonitor-Role", role);
            request.Headers.Add("X-NewsMonitor-Tenant", role == "subscriber" ? "acme" : "default");
            var response = await _client.SendAsync(request, Token);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
        var bare = await fixture.Service.CreateBareClient().GetAsync("/api/v1/sources", Token);
        Assert.Equal(HttpStatusCode.Unauthorized, bare.StatusCode);
    }

    [Fact]
    public async Task Opml_import_answers_per_outline_created_exists_or_invalid()
    {
        var host = $"opml-{Guid.NewGuid():N}.example";
        var existing = await CreateAsync(new { url = $"https://{host}/existing.xml" });
        var opml = $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <opml version="2.0"><head><title>مصادري</title></head><body>
              <outline text="عربي">
                <outline type="rss" text="وكالة الأنباء" xmlUrl="https://{host}/rss.xml" language="ar"/>
                <outline type="rss" text="بلا رابط"/>
              </outline>
              <outline type="rss" text="Existing" xmlUrl="https://{host}/existing.xml"/>
              <outline type="rss" text="FTP" xmlUrl="ftp://{host}/feed.xml"/>
              <outline type="atom" text="Same feed again" xmlUrl="HTTPS://{host}/rss.xml"/>
            </body></opml>
            """;
        var response = await _client.PostAsync("/api/v1/sources/opml", new StringContent(opml, Encoding.UTF8, "text/x-opml"), Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
        var items = answer.GetProperty("items").EnumerateArray().ToList();
        var byTitle = items.ToDictionary(item => item.GetProperty("title").GetString()!, item => item);
        var created = byTitle["وكالة الأنباء"];
        Assert.Equal("created", created.GetProperty("status").GetString());
        var createdId = created.GetProperty("id").GetGuid();
        var source = await GetAsync(createdId);
        Assert.Equal(("وكالة الأنباء", "ar"), (source.GetProperty("name").GetString(), source.GetProperty("language").GetString()));
        Assert.Equal("invalid", byTitle["بلا رابط"].GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(byTitle["بلا رابط"].GetProperty("reason").GetString()));
        Assert.Equal(("exists", existing), (byTitle["Existing"].GetProperty("status").GetString(), byTitle["Existing"].GetProperty("id").GetGuid()));
        Assert.Equal("invalid", byTitle["FTP"].GetProperty("status").GetString());
        Assert.Equal(("exists", createdId), (byTitle["Same feed again"].GetProperty("status").GetString(), byTitle["Same feed again"].GetProperty("id").GetGuid()));
        Assert.Equal((1, 2, 2), (answer.GetProperty("created").GetInt32(), answer.GetProperty("exists").GetInt32(), answer.GetProperty("invalid").GetInt32()));
    }

    [Theory]
    [InlineData("<!DOCTYPE opml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><opml><body><outline xmlUrl=\"https://a.example/&x;\"/></body></opml>", "application/xml", 400)]
    [InlineData("<html><body>not opml</body></html>", "text/xml", 400)]
    [InlineData("", "text/xml", 400)]
    [InlineData("<opml version=\"2.0\"><body/></opml>", "application/json", 415)]
    public async Task Opml_that_is_not_opml_is_refused_and_stores_nothing(string body, string contentType, int status)
    {
        var before = await fixture.StoredEventsAsync();
        var response = await _client.PostAsync("/api/v1/sources/opml", new StringContent(body, Encoding.UTF8, contentType), Token);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(before, await fixture.StoredEventsAsync());
    }
}
