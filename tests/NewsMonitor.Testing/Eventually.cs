namespace NewsMonitor.Testing;

/// <summary>Waits for an asynchronous outcome of the pipeline (a projection, a published message).</summary>
public static class Eventually
{
    /// <summary>
    /// Polls <paramref name="probe"/> until it returns a value, or fails after <paramref name="timeout"/> (default 30 s:
    /// CI runs every test project at once on 2 cores). Speed is measured in the benchmarks, not here.
    /// </summary>
    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null) where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await probe();
            if (value is not null) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, or fails after <paramref name="timeout"/>.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        await GetAsync(async () => await condition() ? "ok" : null, what, timeout);
    }
}
