namespace NewsMonitor.Sources.Fetching;

/// <summary>
/// Per-host politeness: at most <c>maxConcurrent</c> requests to one host:port at once, request starts at least
/// <c>minInterval</c> apart, and a "not before" time set by <see cref="HostLease.BackOff"/> during which the host is not
/// asked at all (callers get the time back and fail fast instead of holding a poller slot). Start times are handed out
/// in order under a lock, so concurrent waiters never start closer than the interval. Hosts with nothing in progress and
/// no restriction left are forgotten (swept at most once a minute), so the table does not grow with every host ever seen.
/// </summary>
internal sealed class HostLimiter(int maxConcurrent, TimeSpan minInterval, TimeProvider time)
{
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);
    private readonly Dictionary<string, HostState> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();
    private DateTimeOffset _lastSweep = time.GetUtcNow();

    /// <summary>How many hosts the limiter holds state for (for tests and memory checks).</summary>
    public int TrackedHosts { get { lock (_gate) return _hosts.Count; } }

    /// <summary>The key the limiter uses for <paramref name="url"/>: its host and port.</summary>
    public static string KeyOf(Uri url) => $"{url.IdnHost}:{url.Port}".ToLowerInvariant();

    /// <summary>
    /// Waits for a slot and the host's next start time, then answers a lease to release when the request is over;
    /// answers the host's "not before" instead when it is backing off (now or once the slot comes).
    /// </summary>
    public async Task<(HostLease? Lease, DateTimeOffset? BackingOffUntil, string? BackoffReason)> AcquireAsync(string host, CancellationToken cancellationToken)
    {
        HostState state;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (now - _lastSweep >= SweepEvery) SweepLocked(now);
            if (!_hosts.TryGetValue(host, out state!)) _hosts[host] = state = new HostState(maxConcurrent);
            if (state.NotBefore > now) return (null, state.NotBefore, state.BackoffReason);
            state.Users++;
        }
        var holdsSlot = false;
        try
        {
            await state.Slots.WaitAsync(cancellationToken);
            holdsSlot = true;
            DateTimeOffset start;
            lock (_gate)
            {
                var now = time.GetUtcNow();
                if (state.NotBefore > now) return Refuse(state, ref holdsSlot);
                start = state.NextStart > now ? state.NextStart : now;
                state.NextStart = start + minInterval;
            }
            var wait = start - time.GetUtcNow();
            if (wait > TimeSpan.Zero) await Task.Delay(wait, time, cancellationToken);
            lock (_gate)
            {
                // Another request may have been told to back off while this one waited for its turn.
                if (state.NotBefore > time.GetUtcNow()) return Refuse(state, ref holdsSlot);
            }
            holdsSlot = false; // the lease owns it now
            return (new HostLease(this, state), null, null);
        }
        catch
        {
            if (holdsSlot) state.Slots.Release();
            lock (_gate) state.Users--;
            throw;
        }
    }

    /// <summary>Forgets hosts with nothing in progress and no restriction left.</summary>
    public void Sweep()
    {
        lock (_gate) SweepLocked(time.GetUtcNow());
    }

    private (HostLease?, DateTimeOffset?, string?) Refuse(HostState state, ref bool holdsSlot)
    {
        state.Slots.Release();
        holdsSlot = false;
        state.Users--;
        return (null, state.NotBefore, state.BackoffReason);
    }

    private void SweepLocked(DateTimeOffset now)
    {
        _lastSweep = now;
        foreach (var (host, state) in _hosts.ToList())
        {
            // Removing such a host loses nothing: a new state would allow exactly what this one allows.
            if (state.Users == 0 && state.NextStart <= now && state.NotBefore <= now) _hosts.Remove(host);
        }
    }

    private void Release(HostState state)
    {
        state.Slots.Release();
        lock (_gate) state.Users--;
    }

    private void BackOff(HostState state, DateTimeOffset until, string reason)
    {
        lock (_gate)
        {
            if (until <= state.NotBefore) return;
            state.NotBefore = until;
            state.BackoffReason = reason;
        }
    }

    internal sealed class HostState(int maxConcurrent)
    {
        public SemaphoreSlim Slots { get; } = new(maxConcurrent, maxConcurrent);
        public int Users { get; set; }
        public DateTimeOffset NextStart { get; set; }
        public DateTimeOffset NotBefore { get; set; }
        public string? BackoffReason { get; set; }
    }

    /// <summary>One request's hold on its host: dispose it when the response is read.</summary>
    internal sealed class HostLease : IDisposable
    {
        private readonly HostLimiter _limiter;
        private readonly HostState _state;
        private int _released;

        internal HostLease(HostLimiter limiter, HostState state)
        {
            _limiter = limiter;
            _state = state;
        }

        /// <summary>Leaves the host alone until <paramref name="until"/> (never shortens an earlier back-off).</summary>
        public void BackOff(DateTimeOffset until, string reason) => _limiter.BackOff(_state, until, reason);

        /// <summary>Frees the slot.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) _limiter.Release(_state);
        }
    }
}
