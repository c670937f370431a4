using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// Holds a graceful stop until every message delivery under way has finished: acknowledged, retried to its end or parked.
/// MassTransit 8.5's hosted service can return from its stop while a consumer is still running (seen: the stop returned in
/// 150 ms, the consumer finished 1.3 s later), and the host then disposes the service provider under it; the consumer's
/// next step failed with <see cref="ObjectDisposedException"/> and a webhook retry was parked in <c>_error</c> instead of
/// scheduled. Registered before MassTransit's hosted service, so it stops after it, when no new delivery can start, and
/// waits within the host's shutdown timeout. Deliveries are tracked by receive context, so a fault seen after the
/// post-receive step cannot count twice.
/// </summary>
public sealed class InFlightDeliveries(ILogger<InFlightDeliveries> logger) : IReceiveObserver, IHostedService
{
    private readonly ConcurrentDictionary<ReceiveContext, byte> _running = new(ReferenceEqualityComparer.Instance);

    /// <summary>Completes once no delivery is under way, looking every 20 ms (only a stop waits on it).</summary>
    public async Task DrainedAsync(CancellationToken cancellationToken)
    {
        while (!_running.IsEmpty) await Task.Delay(20, cancellationToken);
    }

    /// <inheritdoc />
    public Task PreReceive(ReceiveContext context)
    {
        _running.TryAdd(context, 0);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task PostReceive(ReceiveContext context)
    {
        _running.TryRemove(context, out _);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ReceiveFault(ReceiveContext context, Exception exception) => PostReceive(context);

    /// <inheritdoc />
    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;

    /// <inheritdoc />
    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_running.IsEmpty) return;
        logger.LogInformation("Waiting for {Count} message deliveries under way to finish before stopping", _running.Count);
        try
        {
            await DrainedAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Stopping with {Count} message deliveries still under way: the shutdown timeout ran out", _running.Count);
        }
    }
}
