using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NewsMonitor.Gateway.Routing;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Gateway.Health;

/// <summary>A queue of the RabbitMQ virtual host: messages waiting, delivered but not acknowledged, consumers.</summary>
public sealed record QueueDepth(string Name, long Ready, long Unacknowledged, int Consumers, bool Error);

/// <summary>One service's projections and subscriptions, or why they could not be read.</summary>
public sealed record ServiceProjections(string Name, long? Head, IReadOnlyList<ProjectionPosition>? Projections, string? Error);

/// <summary>
/// Answer of <c>GET /api/v1/ops/status</c>. <c>ErrorMessages</c> is the total of every error queue; <c>ErrorQueues</c>
/// the same per queue, with the work queue a replay (<c>POST /api/v1/ops/errors/{queue}/replay</c>) returns them to.
/// </summary>
public sealed record OpsStatusView(IReadOnlyList<QueueDepth>? Queues, string? QueuesError, long? ErrorMessages, IReadOnlyList<ServiceProjections> Services,
    IReadOnlyList<ErrorQueueCount>? ErrorQueues = null);

/// <summary>
/// <c>GET /api/v1/ops/status</c> (operators): queue depths and error-queue counts from the RabbitMQ management API
/// (loopback, <c>RabbitMq:ManagementPort</c>), and every service's projection lag from its <c>/internal/projections</c>.
/// </summary>
public static class OpsStatus
{
    /// <summary>Maps the endpoint.</summary>
    public static WebApplication MapOpsStatus(this WebApplication app)
    {
        app.MapGet("/api/v1/ops/status", async (IHttpClientFactory clients, IConfiguration configuration, InternalCredential credential, HttpContext http, CancellationToken cancellationToken) =>
        {
            var client = clients.CreateClient(nameof(AggregateHealth));
            var queues = QueuesAsync(client, configuration.GetSection("RabbitMq"), cancellationToken);
            var services = await Task.WhenAll(ServiceRoutes.Services.Select(service => ProjectionsAsync(client, service, configuration[$"Services:{service}"]!, credential, Caller.From(http), cancellationToken)));
            var (depths, error) = await queues;
            return TypedResults.Ok(new OpsStatusView(depths, error, depths?.Where(queue => queue.Error).Sum(queue => queue.Ready), services,
                depths is null ? null : ErrorQueues.Counts(depths)));
        }).RequireAuthorization(Access.Operators);
        return app;
    }

    private static async Task<(IReadOnlyList<QueueDepth>?, string?)> QueuesAsync(HttpClient client, IConfigurationSection rabbit, CancellationToken cancellationToken)
    {
        if (rabbit["Username"] is not { Length: > 0 } username || rabbit["Password"] is not { Length: > 0 } password)
            return (null, "RabbitMQ credentials (RabbitMq:Username, RabbitMq:Password) are not configured");
        var port = rabbit["ManagementPort"] ?? "15672";
        var vhost = Uri.EscapeDataString(rabbit["VirtualHost"] ?? "/");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{rabbit["Host"] ?? "127.0.0.1"}:{port}/api/queues/{vhost}?columns=name,messages_ready,messages_unacknowledged,consumers");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode) return (null, $"RabbitMQ management API answered {(int)response.StatusCode}");
            var queues = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            return (queues.EnumerateArray().Select(queue =>
            {
                var name = queue.GetProperty("name").GetString()!;
                return new QueueDepth(name, Number(queue, "messages_ready"), Number(queue, "messages_unacknowledged"), (int)Number(queue, "consumers"),
                    name.EndsWith("_error", StringComparison.Ordinal));
            }).OrderBy(queue => queue.Name, StringComparer.Ordinal).ToList(), null);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException)
        {
            return (null, $"RabbitMQ management API unreachable: {exception.Message}");
        }
    }

    private static long Number(JsonElement queue, string name) => queue.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    internal static async Task<ServiceProjections> ProjectionsAsync(HttpClient client, string service, string address, InternalCredential credential, Caller caller, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(address), "/internal/projections"));
        GatewayCredential.Authorize(request, credential.Key, caller);
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode) return new ServiceProjections(service.ToLowerInvariant(), null, null, $"answered {(int)response.StatusCode}");
            var status = await response.Content.ReadFromJsonAsync<ProjectionStatusView>(cancellationToken);
            return new ServiceProjections(service.ToLowerInvariant(), status!.Head, status.Projections, null);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException)
        {
            return new ServiceProjections(service.ToLowerInvariant(), null, null, exception.Message);
        }
    }
}
