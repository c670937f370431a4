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
            await _bus.Publish(message, message.GetType(), context => context.MessageId = domainEvent.Id, cancellationToken);
            _logger.LogDebug("Relayed {EventType} {MessageId} at sequence {Sequence}", message.GetType().Name, domainEvent.Id, domainEvent.Sequence);
        }
        return NullChangeListener.Instance;
    }

    private static Activity? StartActivity(IEvent domainEvent, object message)
    {
        ActivityContext.TryParse(domainEvent.GetHeader(Telemetry.TraceParentHeader) as string ?? domainEvent.GetHeader(Telemetry.TraceParentHeader)?.ToString(), null, out var parent);
        return Telemetry.Source.StartActivity($"relay {message.GetType().Name}", ActivityKind.Producer, parent);
    }
}
