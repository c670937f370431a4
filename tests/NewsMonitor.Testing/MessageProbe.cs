using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;

namespace NewsMonitor.Testing;

/// <summary>
/// A MassTransit bus on the real RabbitMQ node, in a test's virtual host: it records every message of the
/// types it listens to, and publishes messages as another service would.
/// </summary>
public sealed class MessageProbe : IAsyncDisposable
{
    private readonly IBusControl _bus;
    private readonly ConcurrentDictionary<Type, ConcurrentQueue<object>> _received = new();
    private readonly ConcurrentDictionary<object, string> _traces = new(ReferenceEqualityComparer.Instance);

    private MessageProbe(IBusControl bus) => _bus = bus;

    /// <summary>Starts a probe in <paramref name="virtualHost"/> that records <paramref name="listenTo"/>.</summary>
    public static async Task<MessageProbe> StartAsync(string virtualHost, params Type[] listenTo)
    {
        MessageProbe? probe = null;
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host("127.0.0.1", TestInfrastructure.RabbitPort, virtualHost, host =>
            {
                host.Username(TestInfrastructure.RabbitUserOf(virtualHost));
                host.Password(TestInfrastructure.RabbitPassword);
            });
            rabbit.ReceiveEndpoint("test-probe", endpoint =>
            {
                foreach (var type in listenTo)
                {
                    typeof(MessageProbe).GetMethod(nameof(Listen), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                        .MakeGenericMethod(type).Invoke(null, [endpoint, (Action<Type, object>)((t, m) => probe!.Record(t, m))]);
                }
            });
        });
        probe = new MessageProbe(bus);
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        return probe;
    }

    /// <summary>Messages of type <typeparamref name="T"/> received so far.</summary>
    public IReadOnlyList<T> Received<T>() where T : class =>
        _received.TryGetValue(typeof(T), out var queue) ? queue.Cast<T>().ToList() : [];

    /// <summary>Publishes <paramref name="message"/> to its exchange.</summary>
    public Task PublishAsync<T>(T message) where T : class => _bus.Publish(message);

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _bus.StopAsync();

    /// <summary>The W3C trace id the message was consumed under, when tracing was on for it.</summary>
    public string? TraceOf(object message) => _traces.GetValueOrDefault(message);

    private void Record(Type type, object message)
    {
        if (Activity.Current is { } activity) _traces[message] = activity.TraceId.ToHexString();
        _received.GetOrAdd(type, _ => new ConcurrentQueue<object>()).Enqueue(message);
    }

    private static void Listen<T>(IRabbitMqReceiveEndpointConfigurator endpoint, Action<Type, object> record) where T : class =>
        endpoint.Handler<T>(context =>
        {
            record(typeof(T), context.Message);
            return Task.CompletedTask;
        });
}
