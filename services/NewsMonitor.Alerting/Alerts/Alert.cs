using JasperFx.Events;

namespace NewsMonitor.Alerting.Alerts;

/// <summary>A subscription's rule matched an article; the only event of the alert's stream, whose id is derived from both.</summary>
public sealed record AlertTriggered(Guid AlertId, Guid SubscriptionId, string Tenant, Guid ArticleId, string Title, IReadOnlyList<string> Matched, DateTimeOffset At);


/// <summary>Read model of an alert, projected inline. <see cref="Sequence"/> is the feed cursor.</summary>
public sealed record Alert(Guid Id, long Sequence, Guid SubscriptionId, string Tenant, Guid ArticleId, string Title, IReadOnlyList<string> Matched, DateTimeOffset RaisedAt)
{
    /// <summary>Starts the read model from the stored event, taking its global sequence as the cursor.</summary>
    public static Alert Create(IEvent<AlertTriggered> stored)
    {
        var triggered = stored.Data;
        return new Alert(triggered.AlertId, stored.Sequence, triggered.SubscriptionId, triggered.Tenant, triggered.ArticleId, triggered.Title, triggered.Matched, triggered.At);
    }
}
