using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;

namespace NewsMonitor.Testing;

/// <summary>
/// A MassTransit bus on the real RabbitMQ node, in a test's virtual host: it records every message of the
/// types it listens to, and publishes messages as another service would. It handles its queue one message at a
/// time, in queue order, so a marker it sends itself (<see cref="DrainAsync"/>) proves that everything queued
/// before the marker has been recorded.
/// </summary>
public sealed class MessageProbe : IAsyncDisposable
{
    private readonly IBusControl _bus;
    private readonly ConcurrentDictionary<Type, ConcurrentQueue<object>> _received = new();
    private readonly ConcurrentDictionary<object, string> _traces = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<object, Guid> _messageIds = new(ReferenceEqualityComparer.Instance);

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
                // In queue order: one message at a time, none fetched ahead.
                endpoint.PrefetchCount = 1;
                endpoint.ConcurrentMessageLimit = 1;
                foreach (var type in listenTo.Append(typeof(ProbeMarker)))
                {
                    typeof(MessageProbe).GetMethod(nameof(Listen), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                        .MakeGenericMethod(type).Invoke(null, [endpoint, (Action<Type, object, Guid?>)((t, m, id) => probe!.Record(t, m, id))]);
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

    /// <summary>
    /// The first recorded message of type <typeparamref name="T"/> that satisfies <paramref name="predicate"/>, waiting
    /// for it if need be. Filter by the ids the test itself made (subscription and article), never by the article alone:
    /// other tests of the class share the probe and their subscriptions may match the same article.
    /// </summary>
    public Task<T> WaitForAsync<T>(Func<T, bool> predicate, string what, TimeSpan? timeout = null) where T : class =>
        Eventually.GetAsync(() => Task.FromResult(Received<T>().FirstOrDefault(predicate)), what, timeout);

    /// <summary>Waits until at least <paramref name="count"/> recorded messages satisfy <paramref name="predicate"/>; returns all that do.</summary>
    public Task<IReadOnlyList<T>> WaitForAtLeastAsync<T>(int count, Func<T, bool> predicate, string what, TimeSpan? timeout = null) where T : class =>
        Eventually.GetAsync<IReadOnlyList<T>>(() =>
        {
            var matching = Received<T>().Where(predicate).ToList();
            return Task.FromResult<IReadOnlyList<T>?>(matching.Count >= count ? matching : null);
        }, what, timeout);

    /// <summary>
    /// Sends the probe a marker through its own queue and waits until it is recorded. The queue is handled in order,
    /// so once this returns every message that reached the queue before the marker has been recorded: after a relay
    /// has confirmed its publishes (<see cref="EventStoreProbe.CaughtUpAsync"/>), an absence in <see cref="Received{T}"/>
    /// is then a fact and not a guess.
    /// </summary>
    public async Task DrainAsync(TimeSpan? timeout = null)
    {
        var marker = new ProbeMarker(Guid.NewGuid());
        await _bus.Publish(marker);
        await WaitForAsync<ProbeMarker>(recorded => recorded.Id == marker.Id, "the probe's own marker", timeout);
    }

    /// <summary>
    /// Waits until the relay <paramref name="relay"/> of <paramref name="schema"/> has published every event stored there
    /// when called, and this probe has recorded all of it (<see cref="DrainAsync"/>).
    /// </summary>
    public async Task SettleAsync(string schema, string relay, TimeSpan? timeout = null)
    {
        await EventStoreProbe.CaughtUpAsync(schema, relay, timeout);
        await DrainAsync(timeout);
    }

    /// <summary>Publishes <paramref name="message"/> to its exchange.</summary>
    public Task PublishAsync<T>(T message) where T : class => _bus.Publish(message);

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _bus.StopAsync();

    /// <summary>
    /// Publishes <paramref name="message"/> under the AMQP message id <paramref name="messageId"/>, as a relay does (the
    /// source event's id): publishing it twice is a redelivery of one event.
    /// </summary>
    public Task PublishAsync<T>(T message, Guid messageId) where T : class => _bus.Publish(message, context => context.MessageId = messageId);

    /// <summary>The AMQP message id the message arrived with (the relays set it to the source event's id).</summary>
    public Guid? MessageIdOf(object message) => _messageIds.TryGetValue(message, out var id) ? id : null;

    /// <summary>The W3C trace id the message was consumed under, when tracing was on for it.</summary>
    public string? TraceOf(object message) => _traces.GetValueOrDefault(message);

    private void Record(Type type, object message, Guid? messageId)
    {
        if (Activity.Current is { } activity) _traces[message] = activity.TraceId.ToHexString();
        if (messageId is { } id) _messageIds[message] = id;
        _received.GetOrAdd(type, _ => new ConcurrentQueue<object>()).Enqueue(message);
    }

    private static void Listen<T>(IRabbitMqReceiveEndpointConfigurator endpoint, Action<Type, object, Guid?> record) where T : class =>
        endpoint.Handler<T>(context =>
        {
            record(typeof(T), context.Message, context.MessageId);
            return Task.CompletedTask;
        });
}

/// <summary>What <see cref="MessageProbe.DrainAsync"/> sends itself; no service listens to it.</summary>
public sealed record ProbeMarker(Guid Id);
