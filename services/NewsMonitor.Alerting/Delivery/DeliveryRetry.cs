namespace NewsMonitor.Alerting.Delivery;

/// <summary>
/// The retry loop webhook and email deliveries share: try, and while the failure may pass and tries are left, wait
/// <c>firstRetryMilliseconds × 2^(try − 1)</c> plus up to 25 % jitter and try again.
/// </summary>
public static class DeliveryRetry
{
    /// <summary>
    /// Runs <paramref name="attempt"/> (which answers its error, null on success, and whether another try may help) at most
    /// <paramref name="maxAttempts"/> times; <paramref name="retrying"/> is told (try, error, delay in ms) before each wait.
    /// Returns the last error (null: delivered) and the number of tries.
    /// </summary>
    public static async Task<(string? Error, int Attempts)> RunAsync(Func<CancellationToken, Task<(string? Error, bool Retry)>> attempt, int maxAttempts,
        int firstRetryMilliseconds, TimeProvider clock, Action<int, string, int> retrying, CancellationToken cancellationToken)
    {
        var attempts = 0;
        while (true)
        {
            attempts++;
            var (error, retry) = await attempt(cancellationToken);
            if (error is null || !retry || attempts >= maxAttempts) return (error, attempts);
            var delay = firstRetryMilliseconds * Math.Pow(2, attempts - 1) * (1 + Random.Shared.NextDouble() * 0.25);
            retrying(attempts, error, (int)delay);
            await Task.Delay(TimeSpan.FromMilliseconds(delay), clock, cancellationToken);
        }
    }
}
