using NewsMonitor.Contracts;
using NewsMonitor.Testing;

namespace NewsMonitor.Ingestion.Tests;

/// <summary>
/// The promise that tests' absence assertions rest on: once <see cref="MessageProbe.DrainAsync"/> returns, every message
/// that reached the probe's queue before it has been recorded.
/// </summary>
public sealed class MessageProbeTests : IAsyncLifetime
{
    private readonly string _vhost = TestInfrastructure.UniqueName("probe");
    private MessageProbe _probe = null!;

    public async ValueTask InitializeAsync()
    {
        await TestInfrastructure.CreateVirtualHostAsync(_vhost);
        _probe = await MessageProbe.StartAsync(_vhost, typeof(ArticleReceived));
    }

    public async ValueTask DisposeAsync()
    {
        await _probe.DisposeAsync();
        await TestInfrastructure.DeleteVirtualHostAsync(_vhost);
    }

    [Fact]
    public async Task Draining_records_everything_queued_before_the_marker()
    {
        var ids = Enumerable.Range(0, 50).Select(_ => Guid.NewGuid()).ToList();
        // Each publish is confirmed by the broker, so all fifty are in the queue before the marker is sent.
        await Task.WhenAll(ids.Select(id => _probe.PublishAsync(new ArticleReceived(id, "t", "b", null, "ar", null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow))));

        await _probe.DrainAsync();

        Assert.Equal(ids.Order(), _probe.Received<ArticleReceived>().Select(m => m.ArticleId).Order());
    }
}
