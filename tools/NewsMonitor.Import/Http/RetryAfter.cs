using System.Globalization;

namespace NewsMonitor.Import.Http;

/// <summary>How long to wait before sending a request again.</summary>
public static class RetryAfter
{
    /// <summary>Longest wait taken from a <c>Retry-After</c> header: a server asking for more is answered later, not after hours.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The wait a <c>Retry-After</c> value asks for (RFC 9110 §10.2.3): delay-seconds, or an HTTP date (a date in the past
    /// means no wait); null when the value is missing or neither. Capped at <see cref="Longest"/>.
    /// </summary>
    public static TimeSpan? Parse(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        value = value.Trim();
        if (value.All(char.IsAsciiDigit))
            return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds < Longest.TotalSeconds
                ? TimeSpan.FromSeconds(seconds) : Longest;
        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var date))
        {
            var wait = date - now;
            return wait <= TimeSpan.Zero ? TimeSpan.Zero : wait < Longest ? wait : Longest;
        }
        return null;
    }

    /// <summary>
    /// Backoff before retry <paramref name="attempt"/> (1, 2, …) after a server error or a lost connection: 1 s doubling to at
    /// most 30 s, scaled by <paramref name="jitter"/> in [0, 1) to between half and all of it, so many importers do not retry in step.
    /// </summary>
    public static TimeSpan Backoff(int attempt, double jitter)
    {
        var full = Math.Min(30, Math.Pow(2, Math.Max(0, attempt - 1)));
        return TimeSpan.FromSeconds(full * (0.5 + (Math.Clamp(jitter, 0, 1) / 2)));
    }
}
