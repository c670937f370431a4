using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NewsMonitor.Contracts;
using NewsMonitor.Testing;

namespace NewsMonitor.Ingestion.Tests;

/// <summary>The ingestion service on real PostgreSQL (own schema) and RabbitMQ (own virtual host).</summary>
public sealed class IngestionFixture() : ServiceFixture<Program>("ingest")
{
    protected override Type[] ProbedMessages => [typeof(ArticleReceived)];
}

/// <summary>Ingestion's HTTP intake and what it publishes.</summary>
public sealed class IngestionApiTests(IngestionFixture fixture) : IClassFixture<IngestionFixture>
{
    private readonly HttpClient _client = fixture.Client;
    private readonly MessageProbe _probe = fixture.Probe;

    private static object Article(string marker) => new { title = "قمة الناتو " + marker, body = "اجتمع قادة حلف شمال الأطلسي في لندن. " + marker, source = "test" };

    // Articles stored: earlier tests' articles may still gain processing events, so only submissions count.
    private Task<long> StoredEventsAsync() => fixture.StoredEventsAsync("article_submitted");

    [Fact]
    public async Task An_accepted_article_is_stored_and_published_once()
    {
        var response = await _client.PostAsJsonAsync("/api/v1/articles", Article("a"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var outcome = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("accepted", outcome.GetProperty("status").GetString());
        var id = outcome.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/articles/{id}", response.Headers.Location!.ToString());

        var received = await _probe.WaitForAsync<ArticleReceived>(m => m.ArticleId == id, "ArticleReceived");
        Assert.Equal("قمة الناتو a", received.Title);
        Assert.Equal("ar", received.Language);

        var article = await _client.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{id}", TestContext.Current.CancellationToken);
        Assert.Equal("قمة الناتو a", article.GetProperty("title").GetString());
        Assert.False(article.GetProperty("processing").GetProperty("classified").GetBoolean());
    }

    [Fact]
    public async Task A_resubmitted_article_is_a_duplicate_and_is_not_published_again()
    {
        var first = await (await _client.PostAsJsonAsync("/api/v1/articles", Article("dup"), TestContext.Current.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var id = first.GetProperty("id").GetGuid();
        await Eventually.TrueAsync(() => Task.FromResult(_probe.Received<ArticleReceived>().Any(m => m.ArticleId == id)), "first ArticleReceived");

        var again = await _client.PostAsJsonAsync("/api/v1/articles", Article("dup"), TestContext.Current.CancellationToken);
        var second = await again.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal("duplicate", second.GetProperty("status").GetString());
        Assert.Equal(id, second.GetProperty("id").GetGuid());
        // The duplicate stored nothing; everything stored has been relayed and recorded, and the article was published once.
        Assert.Equal(1, await EventStoreProbe.CountAsync(fixture.Schema, id, "article_submitted"));
        await _probe.SettleAsync(fixture.Schema, "article-relay");
        Assert.Single(_probe.Received<ArticleReceived>(), m => m.ArticleId == id);
    }

    [Theory]
    [InlineData("{\"title\": \"x\", \"body\": ")]
    [InlineData("{\"title\": \"x\" \"body\": \"y\"}")]
    [InlineData("[1, 2]")]
    [InlineData("null")]
    [InlineData("{\"title\": 5, \"body\": \"y\"}")]
    [InlineData("{\"title\": \"x\", \"body\": \"y\", \"publishedAt\": \"yesterday\"}")]
    public async Task Malformed_json_answers_400_problem_and_stores_nothing(string json)
    {
        var before = await StoredEventsAsync();
        var response = await _client.PostAsync("/api/v1/articles", new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        Assert.Equal(before, await StoredEventsAsync());
    }

    [Fact]
    public async Task Invalid_utf8_is_named_as_such()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"title\": \"x\", \"body\": \"").Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("\"}")).ToArray();
        var response = await _client.PostAsync("/api/v1/articles", new ByteArrayContent(bytes) { Headers = { { "Content-Type", "application/json" } } }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("UTF-8", (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Missing_fields_are_named_in_the_problem()
    {
        var response = await _client.PostAsJsonAsync("/api/v1/articles", new { title = "", url = "ftp://x" }, TestContext.Current.CancellationToken);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("title", out _));
        Assert.True(errors.TryGetProperty("body", out _));
        Assert.True(errors.TryGetProperty("url", out _));
    }

    [Fact]
    public async Task A_batch_answers_per_item_in_order_and_stores_only_the_valid_ones()
    {
        var batch = new object[] { Article("b1"), new { title = "no body" }, Article("b1"), Article("b2") };
        var response = await _client.PostAsJsonAsync("/api/v1/articles/batch", batch, TestContext.Current.CancellationToken);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["accepted", "invalid", "duplicate", "accepted"], result.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("status").GetString()));
        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        var ids = result.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("status").GetString() == "accepted").Select(i => i.GetProperty("id").GetGuid()).ToList();
        await Eventually.TrueAsync(() => Task.FromResult(ids.All(id => _probe.Received<ArticleReceived>().Any(m => m.ArticleId == id))), "batch ArticleReceived");
    }

    [Fact]
    public async Task An_ndjson_batch_reports_a_broken_line_and_stores_the_rest()
    {
        var ndjson = JsonSerializer.Serialize(Article("n1")) + "\n{\"title\": broken\n\n" + JsonSerializer.Serialize(Article("n2")) + "\n";
        var response = await _client.PostAsync("/api/v1/articles/batch", new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson"), TestContext.Current.CancellationToken);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal(["accepted", "invalid", "accepted"], result.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task A_batch_that_is_not_json_stores_nothing()
    {
        var before = await StoredEventsAsync();
        var response = await _client.PostAsync("/api/v1/articles/batch", new StringContent("[{\"title\":\"a\",", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, await StoredEventsAsync());
    }

    [Fact]
    public async Task Downstream_reports_mark_the_article_processed()
    {
        var id = (await (await _client.PostAsJsonAsync("/api/v1/articles", Article("p"), TestContext.Current.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();

        await _probe.PublishAsync(new ArticleClassified(id, [new TopicScore("defense", 0.9)], "test", DateTimeOffset.UtcNow));
        await _probe.PublishAsync(new ArticleClassified(id, [new TopicScore("defense", 0.9)], "test", DateTimeOffset.UtcNow));
        await _probe.PublishAsync(new ArticleAlertsEvaluated(id, 0, DateTimeOffset.UtcNow));

        var processing = await Eventually.GetAsync(async () =>
        {
            var article = await _client.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{id}");
            var p = article.GetProperty("processing");
            return p.GetProperty("classified").GetBoolean() && p.GetProperty("alertsEvaluated").GetBoolean() ? p.GetRawText() : null;
        }, "processing flags");
        Assert.Contains("\"entitiesExtracted\":false", processing);
        var steps = await TestInfrastructure.ScalarAsync<long>(
            $"select count(*) from \"{fixture.Schema}\".mt_events where type = 'article_processing_step_completed' and stream_id = '{id}'");
        Assert.Equal(2, steps); // the repeated ArticleClassified added nothing
    }

    [Fact]
    public async Task An_unknown_article_answers_404_problem()
    {
        var response = await _client.GetAsync($"/api/v1/articles/{Guid.NewGuid()}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }
}
