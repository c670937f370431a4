using System.Net.Http.Json;
using System.Text.Json;

namespace NewsMonitor.Testing;

/// <summary>What MassTransit parked in a virtual host's <c>_error</c> queues, read through the management API, for failure messages.</summary>
public static class ParkedMessages
{
    /// <summary>
    /// The fault MassTransit stored on the first message of every non-empty <c>_error</c> queue of <paramref name="virtualHost"/>
    /// (consumer, exception type, message and the start of the stack trace), read and put back, not taken.
    /// </summary>
    public static async Task<string> ReasonsAsync(string virtualHost, CancellationToken cancellationToken = default)
    {
        using var client = TestInfrastructure.RabbitManagementClient(TestInfrastructure.RabbitUserOf(virtualHost));
        var vhost = Uri.EscapeDataString(virtualHost);
        var queues = await client.GetFromJsonAsync<JsonElement>($"/api/queues/{vhost}?columns=name,messages", cancellationToken);
        var reasons = new List<string>();
        foreach (var queue in queues.EnumerateArray().Where(queue => queue.GetProperty("name").GetString()!.EndsWith("_error", StringComparison.Ordinal)
                     && queue.TryGetProperty("messages", out var count) && count.GetInt64() > 0))
        {
            var name = queue.GetProperty("name").GetString()!;
            using var response = await client.PostAsJsonAsync($"/api/queues/{vhost}/{Uri.EscapeDataString(name)}/get",
                new { count = 1, ackmode = "ack_requeue_true", encoding = "auto", truncate = 4000 }, cancellationToken);
            var messages = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            foreach (var message in messages.EnumerateArray())
            {
                var headers = message.GetProperty("properties").TryGetProperty("headers", out var found) ? found : default;
                string Header(string key) => headers.ValueKind == JsonValueKind.Object && headers.TryGetProperty(key, out var value) ? value.ToString() : "?";
                var trace = Header("MT-Fault-StackTrace");
                reasons.Add($"{name}: {Header("MT-Fault-ConsumerType")}: {Header("MT-Fault-ExceptionType")}: {Header("MT-Fault-Message")} at {trace[..Math.Min(trace.Length, 1500)]}");
            }
        }
        return reasons.Count == 0 ? "none readable" : string.Join(" | ", reasons);
    }

    /// <summary>How many messages wait in <paramref name="queue"/> of <paramref name="virtualHost"/> (the management API's count, which lags a few seconds); 0 while it does not exist.</summary>
    public static async Task<long> CountAsync(string virtualHost, string queue, CancellationToken cancellationToken = default)
    {
        using var client = TestInfrastructure.RabbitManagementClient(TestInfrastructure.RabbitUserOf(virtualHost));
        using var response = await client.GetAsync($"/api/queues/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(queue)}", cancellationToken);
        // MassTransit declares an error queue when it first parks a message there.
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return 0;
        response.EnsureSuccessStatusCode();
        var found = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return found.TryGetProperty("messages", out var count) && count.ValueKind == JsonValueKind.Number ? count.GetInt64() : 0;
    }
}
