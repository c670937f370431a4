using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using RabbitMQ.Client;

namespace NewsMonitor.ServiceDefaults;

/// <summary>A queue as the RabbitMQ management API lists it.</summary>
public sealed record BrokerQueue(string Name, string Type, bool Durable, bool AutoDelete, bool Exclusive, int Consumers = 0);

/// <summary>A binding of a queue to an exchange, as the RabbitMQ management API lists it.</summary>
public sealed record BrokerBinding(string Source, string RoutingKey, IDictionary<string, object?> Arguments);

/// <summary>
/// Plain RabbitMQ.Client connections and management API calls with the <c>RabbitMq</c> settings MassTransit uses, for
/// what MassTransit does not do: moving queues to the quorum type, declaring retry wait queues, watching broker alarms.
/// </summary>
public sealed class BrokerConnections(IConfiguration configuration)
{
    private readonly IConfigurationSection _section = configuration.GetSection("RabbitMq");

    /// <summary>The virtual host.</summary>
    public string VirtualHost => _section["VirtualHost"] ?? "/";

    /// <summary>Whether the management API port is configured (<c>RabbitMq:ManagementPort</c>).</summary>
    public bool HasManagementApi => !string.IsNullOrEmpty(_section["ManagementPort"]);

    /// <summary>Opens a connection named <paramref name="purpose"/> (shown in the management UI), recovering by itself after a broker restart.</summary>
    public Task<IConnection> ConnectAsync(string purpose, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            HostName = _section["Host"] ?? "127.0.0.1",
            Port = int.Parse(_section["Port"] ?? "5672", System.Globalization.CultureInfo.InvariantCulture),
            VirtualHost = VirtualHost,
            UserName = _section["Username"] ?? throw new InvalidOperationException("RabbitMq:Username is not configured."),
            Password = _section["Password"] ?? throw new InvalidOperationException("RabbitMq:Password is not configured."),
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = false,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(2),
            ClientProvidedName = purpose,
        };
        return factory.CreateConnectionAsync(cancellationToken);
    }

    /// <summary>Every queue of the virtual host (management API).</summary>
    public async Task<IReadOnlyList<BrokerQueue>> QueuesAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var queues = await GetAsync(client, $"/api/queues/{Uri.EscapeDataString(VirtualHost)}?columns=name,type,durable,auto_delete,exclusive,consumers", cancellationToken);
        return queues.EnumerateArray().Select(queue => new BrokerQueue(
            queue.GetProperty("name").GetString()!,
            queue.TryGetProperty("type", out var type) ? type.GetString() ?? "classic" : "classic",
            queue.TryGetProperty("durable", out var durable) && durable.GetBoolean(),
            queue.TryGetProperty("auto_delete", out var autoDelete) && autoDelete.GetBoolean(),
            queue.TryGetProperty("exclusive", out var exclusive) && exclusive.ValueKind == JsonValueKind.True,
            queue.TryGetProperty("consumers", out var consumers) && consumers.ValueKind == JsonValueKind.Number ? consumers.GetInt32() : 0)).ToList();
    }

    /// <summary>The bindings of <paramref name="queue"/> to named exchanges (the default exchange's implicit one left out).</summary>
    public async Task<IReadOnlyList<BrokerBinding>> BindingsAsync(HttpClient client, string queue, CancellationToken cancellationToken)
    {
        var bindings = await GetAsync(client, $"/api/queues/{Uri.EscapeDataString(VirtualHost)}/{Uri.EscapeDataString(queue)}/bindings", cancellationToken);
        return bindings.EnumerateArray()
            .Where(binding => binding.GetProperty("source").GetString() is { Length: > 0 })
            .Select(binding => new BrokerBinding(binding.GetProperty("source").GetString()!, binding.GetProperty("routing_key").GetString() ?? "",
                binding.TryGetProperty("arguments", out var arguments) && arguments.ValueKind == JsonValueKind.Object
                    ? arguments.EnumerateObject().ToDictionary(argument => argument.Name, argument => (object?)ArgumentValue(argument.Value))
                    : new Dictionary<string, object?>()))
            .ToList();
    }

    private static object? ArgumentValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetInt64(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private async Task<JsonElement> GetAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{_section["Host"] ?? "127.0.0.1"}:{_section["ManagementPort"]}{path}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_section["Username"]}:{_section["Password"]}")));
        using var response = await client.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }
}
