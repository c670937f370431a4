using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Sources.Sources;
using NewsMonitor.Testing;

namespace NewsMonitor.Sources.Tests;

/// <summary>
/// Two OPML imports that share a feed, at once: the one that loses the race on the shared feed must still store its other
/// feeds. The race is made certain by holding the store's commit-order lock until both imports wait for it, with the
/// shared feed read as missing by both.
/// </summary>
public sealed class SourceImportRaceTests(SourcesApiFixture fixture) : IClassFixture<SourcesApiFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string Opml(params string[] urls) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><opml version=\"2.0\"><head><title>race</title></head><body>"
        + string.Concat(urls.Select((url, i) => $"<outline type=\"rss\" text=\"feed {i}\" xmlUrl=\"{url}\"/>"))
        + "</body></opml>";

    [Fact]
    public async Task An_import_that_loses_the_race_on_a_shared_feed_still_stores_its_other_feeds()
    {
        var host = $"race-{Guid.NewGuid():N}.example";
        var (shared, onlyFirst, onlySecond) = ($"https://{host}/shared.xml", $"https://{host}/first.xml", $"https://{host}/second.xml");

        // An open write of another request, holding the lock every save with events takes (CommitOrder).
        await using var held = await HeldAdvisoryLock.TakeAsync(CommitOrder.LockClass, fixture.Schema, Token);

        var first = fixture.Client.PostAsync("/api/v1/sources/opml", new StringContent(Opml(shared, onlyFirst), Encoding.UTF8, "text/x-opml"), Token);
        var second = fixture.Client.PostAsync("/api/v1/sources/opml", new StringContent(Opml(shared, onlySecond), Encoding.UTF8, "text/x-opml"), Token);
        // Both have read the shared feed as missing and wait to store it.
        await held.WaitForWaitersAsync(2, "both imports to wait for the commit-order lock");
        await held.ReleaseAsync(Token);

        var answers = new List<JsonElement>();
        foreach (var response in await Task.WhenAll(first, second))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(await response.Content.ReadFromJsonAsync<JsonElement>(Token));
        }

        // The shared feed: created by one import, found by the other. Each import's own feed: created, whichever lost.
        var statuses = answers.Select(answer => answer.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("status").GetString()).ToList()).ToList();
        Assert.Equal(["created", "exists"], statuses.Select(items => items[0]).Order());
        Assert.All(statuses, items => Assert.Equal("created", items[1]));

        var store = fixture.Service.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        foreach (var url in new[] { shared, onlyFirst, onlySecond })
            Assert.NotNull(await session.LoadAsync<Source>(SourceRules.IdOf(SourceRules.Canonical(url)!), Token));
    }
}
