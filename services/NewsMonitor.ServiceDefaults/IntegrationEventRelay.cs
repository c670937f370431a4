using System.Diagnostics;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// Commit first, publish second: a Marten subscription that reads committed domain events and publishes
/// their integration events to RabbitMQ. Progress is saved only after the publishes are confirmed, so a
/// crash republishes (consumers are idempotent) and nothing stored is left unpublished.
/// </summary>
public abstract class IntegrationEventRelay : SubscriptionBase
{
    private readonly IBus _bus;
    private readonly ILogger _logger;

    /// <summary>Creates a relay that publishes on <paramref name="bus"/>.</summary>
    protected IntegrationEventRelay(IBus bus, ILogger logger)
    {
        _bus = bus;
        _logger = logger;
    }

    /// <summary>The integration event for a domain event, or null when the event is not published.</summary>
    protected abstract object? ToIntegrationEvent(IEvent domainEvent);

    /// <inheritdoc />
    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        foreach (var domainEvent in page.Events)
        {
            var message = ToIntegrationEvent(domainEvent);
            if (message is null) continue;
            using var activity = StartActivity(domainEvent, message);
            // The Marten event id becomes the message id: a republish after a crash carries the same id.
            await PublishAsync(message, domainEvent, cancellationToken);
            _logger.LogDebug("Relayed {EventType} {MessageId} at sequence {Sequence}", message.GetType().Name, domainEvent.Id, domainEvent.Sequence);
        }
        return NullChangeListener.Instance;
    }

    /// <summary>
    /// How long one publish may wait for the broker's confirm before it is sent again. A confirm takes milliseconds; but
    /// when the broker went away with a publish in flight, RabbitMQ.Client 7 was seen (a dump of the entities service in
    /// the A07 fault scenario) waiting for that confirm forever, on a channel that no longer existed, and the relay
    /// published nothing more until the process was restarted.
    /// </summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(30);

    // Publishes until the broker confirms or the daemon stops. A publish whose confirm does not come in PublishTimeout is
    // sent again here, not thrown to the daemon: how it would treat the failure (retry, or pause the relay until a
    // restart) is its policy, and a second copy is harmless (same message id, idempotent consumers). Any other failure
    // is thrown as before.
    private async Task PublishAsync(object message, IEvent domainEvent, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(PublishTimeout);
            try
            {
                await _bus.Publish(message, message.GetType(), context => context.MessageId = domainEvent.Id, timeout.Token);
                return;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                _logger.LogWarning("The broker did not confirm {EventType} {MessageId} (sequence {Sequence}) within {Timeout} s (attempt {Attempt}); publishing it again",
                    message.GetType().Name, domainEvent.Id, domainEvent.Sequence, PublishTimeout.TotalSeconds, attempt);
            }
        }
    }

    private static Activity? StartActivity(IEvent domainEvent, object message)
    {
        ActivityContext.TryParse(domainEvent.GetHeader(Telemetry.TraceParentHeader) as string ?? domainEvent.GetHeader(Telemetry.TraceParentHeader)?.ToString(), null, out var parent);
        return Telemetry.Source.StartActivity($"relay {message.GetType().Name}", ActivityKind.Producer, parent);
    }
}
