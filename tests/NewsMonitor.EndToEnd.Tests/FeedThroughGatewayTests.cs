using System.Net;
using System.Net.Http.Json;
using System.ServiceModel.Syndication;
using System.Text.Json;
using System.Xml;
using NewsMonitor.Testing;

namespace NewsMonitor.EndToEnd.Tests;

/// <summary>
/// A subscriber's Atom feed read through the gateway without any key, as a feed reader does: its entries, a conditional
/// GET, and rotation retiring the old address; the owner's feed endpoints still need the owner's key.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class FeedThroughGatewayTests(RunningSystem system)
{
    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? key, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (key is not null) request.Headers.Add("X-Api-Key", key);
        return await client.SendAsync(request, Cancel);
    }

    [Fact]
    public async Task A_feed_reader_without_a_key_reads_the_feed_and_a_rotation_retires_the_old_address()
    {
        var subscriber = await system.IssueKeyAsync("subscriber", "feeds", "feed reader test");
        var marker = "بودابست" + Guid.NewGuid().ToString("N")[..6];
        var created = await SendAsync(system.Anonymous, HttpMethod.Post, "/api/v1/subscriptions", subscriber, new { name = "feed e2e", rule = marker });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();
        var view = await (await SendAsync(system.Anonymous, HttpMethod.Get, $"/api/v1/subscriptions/{id}", subscriber)).Content.ReadFromJsonAsync<JsonElement>(Cancel);
        var url = view.GetProperty("feed").GetProperty("url").GetString()!;
        Assert.StartsWith($"{system.GatewayAddress.AbsoluteUri}feeds/", url, StringComparison.Ordinal);

        var posted = await system.Gateway.PostAsJsonAsync("/api/v1/articles", new
        {
            Title = $"وزراء في {marker}",
            Body = $"اجتمع وزراء خارجية الحلف في {marker} لبحث الدفاع المشترك والإنفاق العسكري.",
            Language = "ar",
            Source = "feed-e2e",
            Url = $"https://news.example.org/feed-e2e/{Guid.NewGuid():N}",
        }, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        SyndicationFeed? feed = null;
        HttpResponseMessage? read = null;
        await Eventually.TrueAsync(async () =>
        {
            read = await system.Anonymous.GetAsync(url, Cancel);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            using var reader = XmlReader.Create(await read.Content.ReadAsStreamAsync(Cancel));
            feed = SyndicationFeed.Load(reader);
            return feed.Items.Any();
        }, "the alert in the feed");
        Assert.Equal("application/atom+xml", read!.Content.Headers.ContentType?.MediaType);
        Assert.Contains("private", read.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var entry = Assert.Single(feed!.Items);
        Assert.Equal($"وزراء في {marker}", entry.Title.Text);
        Assert.StartsWith("https://news.example.org/feed-e2e/", Assert.Single(entry.Links).Uri.AbsoluteUri, StringComparison.Ordinal);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.IfNoneMatch.Add(read.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await system.Anonymous.SendAsync(conditional, Cancel)).StatusCode);

        // Rotating needs the owner's key; the feed never does.
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(system.Anonymous, HttpMethod.Post, $"/api/v1/subscriptions/{id}/feed/rotate", null)).StatusCode);
        var rotated = await SendAsync(system.Anonymous, HttpMethod.Post, $"/api/v1/subscriptions/{id}/feed/rotate", subscriber);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var fresh = (await rotated.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("url").GetString()!;
        var old = await system.Anonymous.GetAsync(url, Cancel);
        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
        Assert.Equal("application/problem+json", old.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await system.Anonymous.GetAsync(fresh, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(system.Anonymous, HttpMethod.Delete, $"/api/v1/subscriptions/{id}/feed", subscriber)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await system.Anonymous.GetAsync(fresh, Cancel)).StatusCode);
    }
}
