namespace NewsMonitor.Sources.Fetching;

/// <summary>
/// How the sources service fetches other people's feeds and pages, bound from the configuration section "Sources"
/// (Sources:MaxConcurrentPerHost, Sources:MinIntervalPerHost as "00:00:01", …; Sources__AllowPrivateTargets=true in the
/// environment). The defaults are the politeness rules.
/// </summary>
public sealed class FetchOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string Section = "Sources";

    /// <summary>At most this many requests in progress to one host:port at once.</summary>
    public int MaxConcurrentPerHost { get; set; } = 2;

    /// <summary>At least this long between the starts of two requests to one host:port.</summary>
    public TimeSpan MinIntervalPerHost { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Give up connecting after this long.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Give up on one request (connect, headers and the whole body of one hop) after this long.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest body accepted, counted after decompression (so a gzip bomb stops here).</summary>
    public long MaxResponseBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>The most redirects followed (each hop is checked by the outbound address policy).</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>The least a host is left alone after it answers 429 or 503 (longer when its Retry-After says so).</summary>
    public TimeSpan HostBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Allow loopback, private and unique-local targets (tests and intranets); public addresses only otherwise.</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>The User-Agent sent with every request; a deployment should put a contact URL in it for site owners.</summary>
    public string UserAgent { get; set; } = "NewsMonitor/1.0 (news monitor; operators set Sources:UserAgent to add a contact URL)";
}
