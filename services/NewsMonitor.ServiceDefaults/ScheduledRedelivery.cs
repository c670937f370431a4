using System.Collections.Concurrent;
using MassTransit;
using RabbitMQ.Client;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// Schedules a consumed message to come back to its own queue after a delay, through RabbitMQ alone (the delayed-message
/// plugin is not available): the message is sent to a durable wait queue whose <c>x-message-ttl</c> is the delay and
/// whose dead-letter target is the consumer's queue; nothing consumes the wait queue, so when the time is up the broker
/// moves the message back. The consumer acknowledges its copy at once and its slot is free while the message waits,
/// across restarts of the service. Each message carries its try number in the <see cref="AttemptHeader"/> header.
/// </summary>
public sealed class ScheduledRedelivery(BrokerConnections broker) : IAsyncDisposable
{
    /// <summary>Header with the number of the try a redelivered message is for (the first delivery has none: try 1).</summary>
    public const string AttemptHeader = "NewsMonitor-Attempt";

    private readonly ConcurrentDictionary<string, Lazy<Task>> _declared = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private IConnection? _connection;

    /// <summary>The try a consumed message is for: 1 on its first delivery, the header's value once redelivered.</summary>
    public static int AttemptOf(ConsumeContext context) => context.Headers.Get<int>(AttemptHeader) is { } attempt && attempt > 0 ? attempt : 1;

    /// <summary>
    /// Name of the wait queue of <paramref name="queue"/> for <paramref name="delay"/> (one per distinct delay: RabbitMQ
    /// expires messages only at a queue's head, so a queue must hold one delay only).
    /// </summary>
    public static string WaitQueueName(string queue, TimeSpan delay) => $"{queue}-wait-{(long)delay.TotalMilliseconds}ms";

    /// <summary>
    /// The delay before try <paramref name="nextAttempt"/> (2 or more): <paramref name="firstDelayMilliseconds"/> doubled for
    /// each try after the second, at most <paramref name="maxDelay"/>. Whole milliseconds, so a few wait queues serve all.
    /// </summary>
    public static TimeSpan Backoff(int nextAttempt, int firstDelayMilliseconds, TimeSpan maxDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nextAttempt, 2);
        var milliseconds = Math.Max(1, firstDelayMilliseconds) * Math.Pow(2, Math.Min(nextAttempt - 2, 40));
        return TimeSpan.FromMilliseconds(Math.Min(milliseconds, maxDelay.TotalMilliseconds));
    }

    /// <summary>The queue a message was consumed from (the last segment of its input address).</summary>
    public static string QueueOf(ConsumeContext context) => context.ReceiveContext.InputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[^1];

    /// <summary>
    /// Sends the consumed message to the wait queue of its queue for <paramref name="delay"/>, marked as try
    /// <paramref name="nextAttempt"/>; it comes back to the same queue (and consumer) once the delay has passed. Returns once
    /// the broker has confirmed it, so the caller may then let the consumed copy be acknowledged.
    /// </summary>
    public async Task ScheduleAsync<T>(ConsumeContext<T> context, TimeSpan delay, int nextAttempt) where T : class
    {
        var queue = QueueOf(context);
        var wait = WaitQueueName(queue, delay);
        var declaring = _declared.GetOrAdd(wait, name => new Lazy<Task>(() => DeclareAsync(queue, name, delay)));
        try
        {
            await declaring.Value;
        }
        catch
        {
            _declared.TryRemove(wait, out _);
            throw;
        }
        var endpoint = await context.GetSendEndpoint(new Uri($"exchange:{wait}"));
        await endpoint.Send(context.Message, send => send.Headers.Set(AttemptHeader, nextAttempt), context.CancellationToken);
    }

    // The wait queue (quorum: replicated and durable like the work queues; 3.10 supports message TTL on quorum queues) and
    // a fanout exchange of the same name bound to it, which is what MassTransit sends to. Declared with the same arguments
    // every time, so it is idempotent and may run in several instances at once.
    private async Task DeclareAsync(string queue, string wait, TimeSpan delay)
    {
        var connection = await ConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var arguments = QuorumQueues.Arguments();
        arguments["x-message-ttl"] = (long)delay.TotalMilliseconds;
        arguments["x-dead-letter-exchange"] = "";
        arguments["x-dead-letter-routing-key"] = queue;
        await channel.QueueDeclareAsync(wait, durable: true, exclusive: false, autoDelete: false, arguments: arguments);
        await channel.ExchangeDeclareAsync(wait, ExchangeType.Fanout, durable: true, autoDelete: false);
        await channel.QueueBindAsync(wait, wait, "");
    }

    private async Task<IConnection> ConnectionAsync()
    {
        await _connecting.WaitAsync();
        try
        {
            return _connection ??= await broker.ConnectAsync("scheduled redelivery", CancellationToken.None);
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
        _connecting.Dispose();
    }
}
