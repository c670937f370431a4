using JasperFx.Events;
using MassTransit;
using NewsMonitor.Alerting.Digests;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Alerts;

/// <summary>Publishes <see cref="AlertRaised"/>, <see cref="ArticleAlertsEvaluated"/> and <see cref="AlertDigestCompiled"/> for committed alerting events.</summary>
public sealed class AlertingRelay : IntegrationEventRelay
{
    /// <summary>Creates the relay.</summary>
    public AlertingRelay(IBus bus, ILogger<AlertingRelay> logger) : base(bus, logger)
    {
        Name = "alerting-relay";
        IncludeType<AlertTriggered>();
        IncludeType<ArticleEvaluated>();
        IncludeType<DigestCompiled>();
    }

    /// <inheritdoc />
    protected override object? ToIntegrationEvent(IEvent domainEvent) => domainEvent.Data switch
    {
        AlertTriggered alert => new AlertRaised(alert.AlertId, alert.SubscriptionId, alert.Tenant, alert.ArticleId, alert.Title, alert.Matched, alert.At, domainEvent.Timestamp),
        ArticleEvaluated evaluated => new ArticleAlertsEvaluated(evaluated.ArticleId, evaluated.AlertIds.Count, domainEvent.Timestamp),
        DigestCompiled digest => new AlertDigestCompiled(digest.DigestId, digest.SubscriptionId, digest.Tenant, digest.PeriodStart, digest.PeriodEnd, digest.Alerts, domainEvent.Timestamp),
        _ => null,
    };
}
