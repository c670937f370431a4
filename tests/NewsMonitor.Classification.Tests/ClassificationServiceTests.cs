using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Contracts;
using NewsMonitor.Testing;

namespace NewsMonitor.Classification.Tests;

public sealed class ClassificationFixture() : ServiceFixture<Program>("classify")
{
    protected override Type[] ProbedMessages => [typeof(ArticleClassified)];

    /// <summary>Waits until every event stored so far has been published by the relay and recorded by the probe.</summary>
    public Task SettledAsync() => Probe.SettleAsync(Schema, "classification-relay");
}

/// <summary>Given ArticleReceived on RabbitMQ, the service stores topics once and publishes ArticleClassified once.</summary>
public sealed class ClassificationServiceTests(ClassificationFixture fixture) : IClassFixture<ClassificationFixture>
{
    private static ArticleReceived Received(Guid id, SampleArticle sample) =>
        new(id, sample.Title, sample.Body, null, "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_received_article_gets_topics_and_they_are_published()
    {
        var id = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(id, SampleArticles.Get("nato-washington-summit-2024")));

        var classified = await Eventually.GetAsync(() => Task.FromResult(fixture.Probe.Received<ArticleClassified>().FirstOrDefault(m => m.ArticleId == id)), "ArticleClassified");
        Assert.Equal(NewsMonitor.Classification.Topics.TopicClassifier.BuiltIn.Version, classified.ModelVersion);
        Assert.Contains(classified.Topics, topic => topic.Label == "defense");
        // Every label's score travels too, best first; the assigned ones are those at or above 0.5.
        Assert.NotNull(classified.Scores);
        Assert.Equal(classified.Topics.Select(t => t.Label), classified.Scores!.Where(s => s.Score >= 0.5).Select(s => s.Label));

        var topics = await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{id}/topics", TestContext.Current.CancellationToken);
        Assert.Equal(classified.Topics.Select(t => t.Label), topics.GetProperty("topics").EnumerateArray().Select(t => t.GetProperty("label").GetString()));
        Assert.True(topics.GetProperty("complete").GetBoolean());

        var byTopic = await fixture.Client.GetFromJsonAsync<JsonElement>("/api/v1/topics/defense/articles", TestContext.Current.CancellationToken);
        Assert.Contains(byTopic.GetProperty("articles").EnumerateArray(), a => a.GetProperty("articleId").GetGuid() == id);
    }

    [Fact]
    public async Task A_redelivered_article_is_classified_once()
    {
        var id = Guid.NewGuid();
        var message = Received(id, SampleArticles.Get("nato-london-summit-2019"));
        using var consumed = ConsumeProbe.Start(fixture.Service.Services);
        await Task.WhenAll(fixture.Probe.PublishAsync(message), fixture.Probe.PublishAsync(message), fixture.Probe.PublishAsync(message));

        await fixture.Probe.WaitForAsync<ArticleClassified>(m => m.ArticleId == id, "ArticleClassified");
        // Every copy consumed, so all they stored is committed; then all that is stored has been relayed and recorded.
        await consumed.WaitForAsync<ArticleReceived>(m => m.ArticleId == id, "three copies consumed", count: 3);
        await fixture.SettledAsync();
        Assert.Single(fixture.Probe.Received<ArticleClassified>(), m => m.ArticleId == id);
        // The stream holds the noted text and one classification.
        Assert.Equal("article_text_noted,article_topics_assigned", await TestInfrastructure.ScalarAsync<string>(
            $"select string_agg(type, ',' order by version) from \"{fixture.Schema}\".mt_events where stream_id = '{id}'"));
    }

    [Fact]
    public async Task An_empty_article_is_unknown_not_a_failure()
    {
        var id = Guid.NewGuid();
        await fixture.Probe.PublishAsync(new ArticleReceived(id, "", "", null, "und", null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
        var classified = await Eventually.GetAsync(() => Task.FromResult(fixture.Probe.Received<ArticleClassified>().FirstOrDefault(m => m.ArticleId == id)), "ArticleClassified");
        Assert.Equal("unknown", classified.Topics[0].Label);
    }

    [Fact]
    public async Task Topics_of_an_unknown_article_answer_404_problem()
    {
        var response = await fixture.Client.GetAsync($"/api/v1/articles/{Guid.NewGuid()}/topics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task The_taxonomy_is_served()
    {
        var taxonomy = await fixture.Client.GetFromJsonAsync<JsonElement>("/api/v1/topics", TestContext.Current.CancellationToken);
        Assert.Contains(taxonomy.GetProperty("topics").EnumerateArray(), t => t.GetProperty("label").GetString() == "human-rights");
    }
}
