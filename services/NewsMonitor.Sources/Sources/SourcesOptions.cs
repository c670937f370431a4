namespace NewsMonitor.Sources.Sources;

/// <summary>
/// The service's own settings, bound from the <c>Sources</c> configuration section (the fetcher's settings live in the
/// same section: see <c>Fetching/FetchOptions</c>). Every key is listed in docs/sources.md.
/// </summary>
public sealed class SourcesOptions
{
    /// <summary>Shortest poll interval accepted from the API, in seconds (the floor is 60; tests lower it).</summary>
    public int MinIntervalSeconds { get; set; } = 60;

    /// <summary>Interval of a source added without one, in seconds.</summary>
    public int DefaultIntervalSeconds { get; set; } = 600;

    /// <summary>Polls running at once in one instance.</summary>
    public int MaxConcurrentPolls { get; set; } = 8;

    /// <summary>How often the scheduler looks for due sources.</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a poll's lease lasts; a poller that died is taken over after it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>New items submitted per poll at most; the rest wait for the next poll.</summary>
    public int MaxItemsPerPoll { get; set; } = 100;

    /// <summary>Child sitemaps of a sitemap index read per poll at most.</summary>
    public int MaxChildSitemaps { get; set; } = 20;

    /// <summary>Longest wait after failures (exponential backoff is capped here).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long to wait for ingestion's answer to one article; an item that times out is retried on the next poll.</summary>
    public TimeSpan SubmitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether this instance runs the poller (an API-only replica can turn it off).</summary>
    public bool PollerEnabled { get; set; } = true;
}
