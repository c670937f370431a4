namespace NewsMonitor.Sources.Fetching;

/// <summary>What a fetch is for; it only changes the Accept header (both follow the same per-host politeness).</summary>
public enum FetchPurpose
{
    /// <summary>An RSS, Atom or sitemap document.</summary>
    Feed,

    /// <summary>An article page, fetched to extract its text.</summary>
    Page,
}

/// <summary>One fetch: the URL and, for a conditional GET, the validators remembered from the last answer.</summary>
/// <param name="Url">An absolute http or https URL.</param>
/// <param name="Purpose">Feed or page.</param>
/// <param name="ETag">The last ETag, sent as If-None-Match.</param>
/// <param name="LastModified">The last Last-Modified, sent as If-Modified-Since.</param>
public sealed record FetchRequest(Uri Url, FetchPurpose Purpose, string? ETag = null, string? LastModified = null);

/// <summary>How a fetch ended.</summary>
public enum FetchStatus
{
    /// <summary>A 2xx answer with its body.</summary>
    Ok,

    /// <summary>A 304 to a conditional GET: nothing new.</summary>
    NotModified,

    /// <summary>Anything else; <see cref="FetchResult.Error"/> says what.</summary>
    Failed,
}

/// <summary>
/// The outcome of a fetch. Never an exception for network or HTTP trouble: failures carry a human
/// <paramref name="Error"/> (e.g. "HTTP 404 Not Found", "timed out after 30 s").
/// </summary>
/// <param name="Status">Ok, NotModified or Failed.</param>
/// <param name="RequestedUrl">The URL asked for.</param>
/// <param name="FinalUrl">The URL of the last hop requested (after redirects), or the requested URL when none was made.</param>
/// <param name="HttpStatus">The last HTTP status received; null when no answer came (refused, timed out, backing off).</param>
/// <param name="Body">The body after decompression (Ok only).</param>
/// <param name="ContentType">The Content-Type header as sent, with its charset (Ok only).</param>
/// <param name="ETag">The answer's ETag (on 304 without one, the request's), to send next time.</param>
/// <param name="LastModified">The answer's Last-Modified (on 304 without one, the request's), to send next time.</param>
/// <param name="MaxAge">Cache-Control max-age, when given.</param>
/// <param name="RetryAfter">Retry-After (seconds or HTTP date, as a delay from now) when given; when the host is backing
/// off, how long is left.</param>
/// <param name="PermanentRedirect">When the chain from <paramref name="RequestedUrl"/> began with permanent redirects (301,
/// 308), where those led: the end of the leading permanent hops (a temporary hop after them does not move the feed). Set
/// only when the fetch succeeded (Ok or NotModified), so a feed is never moved to a URL that fails.</param>
/// <param name="Error">Why it failed; null unless Failed.</param>
public sealed record FetchResult(
    FetchStatus Status,
    Uri RequestedUrl,
    Uri FinalUrl,
    int? HttpStatus,
    byte[]? Body,
    string? ContentType,
    string? ETag,
    string? LastModified,
    TimeSpan? MaxAge,
    TimeSpan? RetryAfter,
    Uri? PermanentRedirect,
    string? Error);
