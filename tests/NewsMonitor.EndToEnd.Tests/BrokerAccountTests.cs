using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Testing;

namespace NewsMonitor.EndToEnd.Tests;

/// <summary>
/// The running system on a RabbitMQ account limited to its virtual host (tag <c>management</c>, no administrator), as
/// deploy/local/up runs it: the services start and the operations page still reads queue depths.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class BrokerAccountTests(RunningSystem system)
{
    [Fact]
    public async Task The_operations_page_reads_queue_depths_with_the_vhost_limited_service_account()
    {
        var status = await system.Gateway.GetFromJsonAsync<JsonElement>("/api/v1/ops/status", TestContext.Current.CancellationToken);

        Assert.Equal(JsonValueKind.Null, status.GetProperty("queuesError").ValueKind);
        var queues = status.GetProperty("queues").EnumerateArray().Select(queue => queue.GetProperty("name").GetString()).ToList();
        Assert.Contains(queues, name => name!.StartsWith("alerting-", StringComparison.Ordinal));
    }
}
