using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace NewsMonitor.Testing;

/// <summary>
/// Watches the consumers of a service hosted in the test process (its own MassTransit bus) and records each message
/// they have finished with. This is the positive marker for a message that is meant to change nothing (a redelivery,
/// a duplicate): once it has been consumed, whatever it would have stored is committed, so an absence can be asserted.
/// Start it before publishing the messages it is to see; dispose it at the end of the test.
/// </summary>
public sealed class ConsumeProbe : IConsumeObserver, IDisposable
{
    private readonly ConcurrentQueue<Consumed> _consumed = new();
    private ConnectHandle? _handle;

    private ConsumeProbe()
    {
    }

    /// <summary>One message a consumer finished, and the queue it came from.</summary>
    /// <param name="Queue">The receive endpoint's queue name, e.g. <c>alerting-webhook-delivery</c>.</param>
    /// <param name="Message">The message.</param>
    public sealed record Consumed(string Queue, object Message);

    /// <summary>Starts watching the bus of the service whose container is <paramref name="services"/>.</summary>
    public static ConsumeProbe Start(IServiceProvider services)
    {
        var probe = new ConsumeProbe();
        probe._handle = services.GetRequiredService<IBus>().ConnectConsumeObserver(probe);
        return probe;
    }

    /// <summary>Messages of type <typeparamref name="T"/> consumed successfully so far, with their queues.</summary>
    public IReadOnlyList<(string Queue, T Message)> ConsumedOf<T>() where T : class =>
        _consumed.Where(consumed => consumed.Message is T).Select(consumed => (consumed.Queue, (T)consumed.Message)).ToList();

    /// <summary>
    /// Waits until <paramref name="count"/> messages of type <typeparamref name="T"/> satisfying <paramref name="predicate"/>
    /// have been consumed successfully, on a queue whose name ends with <paramref name="queue"/> when given.
    /// </summary>
    public Task WaitForAsync<T>(Func<T, bool> predicate, string what, int count = 1, string? queue = null, TimeSpan? timeout = null) where T : class =>
        Eventually.TrueAsync(() => Task.FromResult(ConsumedOf<T>().Count(consumed =>
            (queue is null || consumed.Queue.EndsWith(queue, StringComparison.Ordinal)) && predicate(consumed.Message)) >= count), what, timeout);

    /// <inheritdoc />
    public void Dispose() => _handle?.Disconnect();

    Task IConsumeObserver.PreConsume<T>(ConsumeContext<T> context) => Task.CompletedTask;

    Task IConsumeObserver.PostConsume<T>(ConsumeContext<T> context)
    {
        _consumed.Enqueue(new Consumed(context.ReceiveContext.InputAddress.AbsolutePath.TrimEnd('/').Split('/')[^1], context.Message));
        return Task.CompletedTask;
    }

    Task IConsumeObserver.ConsumeFault<T>(ConsumeContext<T> context, Exception exception) => Task.CompletedTask;
}
