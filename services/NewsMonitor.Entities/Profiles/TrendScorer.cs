namespace NewsMonitor.Entities.Profiles;

/// <summary>How much an entity is talked about now compared with its own past.</summary>
/// <param name="EntityId">The entity.</param>
/// <param name="Mentions">Mentions in the window.</param>
/// <param name="Articles">Articles in the window.</param>
/// <param name="Expected">Mentions expected in a window of that length from the baseline period.</param>
/// <param name="Score">How far above expectation, in Poisson standard deviations: (mentions − expected) / √(expected + 1).</param>
public sealed record EntityTrend(string EntityId, int Mentions, int Articles, double Expected, double Score);

/// <summary>
/// Ranks entities by how far their mentions in a window exceed what their own baseline predicts. Pure.
/// Baseline: the entity's mentions in the <c>baselineWindows</c> windows before the current one, averaged
/// per window. An entity never seen before has an expectation of 0, so its score is its count over 1: new
/// names rise, but a constant stream of mentions does not trend.
/// </summary>
public static class TrendScorer
{
    /// <summary>Trends of every entity with at least <paramref name="minimumMentions"/> mentions in the window, best first.</summary>
    public static List<EntityTrend> Rank(IEnumerable<EntityMentionHour> hours, DateTimeOffset now, TimeSpan window, int baselineWindows = 7, int minimumMentions = 2)
    {
        var windowStart = now - window;
        var baselineStart = windowStart - window * baselineWindows;
        var byEntity = new Dictionary<string, (int Mentions, int Articles, int Baseline)>(StringComparer.Ordinal);
        foreach (var hour in hours)
        {
            if (hour.Hour >= now || hour.Hour < baselineStart) continue;
            var current = byEntity.GetValueOrDefault(hour.EntityId);
            // An hour bucket belongs to the window when it starts inside it (buckets are whole hours).
            byEntity[hour.EntityId] = hour.Hour >= windowStart
                ? (current.Mentions + hour.Mentions, current.Articles + hour.Articles, current.Baseline)
                : (current.Mentions, current.Articles, current.Baseline + hour.Mentions);
        }
        return byEntity
            .Where(pair => pair.Value.Mentions >= minimumMentions)
            .Select(pair =>
            {
                var expected = (double)pair.Value.Baseline / baselineWindows;
                return new EntityTrend(pair.Key, pair.Value.Mentions, pair.Value.Articles, expected, (pair.Value.Mentions - expected) / Math.Sqrt(expected + 1));
            })
            .OrderByDescending(trend => trend.Score)
            .ThenByDescending(trend => trend.Mentions)
            .ThenBy(trend => trend.EntityId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Reads a window like <c>90m</c>, <c>24h</c>, <c>7d</c> (1 minute to 30 days); null when it is not one.</summary>
    public static TimeSpan? ParseWindow(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length < 2) return null;
        if (!int.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var amount) || amount <= 0) return null;
        TimeSpan? window = char.ToLowerInvariant(text[^1]) switch
        {
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            _ => null,
        };
        return window is { } value && value >= TimeSpan.FromMinutes(1) && value <= TimeSpan.FromDays(30) ? value : null;
    }
}
