using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NewsMonitor.Sources.Sources;

namespace NewsMonitor.Sources.Tests;

/// <summary>Attacks on the operator API (issue 14's attack review): races, odd input, odd ids.</summary>
public sealed class AttackApiTests(SourcesApiFixture fixture) : IClassFixture<SourcesApiFixture>
{
    private readonly HttpClient _client = fixture.Client;
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string FeedUrl() => $"https://news-{Guid.NewGuid():N}.example/feed.xml";

    private Task<HttpResponseMessage> PostAsync(object body) => _client.PostAsJsonAsync("/api/v1/sources", body, Token);

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Many_posts_of_one_url_at_once_create_it_once()
    {
        var url = FeedUrl();
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostAsync(new { url })));
        var statuses = string.Join(", ", answers.Select(a => (int)a.StatusCode));
        var odd = answers.FirstOrDefault(a => a.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.Conflict));
        Assert.True(odd is null, statuses + " " + (odd is null ? "" : await odd.Content.ReadAsStringAsync(Token)));
        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
    }

    [Fact]
    public async Task Many_posts_re_adding_a_removed_url_at_once_add_it_once()
    {
        var url = FeedUrl();
        var id = (await (await PostAsync(new { url })).Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/api/v1/sources/{id}", Token)).StatusCode);
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostAsync(new { url })));
        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(7, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
    }

    [Theory]
    [InlineData("HTTPS://{0}/feed.xml")]
    [InlineData("https://{0}:443/feed.xml")]
    [InlineData("https://{0}/feed.xml#top")]
    [InlineData("  https://{0}/feed.xml  ")]
    public async Task Spellings_of_the_same_url_are_the_same_source(string spelling)
    {
        var host = $"news-{Guid.NewGuid():N}.example";
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(new { url = $"https://{host}/feed.xml" })).StatusCode);
        var again = await PostAsync(new { url = string.Format(System.Globalization.CultureInfo.InvariantCulture, spelling, host) });
        await AssertProblemAsync(again, HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("{\"url\":")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"url\":\"https://x.example/f\",\"intervalSeconds\":2147483648}")]
    [InlineData("{\"url\":\"https://x.example/f\",\"intervalSeconds\":1e3}")]
    [InlineData("{\"url\":123}")]
    [InlineData("null")]
    public async Task Bad_json_is_a_400_problem(string json)
    {
        var response = await _client.PostAsync("/api/v1/sources", new StringContent(json, Encoding.UTF8, "application/json"), Token);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_wrong_content_type_is_a_415_problem()
    {
        var response = await _client.PostAsync("/api/v1/sources", new StringContent($"{{\"url\":\"{FeedUrl()}\"}}", Encoding.UTF8, "text/plain"), Token);
        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData(59, HttpStatusCode.BadRequest)]
    [InlineData(60, HttpStatusCode.Created)]
    [InlineData(SourceRules.MaxIntervalSeconds, HttpStatusCode.Created)]
    [InlineData(SourceRules.MaxIntervalSeconds + 1, HttpStatusCode.BadRequest)]
    [InlineData(int.MaxValue, HttpStatusCode.BadRequest)]
    [InlineData(int.MinValue, HttpStatusCode.BadRequest)]
    [InlineData(0, HttpStatusCode.BadRequest)]
    public async Task Intervals_at_the_edges(int seconds, HttpStatusCode status) =>
        Assert.Equal(status, (await PostAsync(new { url = FeedUrl(), intervalSeconds = seconds })).StatusCode);

    [Theory]
    [InlineData("http://user:pass@{0}/feed.xml")]
    [InlineData("http://user@{0}/feed.xml")]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://{0}/feed.xml")]
    [InlineData("//{0}/feed.xml")]
    [InlineData("https://{0}/feed\u0000.xml")]
    [InlineData("https://{0}/fe\u202Eed.xml")]
    [InlineData("https:///feed.xml")]
    public async Task Urls_that_are_not_plain_http_feeds_are_refused(string url)
    {
        var response = await PostAsync(new { url = string.Format(System.Globalization.CultureInfo.InvariantCulture, url, $"news-{Guid.NewGuid():N}.example") });
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Ids_in_odd_forms()
    {
        var id = (await (await PostAsync(new { url = FeedUrl() })).Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/api/v1/sources/{id.ToString().ToUpperInvariant()}", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/v1/sources/{id}%2Fitems", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/v1/sources/..%2F..%2Fhealth", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/v1/sources/not-a-guid", Token)).StatusCode);
        var badLimit = await _client.GetAsync($"/api/v1/sources/{id}/items?limit=abc", Token);
        await AssertProblemAsync(badLimit, HttpStatusCode.BadRequest);
        var hugeLimit = await _client.GetAsync($"/api/v1/sources/{id}/items?limit=99999999999", Token);
        await AssertProblemAsync(hugeLimit, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Put_of_a_removed_source_is_404_and_does_not_bring_it_back()
    {
        var url = FeedUrl();
        var id = (await (await PostAsync(new { url })).Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("id").GetGuid();
        await _client.DeleteAsync($"/api/v1/sources/{id}", Token);
        var put = await _client.PutAsJsonAsync($"/api/v1/sources/{id}", new { url = "http://169.254.169.254/latest/meta-data/" }, Token);
        await AssertProblemAsync(put, HttpStatusCode.NotFound);
        await AssertProblemAsync(await _client.PostAsync($"/api/v1/sources/{id}/poll", null, Token), HttpStatusCode.NotFound);
        await AssertProblemAsync(await _client.PostAsync($"/api/v1/sources/{id}/resume", null, Token), HttpStatusCode.NotFound);
        var list = await _client.GetFromJsonAsync<JsonElement>("/api/v1/sources", Token);
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), s => s.GetProperty("id").GetGuid() == id);
    }
}
