using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Contracts;
using NewsMonitor.Testing;

namespace NewsMonitor.Entities.Tests;

public sealed class EntitiesFixture() : ServiceFixture<Program>("entities")
{
    protected override Type[] ProbedMessages => [typeof(EntitiesExtracted)];
}

/// <summary>Given ArticleReceived on RabbitMQ, the service stores entities once and publishes EntitiesExtracted once.</summary>
public sealed class EntitiesServiceTests(EntitiesFixture fixture) : IClassFixture<EntitiesFixture>
{
    private static ArticleReceived Received(Guid id, string body) =>
        new(id, "عنوان", body, null, "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_received_article_gets_entities_with_offsets_and_they_are_published()
    {
        var id = Guid.NewGuid();
        var body = SampleArticles.Get("blinken-rutte-brussels").Body;
        await fixture.Probe.PublishAsync(Received(id, body));

        var extracted = await Eventually.GetAsync(() => Task.FromResult(fixture.Probe.Received<EntitiesExtracted>().FirstOrDefault(m => m.ArticleId == id)), "EntitiesExtracted");
        Assert.Contains(extracted.Entities, entity => entity.Id == "mark-rutte" && entity.Type == "PERSON");

        var view = await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{id}/entities", TestContext.Current.CancellationToken);
        var nato = view.GetProperty("entities").EnumerateArray().Single(entity => entity.GetProperty("id").GetString() == "nato");
        Assert.Equal("NATO", nato.GetProperty("name").GetString());
        foreach (var mention in nato.GetProperty("mentions").EnumerateArray())
        {
            Assert.Equal(mention.GetProperty("text").GetString(), body.Substring(mention.GetProperty("start").GetInt32(), mention.GetProperty("length").GetInt32()));
        }

        var articles = await fixture.Client.GetFromJsonAsync<JsonElement>("/api/v1/entities/mark-rutte/articles", TestContext.Current.CancellationToken);
        Assert.Contains(articles.GetProperty("articles").EnumerateArray(), a => a.GetProperty("articleId").GetGuid() == id);
    }

    [Fact]
    public async Task A_redelivered_article_is_extracted_once()
    {
        var id = Guid.NewGuid();
        var message = Received(id, "اجتمع قادة الناتو في لندن");
        await Task.WhenAll(fixture.Probe.PublishAsync(message), fixture.Probe.PublishAsync(message));

        await Eventually.TrueAsync(() => Task.FromResult(fixture.Probe.Received<EntitiesExtracted>().Any(m => m.ArticleId == id)), "EntitiesExtracted");
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        Assert.Single(fixture.Probe.Received<EntitiesExtracted>(), m => m.ArticleId == id);
    }

    [Fact]
    public async Task Entities_are_found_by_any_alias()
    {
        var found = await fixture.Client.GetFromJsonAsync<JsonElement>("/api/v1/entities?q=" + Uri.EscapeDataString("حلف شمال الأطلسى"), TestContext.Current.CancellationToken);
        Assert.Equal("nato", found.GetProperty("items")[0].GetProperty("id").GetString());
        var latin = await fixture.Client.GetFromJsonAsync<JsonElement>("/api/v1/entities?q=rutte&type=PERSON", TestContext.Current.CancellationToken);
        Assert.Equal("mark-rutte", latin.GetProperty("items")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Entities_of_an_unknown_article_answer_404_problem()
    {
        var response = await fixture.Client.GetAsync($"/api/v1/articles/{Guid.NewGuid()}/entities", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }
}
