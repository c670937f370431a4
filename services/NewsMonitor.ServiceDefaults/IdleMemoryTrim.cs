using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// When to give memory back: after a burst of work the GC keeps what it committed (a service that took 1,000 articles
/// sat at 180 MB committed for 45 MB of live objects, gen2 full of garbage no later collection was due to clear), so
/// each process stays at its high-water mark until the next burst. Once the process has allocated almost nothing for
/// <c>idleChecks</c> checks in a row, and at least <c>minimumReturnBytes</c> more is committed than is live, one
/// trim is due; then none again until the process has been busy. Pure: the caller reads the GC and the clock.
/// </summary>
public sealed class IdleTrimPolicy(long idleAllocationBytes, int idleChecks, long minimumReturnBytes)
{
    private int _quietChecks;
    private bool _trimmedSinceBusy;

    /// <summary>One check: whether to trim now, given what was allocated since the last check and the heap's state.</summary>
    public bool Next(long allocatedSinceLastCheck, long committedBytes, long liveBytes)
    {
        if (allocatedSinceLastCheck >= idleAllocationBytes)
        {
            _quietChecks = 0;
            _trimmedSinceBusy = false;
            return false;
        }
        if (++_quietChecks < idleChecks || _trimmedSinceBusy || committedBytes - liveBytes < minimumReturnBytes) return false;
        _trimmedSinceBusy = true;
        return true;
    }
}

/// <summary>
/// Runs <see cref="IdleTrimPolicy"/> every 10 s and, when it says so, does one full compacting collection in the GC's
/// aggressive mode, which also decommits the free space (issue 17's memory target: docs/benchmarks.md, "Round 4").
/// Configuration <c>NewsMonitor:Memory</c>: <c>TrimWhenIdle</c> (default true), <c>IdleSeconds</c> (default 30).
/// The collection blocks this process's threads for a few tens of milliseconds, only when it has been idle.
/// </summary>
public sealed class IdleMemoryTrim(IConfiguration configuration, ILogger<IdleMemoryTrim> logger, TimeProvider? clock = null) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var section = configuration.GetSection("NewsMonitor:Memory");
        if (!section.GetValue("TrimWhenIdle", true)) return;
        var idleChecks = Math.Max(1, (int)Math.Ceiling(section.GetValue("IdleSeconds", 30.0) / Interval.TotalSeconds));
        // An idle service (relays polling, health checks) allocates about 100 KB a second; under load, megabytes.
        var policy = new IdleTrimPolicy(idleAllocationBytes: 8L << 20, idleChecks, minimumReturnBytes: 32L << 20);
        var allocated = GC.GetTotalAllocatedBytes();
        using var timer = new PeriodicTimer(Interval, clock ?? TimeProvider.System);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = GC.GetTotalAllocatedBytes();
            var info = GC.GetGCMemoryInfo();
            var due = policy.Next(now - allocated, info.TotalCommittedBytes, info.HeapSizeBytes - info.FragmentedBytes);
            allocated = now;
            if (!due) continue;
            var before = info.TotalCommittedBytes;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            logger.LogInformation("Idle: gave memory back, GC committed {Before} MB → {After} MB", before >> 20, GC.GetGCMemoryInfo().TotalCommittedBytes >> 20);
            allocated = GC.GetTotalAllocatedBytes();
        }
    }
}
