using System.Collections.Concurrent;
using JasperFx;
using Marten;
using Microsoft.Extensions.Options;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Sources.Sources;

namespace NewsMonitor.Sources.Polling;

/// <summary>
/// Takes due sources and polls them, at most <see cref="SourcesOptions.MaxConcurrentPolls"/> at once. A source is taken
/// by appending <see cref="SourcePollStarted"/> under optimistic concurrency on the stream version read with it: of two instances reading the
/// same due source, only one append succeeds (the other gets a concurrency error and skips it), so two instances never
/// poll the same source at once. A lease that outlives its poller (a crash) expires and is taken over. State is only
/// events and their snapshots, so a restart carries on where it stopped. The loop never dies: every poll catches its own
/// failures and records them on its source.
/// </summary>
public sealed partial class SourcePoller(
    IDocumentStore store, PollRunner runner, IOptions<SourcesOptions> options, TimeProvider clock, ILogger<SourcePoller> logger, BrokerPressure pressure) : BackgroundService
{
    private readonly ConcurrentDictionary<Guid, Task> _running = new();
    private readonly SemaphoreSlim _finished = new(0);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var free = settings.MaxConcurrentPolls - _running.Count;
                // While the broker blocks publishing (memory or disk alarm), a submission would only wait out its timeout:
                // due sources wait for the next scan after the alarm instead.
                if (free > 0 && !pressure.IsBlocked) await StartDueAsync(free, settings, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                // The database may be away for a moment; the next scan tries again.
                LogScanFailed(logger, exception);
            }
            try
            {
                // Wake on the scan interval, or earlier when a poll ends and frees a slot.
                await _finished.WaitAsync(settings.ScanInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await Task.WhenAll(_running.Values);
    }

    private async Task StartDueAsync(int free, SourcesOptions settings, CancellationToken stoppingToken)
    {
        var now = clock.GetUtcNow();
        IReadOnlyList<Source> due;
        await using (var query = store.QuerySession())
        {
            due = await query.Query<Source>()
                .Where(source => !source.Removed && !source.Paused && (source.Status == SourceStatus.Active || source.Status == SourceStatus.Failing)
                    && source.NextPollAt <= now && (source.LeaseUntil == null || source.LeaseUntil <= now))
                .OrderBy(source => source.NextPollAt)
                .Take(free + _running.Count)
                .ToListAsync(stoppingToken);
        }
        foreach (var candidate in due)
        {
            if (free == 0) break;
            if (_running.ContainsKey(candidate.Id)) continue;
            var leased = await TryLeaseAsync(candidate, settings, stoppingToken);
            if (leased is null) continue;
            free--;
            _running[candidate.Id] = Task.Run(async () =>
            {
                try
                {
                    await runner.PollAsync(leased, stoppingToken);
                }
                finally
                {
                    _running.TryRemove(candidate.Id, out _);
                    _finished.Release();
                }
            }, CancellationToken.None);
        }
    }

    /// <summary>
    /// Reads the source for writing (Marten remembers the stream version it read), checks it is still due and unleased,
    /// and appends the lease: an append by another instance in between makes the save fail with a concurrency error.
    /// Null when another instance took the source first.
    /// </summary>
    private async Task<Source?> TryLeaseAsync(Source candidate, SourcesOptions settings, CancellationToken cancellationToken)
    {
        try
        {
            await using var session = store.LightweightSession();
            var stream = await session.Events.FetchForWriting<Source>(candidate.Id, cancellationToken);
            var now = clock.GetUtcNow();
            if (stream.Aggregate is not { } source || !SourceRules.IsDue(source, now)) return null;
            var started = new SourcePollStarted(source.Id, now, now + settings.Lease);
            stream.AppendOne(started);
            await session.SaveChangesInCommitOrderAsync(cancellationToken);
            source.Apply(started);
            return source;
        }
        catch (Exception exception) when (EventStoreSessions.IsWriteConflict(exception))
        {
            LogLeaseLost(logger, candidate.Id);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for due sources failed; trying again at the next scan")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Source {SourceId} was taken by another poller")]
    private static partial void LogLeaseLost(ILogger logger, Guid sourceId);

    /// <inheritdoc />
    public override void Dispose()
    {
        _finished.Dispose();
        base.Dispose();
    }
}
