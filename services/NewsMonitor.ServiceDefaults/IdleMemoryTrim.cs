using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// When to give memory back: after a burst of work the GC keeps what it committed (a service that took 1,000 articles
/// sat at 180 MB committed for 45 MB of live objects, gen2 full of garbage no later collection was due to clear), so
/// each process stays at its high-water mark until the next burst. A trim is due once the process has allocated less
/// than <c>idleAllocationBytes</c> per check for <c>idleChecks</c> checks in a row, and the GC has committed at least
/// <c>minimumReturnBytes</c> more than it held after the last trim (nothing, before the first); then none again until the
/// process has been busy. The floor is what a trim left, not the live size the GC last reported: after a gen0
/// collection that figure still counts gen2's garbage as live. Pure: the caller reads the GC.
/// </summary>
public sealed class IdleTrimPolicy(long idleAllocationBytes, int idleChecks, long minimumReturnBytes)
{
    private int _quietChecks;
    private bool _trimmedSinceBusy;
    private long _floor;

    /// <summary>One check: whether to trim now, given what was allocated since the last check and what the GC has committed.</summary>
    public bool Next(long allocatedSinceLastCheck, long committedBytes)
    {
        if (allocatedSinceLastCheck >= idleAllocationBytes)
        {
            _quietChecks = 0;
            _trimmedSinceBusy = false;
            return false;
        }
        if (_quietChecks < idleChecks) _quietChecks++;
        if (_quietChecks < idleChecks || _trimmedSinceBusy || committedBytes - _floor < minimumReturnBytes) return false;
        _trimmedSinceBusy = true;
        return true;
    }

    /// <summary>What the GC had committed after the trim: the floor the next one is measured from.</summary>
    public void Trimmed(long committedBytes) => _floor = committedBytes;

    /// <summary>Checks in a row that make <paramref name="idleSeconds"/> at one check every <paramref name="interval"/> (at least one).</summary>
    public static int ChecksFor(double idleSeconds, TimeSpan interval) =>
        double.IsFinite(idleSeconds) && idleSeconds > 0 ? (int)Math.Clamp(Math.Ceiling(idleSeconds / interval.TotalSeconds), 1, int.MaxValue) : 1;
}

/// <summary>
/// Runs <see cref="IdleTrimPolicy"/> every 10 s and, when it says so, does one full compacting collection in the GC's
/// aggressive mode, which also decommits the free space (issue 17's memory target: docs/benchmarks.md, "Round 4").
/// Configuration <c>NewsMonitor:Memory</c>: <c>TrimWhenIdle</c> (default true), <c>IdleSeconds</c> (default 30); a value
/// that does not parse is logged and the default used, never a reason to stop the service. The collection blocks this
/// process's threads for a few tens of milliseconds, only when it has been idle; the first request after it commits its
/// allocation budget again.
/// </summary>
public sealed class IdleMemoryTrim(IConfiguration configuration, ILogger<IdleMemoryTrim> logger, TimeProvider? clock = null) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var section = configuration.GetSection("NewsMonitor:Memory");
        if (!Setting(section, "TrimWhenIdle", true)) return;
        // An idle service (relays polling, health checks) allocates about 100 KB a second; under load, megabytes.
        var policy = new IdleTrimPolicy(idleAllocationBytes: 8L << 20, IdleTrimPolicy.ChecksFor(Setting(section, "IdleSeconds", 30.0), Interval), minimumReturnBytes: 32L << 20);
        var allocated = GC.GetTotalAllocatedBytes();
        using var timer = new PeriodicTimer(Interval, clock ?? TimeProvider.System);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = GC.GetTotalAllocatedBytes();
            var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
            var due = policy.Next(now - allocated, before);
            allocated = now;
            if (!due) continue;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            var after = GC.GetGCMemoryInfo().TotalCommittedBytes;
            policy.Trimmed(after);
            logger.LogInformation("Idle: gave memory back, GC committed {Before} MB → {After} MB", before >> 20, after >> 20);
            allocated = GC.GetTotalAllocatedBytes();
        }
    }

    private T Setting<T>(IConfigurationSection section, string key, T fallback)
    {
        try
        {
            return section.GetValue(key, fallback)!;
        }
        catch (InvalidOperationException exception)
        {
            logger.LogWarning(exception, "NewsMonitor:Memory:{Key} = '{Value}' is not a valid value; using {Fallback}", key, section[key], fallback);
            return fallback;
        }
    }
}
