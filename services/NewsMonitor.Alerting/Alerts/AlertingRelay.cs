using JasperFx.Events;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Alerts;

/// <summary>Publishes <see cref="AlertRaised"/> and <see cref="ArticleAlertsEvaluated"/> for committed alerting events.</summary>
public sealed class AlertingRelay : IntegrationEventRelay
{
    /// <summary>Creates the relay.</summary>
    public AlertingRelay(IBus bus, ILogger<AlertingRelay> logger) : base(bus, logger)
    {
        Name = "alerting-relay";
        IncludeType<AlertTriggered>();
        IncludeType<ArticleEvaluated>();
    }

    /// <inheritdoc />
    protected override object? ToIntegrationEvent(IEvent domainEvent) => domainEvent.Data switch
    {
        AlertTriggered alert => new AlertRaised(alert.AlertId, alert.SubscriptionId, alert.Tenant, alert.ArticleId, alert.Title, alert.Matched, alert.At, domainEvent.Timestamp),
        ArticleEvaluated evaluated => new ArticleAlertsEvaluated(evaluated.ArticleId, evaluated.AlertIds.Count, domainEvent.Timestamp),
        _ => null,
    };
}
