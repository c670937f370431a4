using NewsMonitor.ServiceDefaults;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Classification.Timelines;
using NewsMonitor.Contracts;
using Microsoft.Extensions.DependencyInjection;
using NewsMonitor.Testing;

namespace NewsMonitor.Classification.Tests;

public class TopicBucketTests
{
    [Fact]
    public void Buckets_start_at_the_utc_hour_or_day()
    {
        var at = new DateTimeOffset(2026, 11, 24, 13, 45, 10, TimeSpan.FromHours(2));
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 11, 0, 0, TimeSpan.Zero), TopicBucket.StartOf(at, "hour"));
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero), TopicBucket.StartOf(at, "day"));
        Assert.Equal("politics|hour|2026112411", TopicBucket.IdOf("politics", "hour", at));
        Assert.Equal("*|day|2026112400", TopicBucket.IdOf(TopicBucket.All, "day", at));
    }
}

/// <summary>Timelines from the async projection, on real PostgreSQL and RabbitMQ.</summary>
public sealed class TimelineTests(ClassificationFixture fixture) : IClassFixture<ClassificationFixture>
{
    [Fact]
    public async Task A_classified_article_counts_in_its_labels_hour_and_day_with_share_and_model()
    {
        var id = Guid.NewGuid();
        var sample = SampleArticles.Get("nato-london-summit-2019");
        // The article counts in the hour it was received. The window ends there, not at the wall clock's hour, which
        // may have turned since.
        var receivedAt = DateTimeOffset.UtcNow;
        var to = Uri.EscapeDataString(receivedAt.ToString("O"));
        await fixture.Probe.PublishAsync(new ArticleReceived(id, sample.Title, sample.Body, null, "ar", "test", null, receivedAt, receivedAt));
        var classified = await fixture.Probe.WaitForAsync<ArticleClassified>(m => m.ArticleId == id, "ArticleClassified");
        var label = classified.Topics[0].Label;

        foreach (var bucket in new[] { "hour", "day" })
        {
            var timeline = await Eventually.GetAsync(async () =>
            {
                var view = await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/topics/{label}/timeline?bucket={bucket}&to={to}", TestContext.Current.CancellationToken);
                var last = view.GetProperty("items").EnumerateArray().Last();
                return last.GetProperty("articles").GetInt32() >= 1 ? (object)view : null;
            }, $"{bucket} timeline of {label}");
            var items = ((JsonElement)timeline).GetProperty("items").EnumerateArray().ToList();
            Assert.Equal(bucket == "hour" ? 48 : 30, items.Count);
            var now = items[^1];
            Assert.Equal(TopicBucket.StartOf(receivedAt, bucket), now.GetProperty("start").GetDateTimeOffset());
            Assert.True(now.GetProperty("total").GetInt32() >= now.GetProperty("articles").GetInt32());
            Assert.InRange(now.GetProperty("share").GetDouble(), 0.0001, 1);
            Assert.True(now.GetProperty("models").GetProperty(classified.ModelVersion).GetInt32() >= 1);
            Assert.Equal(0, items[0].GetProperty("articles").GetInt32());
        }
    }

    [Fact]
    public async Task A_replay_meeting_an_older_models_classification_reclassifies_and_the_timeline_moves_the_article()
    {
        // History: the article was classified by the lexicon alone, as "sports", an hour-and-a-bit ago.
        var id = Guid.NewGuid();
        var receivedAt = DateTimeOffset.UtcNow.AddMinutes(-70);
        var store = fixture.Service.Services.GetRequiredService<Marten.IDocumentStore>();
        await using (var session = store.LightweightSession())
        {
            session.Events.StartStream<NewsMonitor.Classification.Topics.ArticleTopics>(id, new NewsMonitor.Classification.Topics.ArticleTopicsAssigned(
                id, [new TopicScore("sports", 0.6)], "lexicon-1", receivedAt, null, receivedAt));
            await session.SaveChangesInCommitOrderAsync(TestContext.Current.CancellationToken);
        }
        var sample = SampleArticles.Get("nato-washington-summit-2024");
        await fixture.Probe.PublishAsync(new ArticleReceived(id, sample.Title, sample.Body, null, "ar", "test", null, receivedAt, receivedAt));

        var classified = await fixture.Probe.WaitForAsync<ArticleClassified>(m => m.ArticleId == id && m.ModelVersion != "lexicon-1", "re-classification");
        Assert.Equal(NewsMonitor.Classification.Topics.TopicClassifier.BuiltIn.Version, classified.ModelVersion);
        Assert.DoesNotContain(classified.Topics, topic => topic.Label == "sports");

        // The hour the article was received: sports lost it, its new label has it under the new model.
        var hour = Uri.EscapeDataString(receivedAt.ToString("O"));
        var label = classified.Topics[0].Label;
        await Eventually.TrueAsync(async () =>
        {
            var mine = await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/topics/{label}/timeline?bucket=hour&from={hour}&to={hour}", TestContext.Current.CancellationToken);
            var point = mine.GetProperty("items")[0];
            return point.GetProperty("models").TryGetProperty(NewsMonitor.Classification.Topics.TopicClassifier.BuiltIn.Version, out var count) && count.GetInt32() >= 1;
        }, "new label counted in the receipt hour");
        var sports = await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/topics/sports/timeline?bucket=hour&from={hour}&to={hour}", TestContext.Current.CancellationToken);
        Assert.False(sports.GetProperty("items")[0].GetProperty("models").TryGetProperty("lexicon-1", out _));

        // A second replay with the same model does nothing: once it is consumed, the stream holds the two classifications
        // it held, and everything stored has been relayed.
        using var consumed = ConsumeProbe.Start(fixture.Service.Services);
        await fixture.Probe.PublishAsync(new ArticleReceived(id, sample.Title, sample.Body, null, "ar", "test", null, receivedAt, receivedAt));
        await consumed.WaitForAsync<ArticleReceived>(m => m.ArticleId == id, "the second replay consumed");
        Assert.Equal(2, await EventStoreProbe.CountAsync(fixture.Schema, id, "article_topics_assigned"));
        await fixture.SettledAsync();
        Assert.Single(fixture.Probe.Received<ArticleClassified>(), m => m.ArticleId == id && m.ModelVersion == NewsMonitor.Classification.Topics.TopicClassifier.BuiltIn.Version);
    }

    [Theory]
    [InlineData("/api/v1/topics/politics/timeline?bucket=week", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/topics/politics/timeline?bucket=hour&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/topics/politics/timeline?bucket=hour&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/topics/no-such-topic/timeline", HttpStatusCode.NotFound)]
    public async Task Bad_requests_are_problems(string path, HttpStatusCode status)
    {
        var response = await fixture.Client.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }
}
