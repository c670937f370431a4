using NewsMonitor.Contracts;
using NewsMonitor.Text;

namespace NewsMonitor.Alerting.Digests;

/// <summary>A digest was compiled; the only event of its stream, whose id derives from subscription and period.</summary>
public sealed record DigestCompiled(Guid DigestId, Guid SubscriptionId, string Tenant, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, IReadOnlyList<DigestAlert> Alerts, DateTimeOffset At);

/// <summary>Read model of a digest, projected inline.</summary>
public sealed record Digest(Guid Id, Guid SubscriptionId, string Tenant, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, IReadOnlyList<DigestAlert> Alerts, DateTimeOffset CompiledAt)
{
    /// <summary>Starts the read model.</summary>
    public static Digest Create(DigestCompiled compiled) =>
        new(compiled.DigestId, compiled.SubscriptionId, compiled.Tenant, compiled.PeriodStart, compiled.PeriodEnd, compiled.Alerts, compiled.At);
}

/// <summary>Digest periods: whole UTC hours for <c>hourly</c>, whole UTC days for <c>daily</c>. Pure.</summary>
public static class DigestPeriods
{
    private static readonly Guid Scope = new("3c9a2f1e-7b44-4e0a-9d6b-2a1f5e8c7d10");

    /// <summary>The length of a mode's period, or null for <c>immediate</c>.</summary>
    public static TimeSpan? Length(string mode) => mode switch
    {
        "hourly" => TimeSpan.FromHours(1),
        "daily" => TimeSpan.FromDays(1),
        _ => null,
    };

    /// <summary>The start of the period that contains <paramref name="at"/>.</summary>
    public static DateTimeOffset StartOf(DateTimeOffset at, TimeSpan length)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % length.Ticks, TimeSpan.Zero);
    }

    /// <summary>The id of a subscription's digest for the period starting at <paramref name="periodStart"/>.</summary>
    public static Guid DigestId(Guid subscriptionId, DateTimeOffset periodStart) =>
        DeterministicId.Create(Scope, $"{subscriptionId:N}:{periodStart.UtcTicks}");

    /// <summary>
    /// The id of a subscription's digest for the period of <paramref name="length"/> starting at <paramref name="periodStart"/>,
    /// for when the plain id is taken by a digest of another length that starts at the same instant (a subscription turned
    /// from hourly to daily: the day's digest and its first hour's both start at midnight).
    /// </summary>
    public static Guid DigestId(Guid subscriptionId, DateTimeOffset periodStart, TimeSpan length) =>
        DeterministicId.Create(Scope, $"{subscriptionId:N}:{periodStart.UtcTicks}:{length.Ticks}");
}
