namespace NewsMonitor.Alerting.Subscriptions;

/// <summary>A subscription was created; first event of its stream.</summary>
public sealed record SubscriptionCreated(Guid SubscriptionId, string Tenant, string Name, string Rule, string Mode, DateTimeOffset At);

/// <summary>A subscription's name, rule or mode changed.</summary>
public sealed record SubscriptionChanged(Guid SubscriptionId, string Name, string Rule, string Mode, DateTimeOffset At);

/// <summary>A subscription was paused: it raises no alerts until resumed.</summary>
public sealed record SubscriptionPaused(Guid SubscriptionId, DateTimeOffset At);

/// <summary>A paused subscription was resumed.</summary>
public sealed record SubscriptionResumed(Guid SubscriptionId, DateTimeOffset At);

/// <summary>A subscription was deleted; it raises no more alerts.</summary>
public sealed record SubscriptionDeleted(Guid SubscriptionId, DateTimeOffset At);

/// <summary>Read model of a subscription, projected inline from its stream.</summary>
public sealed record Subscription(Guid Id, string Tenant, string Name, string Rule, string Mode, bool Deleted, DateTimeOffset CreatedAt, DateTimeOffset ChangedAt, bool Paused = false)
{
    /// <summary>Delivery modes a subscription can have.</summary>
    public static readonly string[] Modes = ["immediate", "hourly", "daily"];

    /// <summary>Starts the read model.</summary>
    public static Subscription Create(SubscriptionCreated created) =>
        new(created.SubscriptionId, created.Tenant, created.Name, created.Rule, created.Mode, false, created.At, created.At);

    /// <summary>Applies a change.</summary>
    public Subscription Apply(SubscriptionChanged changed) => this with { Name = changed.Name, Rule = changed.Rule, Mode = changed.Mode, ChangedAt = changed.At };

    /// <summary>Applies a pause.</summary>
    public Subscription Apply(SubscriptionPaused paused) => this with { Paused = true, ChangedAt = paused.At };

    /// <summary>Applies a resumption.</summary>
    public Subscription Apply(SubscriptionResumed resumed) => this with { Paused = false, ChangedAt = resumed.At };

    /// <summary>Applies a deletion.</summary>
    public Subscription Apply(SubscriptionDeleted deleted) => this with { Deleted = true, ChangedAt = deleted.At };
}
