using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Contracts;
using NewsMonitor.Testing;

namespace NewsMonitor.EndToEnd.Tests;

/// <summary>The integrators' event feed through the gateway: an article posted by an integrator comes back as CloudEvents.</summary>
[Collection(SystemCollection.Name)]
public sealed class EventFeedTests(RunningSystem system)
{
    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_posted_article_appears_in_the_feed_with_the_ids_it_has_on_amqp()
    {
        // Listens on the run's virtual host as an integrator's consumer would, to see the AMQP message ids.
        await using var amqp = await MessageProbe.StartAsync(system.VirtualHost, typeof(ArticleReceived), typeof(ArticleClassified), typeof(EntitiesExtracted));
        var key = await system.IssueKeyAsync("integrator", "default", "event feed");
        using var integrator = new HttpClient { BaseAddress = system.GatewayAddress };
        integrator.DefaultRequestHeaders.Add("X-Api-Key", key);
        var start = (await integrator.GetFromJsonAsync<JsonElement>("/api/v1/events?limit=1000", Cancel)).GetProperty("next").GetString();

        var posted = await integrator.PostAsJsonAsync("/api/v1/articles", new
        {
            title = $"أوبك تبقي الإنتاج دون تغيير {Guid.NewGuid():N}",
            body = "قررت منظمة أوبك في فيينا إبقاء مستويات الإنتاج دون تغيير حتى نهاية العام، وقال وزير الطاقة السعودي إن السوق متوازنة.",
            language = "ar",
            source = "event-feed-e2e",
        }, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var article = (await posted.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();

        string[] wanted = ["org.newsmonitor.article.received", "org.newsmonitor.article.classified", "org.newsmonitor.article.entities-extracted"];
        var feed = await Eventually.GetAsync(async () =>
        {
            var page = await integrator.GetFromJsonAsync<JsonElement>($"/api/v1/events?after={start}&limit=1000", Cancel);
            var mine = page.GetProperty("items").EnumerateArray().Where(item => item.GetProperty("subject").GetString() == article.ToString()).ToList();
            return wanted.All(type => mine.Any(item => item.GetProperty("type").GetString() == type)) ? mine : null;
        }, "the article's three events in the feed", TimeSpan.FromSeconds(60));

        var received = await amqp.WaitForAsync<ArticleReceived>(message => message.ArticleId == article, "ArticleReceived on AMQP");
        var classified = await amqp.WaitForAsync<ArticleClassified>(message => message.ArticleId == article, "ArticleClassified on AMQP");
        var extracted = await amqp.WaitForAsync<EntitiesExtracted>(message => message.ArticleId == article, "EntitiesExtracted on AMQP");
        string IdOf(string type) => feed.Single(item => item.GetProperty("type").GetString() == type).GetProperty("id").GetString()!;
        Assert.Equal(amqp.MessageIdOf(received).ToString(), IdOf(wanted[0]));
        Assert.Equal(amqp.MessageIdOf(classified).ToString(), IdOf(wanted[1]));
        Assert.Equal(amqp.MessageIdOf(extracted).ToString(), IdOf(wanted[2]));
        Assert.All(feed, item => Assert.Equal("1.0", item.GetProperty("specversion").GetString()));

        // The same events on the stream, resumable from the position before them.
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events/stream?types=org.newsmonitor.article.received");
        request.Headers.Add("Last-Event-ID", start);
        using var response = await integrator.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancel);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var stream = new ServerSentEventReader(await response.Content.ReadAsStreamAsync(Cancel));
        var streamed = await stream.WaitForAsync(e => e.Event == "cloudevent" && e.Json.GetProperty("subject").GetString() == article.ToString(), TimeSpan.FromSeconds(30));
        Assert.Equal(IdOf(wanted[0]), streamed.Json.GetProperty("id").GetString());
        Assert.Equal(streamed.Id, streamed.Json.GetProperty("position").GetString());
    }
}
