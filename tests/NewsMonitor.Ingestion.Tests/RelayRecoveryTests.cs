using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Contracts;
using NewsMonitor.Testing;

namespace NewsMonitor.Ingestion.Tests;

/// <summary>Commit first, publish second: what was stored while the relay was not running is published when it runs.</summary>
public sealed class RelayRecoveryTests : IAsyncLifetime
{
    private readonly string _schema = TestInfrastructure.UniqueName("relay");
    private readonly string _vhost = TestInfrastructure.UniqueName("relay");
    private MessageProbe _probe = null!;

    public async ValueTask InitializeAsync()
    {
        await TestInfrastructure.CreateVirtualHostAsync(_vhost);
        _probe = await MessageProbe.StartAsync(_vhost, typeof(ArticleReceived));
    }

    public async ValueTask DisposeAsync()
    {
        await _probe.DisposeAsync();
        await TestInfrastructure.DropSchemasAsync(_schema);
        await TestInfrastructure.DeleteVirtualHostAsync(_vhost);
    }

    [Fact]
    public async Task Articles_stored_while_the_relay_was_down_are_published_exactly_once_after_restart()
    {
        Guid id;
        // Given a node whose relay does not run (as if it crashed right after the commit) ...
        await using (var withoutRelay = new ServiceFactory<Program>(_schema, _vhost, new Dictionary<string, string?> { ["NewsMonitor:DaemonMode"] = "Disabled" }))
        {
            var client = withoutRelay.CreateGatewayClient();
            var response = await client.PostAsJsonAsync("/api/v1/articles", new { title = "مقال", body = "الناتو يجتمع" }, TestContext.Current.CancellationToken);
            id = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
            Assert.Equal(1, await EventStoreProbe.CountAsync(_schema, id, "article_submitted")); // the 202 comes after the commit
        }
        // That node has stopped without its relay ever saving progress, and the probe has recorded everything that reached
        // its queue: nothing was published.
        Assert.Equal(-1, await EventStoreProbe.ProgressAsync(_schema, "article-relay"));
        await _probe.DrainAsync();
        Assert.Empty(_probe.Received<ArticleReceived>());

        // ... when a node with the relay starts on the same store, the stored article is published.
        await using var withRelay = new ServiceFactory<Program>(_schema, _vhost);
        _ = withRelay.Services;
        await _probe.WaitForAsync<ArticleReceived>(m => m.ArticleId == id, "ArticleReceived after restart");
        // The relay has gone past everything stored and the probe has recorded all it published: exactly once.
        await _probe.SettleAsync(_schema, "article-relay");
        Assert.Single(_probe.Received<ArticleReceived>());
    }
}
