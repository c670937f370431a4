using System.Globalization;
using System.Text.RegularExpressions;
using NewsMonitor.Text;

namespace NewsMonitor.Sources.Sources;

/// <summary>
/// The pure decisions of the sources service: ids, canonical feed URLs, validation of the API's input, the poll schedule
/// (interval, <c>ttl</c>, <c>max-age</c>, <c>Retry-After</c>, failure backoff), health status and redirect counting. No I/O;
/// tested directly.
/// </summary>
public static partial class SourceRules
{
    /// <summary>Longest feed URL accepted.</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>Longest interval accepted: 7 days.</summary>
    public const int MaxIntervalSeconds = 7 * 24 * 3600;

    /// <summary>Longest source name.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Polls in a row that must see the same permanent redirect before the stored URL moves.</summary>
    public const int RedirectsToMove = 3;

    /// <summary>Accepted values of <c>kind</c>.</summary>
    public static readonly string[] Kinds = ["auto", "rss", "atom", "sitemap"];

    /// <summary>Accepted values of <c>fetchPages</c>.</summary>
    public static readonly string[] FetchPagesValues = ["auto", "always", "never"];

    private static readonly Guid SourceScope = new("8f0c5a0e-3c1b-4a53-9d35-2f6a9c0e4b17");

    /// <summary>Id of the source whose canonical feed URL is <paramref name="canonicalUrl"/>: the same feed always gets the same id.</summary>
    public static Guid IdOf(string canonicalUrl) => DeterministicId.Create(SourceScope, canonicalUrl);

    /// <summary>Id of the item stream of <paramref name="itemKey"/> in <paramref name="sourceId"/>.</summary>
    public static Guid ItemIdOf(Guid sourceId, string itemKey) => DeterministicId.Create(sourceId, itemKey);

    /// <summary>
    /// The canonical form of an absolute http(s) URL: lower-case scheme and host, no default port, no fragment, path and
    /// query kept as given (feeds differ by query). Null when it is not an absolute http(s) URL.
    /// </summary>
    public static string? Canonical(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)) return null;
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) return null;
        if (string.IsNullOrEmpty(uri.Host) || !string.IsNullOrEmpty(uri.UserInfo)) return null;
        var builder = new UriBuilder(uri) { Fragment = "", Host = uri.Host.ToLowerInvariant(), Scheme = uri.Scheme.ToLowerInvariant() };
        if (uri.IsDefaultPort) builder.Port = -1;
        return builder.Uri.AbsoluteUri;
    }

    /// <summary>Settings of a source as validated from a request.</summary>
    public sealed record ValidSource(string Url, string? Name, string Kind, int IntervalSeconds, string? Language, string FetchPages);

    /// <summary>
    /// Checks a request's fields; returns the settings, or the errors per field (url absolute http(s) up to
    /// <see cref="MaxUrlLength"/>; intervalSeconds in [<paramref name="minIntervalSeconds"/>, 7 days], default
    /// <paramref name="defaultIntervalSeconds"/>; kind and fetchPages from their lists; language a BCP 47 tag; name a
    /// one-line <see cref="TextKind.Name"/> up to <see cref="MaxNameLength"/>).
    /// </summary>
    public static (ValidSource? Source, Dictionary<string, string[]> Errors) Validate(
        string? url, string? name, string? kind, int? intervalSeconds, string? language, string? fetchPages, int minIntervalSeconds, int defaultIntervalSeconds)
    {
        var errors = new Dictionary<string, string[]>();
        string? canonical = null;
        if (string.IsNullOrWhiteSpace(url)) errors["url"] = ["url is required: the address of an RSS or Atom feed or a sitemap."];
        else if (url.Length > MaxUrlLength) errors["url"] = [$"url is {url.Length:N0} characters long; the limit is {MaxUrlLength:N0}."];
        else if (!InputText.Refuse(errors, "url", url, TextKind.Name) && (canonical = Canonical(url)) is null)
            errors["url"] = ["url must be an absolute http or https URL without user information."];

        if (name is not null)
        {
            if (!InputText.Refuse(errors, "name", name, TextKind.Name))
            {
                if (name.Trim().Length == 0) errors["name"] = ["name must not be blank (leave it out to use the feed's host)."];
                else if (name.Length > MaxNameLength) errors["name"] = [$"name is {name.Length:N0} characters long; the limit is {MaxNameLength}."];
            }
        }

        var kindValue = (kind ?? "auto").Trim().ToLowerInvariant();
        if (Array.IndexOf(Kinds, kindValue) < 0) errors["kind"] = [$"kind must be one of {string.Join(", ", Kinds)}."];

        var fetchValue = (fetchPages ?? "auto").Trim().ToLowerInvariant();
        if (Array.IndexOf(FetchPagesValues, fetchValue) < 0) errors["fetchPages"] = [$"fetchPages must be one of {string.Join(", ", FetchPagesValues)}."];

        var interval = intervalSeconds ?? defaultIntervalSeconds;
        if (interval < minIntervalSeconds || interval > MaxIntervalSeconds)
            errors["intervalSeconds"] = [$"intervalSeconds must be between {minIntervalSeconds} and {MaxIntervalSeconds} (7 days)."];

        string? languageValue = null;
        if (language is not null)
        {
            if (!LanguageTag().IsMatch(language)) errors["language"] = ["language must be a language tag such as ar, en or ar-EG."];
            else languageValue = language;
        }

        return errors.Count > 0
            ? (null, errors)
            : (new ValidSource(canonical!, name?.Trim(), kindValue, interval, languageValue, fetchValue), errors);
    }

    /// <summary>
    /// A language tag from what a feed or page declares (<c>&lt;language&gt;</c>, <c>dc:language</c>, <c>lang</c>,
    /// <c>og:locale</c>), or null when it is none: <c>en_US</c> (og:locale's form) becomes <c>en-US</c>, a list
    /// (<c>en-us, ar</c>) gives its first entry, anything else (<c>English</c> aside, which no rule can tell from a
    /// tag) is dropped so ingestion detects the language instead of refusing the article for its feed's header.
    /// </summary>
    public static string? LanguageTagOf(string? declared)
    {
        if (string.IsNullOrWhiteSpace(declared)) return null;
        var first = declared.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (first.Length == 0) return null;
        var tag = first[0].Replace('_', '-');
        return tag.Length <= 35 && LanguageTag().IsMatch(tag) ? tag : null;
    }

    // BCP 47 in the shape feeds use: a 2–3 letter primary language, optional script and region or variant subtags.
    [GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$")]
    private static partial Regex LanguageTag();

    /// <summary>
    /// When a source is next due after a poll that did not fail: now plus the longest of its interval, the feed's
    /// <c>ttl</c>, the response's <c>max-age</c> and its <c>Retry-After</c>. The server may ask for less often, never more.
    /// </summary>
    public static DateTimeOffset NextPoll(DateTimeOffset now, int intervalSeconds, TimeSpan? ttl, TimeSpan? maxAge, TimeSpan? retryAfter)
    {
        var wait = TimeSpan.FromSeconds(intervalSeconds);
        // A ttl or max-age over a day is taken as a day: a broken header must not park a news feed for months.
        var cap = TimeSpan.FromDays(1);
        foreach (var asked in new[] { ttl, maxAge })
            if (asked is { } value && value > wait) wait = value < cap ? value : (cap > wait ? cap : wait);
        if (retryAfter is { } retry && retry > wait) wait = retry;
        return now + wait;
    }

    /// <summary>
    /// When a source is next due after its <paramref name="failures"/>-th failure in a row: the interval doubled per
    /// failure (interval × 2^(failures−1)), capped at <paramref name="maxBackoff"/>, spread by ±20 % jitter
    /// (<paramref name="jitter"/> in [0, 1)) so failing sources do not come back in step, and never before the server's
    /// <c>Retry-After</c>.
    /// </summary>
    public static DateTimeOffset NextPollAfterFailure(DateTimeOffset now, int intervalSeconds, int failures, TimeSpan maxBackoff, TimeSpan? retryAfter, double jitter)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var seconds = Math.Min(intervalSeconds * Math.Pow(2, exponent), maxBackoff.TotalSeconds);
        seconds *= 0.8 + 0.4 * Math.Clamp(jitter, 0, 1);
        var wait = TimeSpan.FromSeconds(Math.Max(1, Math.Min(seconds, maxBackoff.TotalSeconds)));
        if (retryAfter is { } retry && retry > wait) wait = retry;
        return now + wait;
    }

    /// <summary>Status of a source: paused when paused, else by failures in a row (failing from <paramref name="failingAfter"/>, disabled from <paramref name="disabledAfter"/>).</summary>
    public static string StatusOf(bool paused, int consecutiveFailures, int failingAfter = 5, int disabledAfter = 50) =>
        paused ? SourceStatus.Paused
        : consecutiveFailures >= disabledAfter ? SourceStatus.Disabled
        : consecutiveFailures >= failingAfter ? SourceStatus.Failing
        : SourceStatus.Active;

    /// <summary>
    /// Counts permanent redirects: the same target again adds one, another target starts at one, a poll without one (or
    /// a failed poll that never reached the feed) resets. The URL moves when the count reaches <see cref="RedirectsToMove"/>.
    /// </summary>
    public static (string? To, int Count) CountRedirect(string? previousTo, int previousCount, string? seenTo) =>
        seenTo is null ? (null, 0)
        : string.Equals(previousTo, seenTo, StringComparison.Ordinal) ? (seenTo, previousCount + 1)
        : (seenTo, 1);

    /// <summary>Whether a source may be polled now: active or failing, due, and no live lease.</summary>
    public static bool IsDue(Source source, DateTimeOffset now) =>
        !source.Removed && !source.Paused
        && source.Status is SourceStatus.Active or SourceStatus.Failing
        && source.NextPollAt <= now
        && (source.LeaseUntil is null || source.LeaseUntil <= now);

    /// <summary>Name shown for a source without one: the feed's host.</summary>
    public static string DisplayName(Source source) =>
        source.Name ?? (Uri.TryCreate(source.Url, UriKind.Absolute, out var uri) ? uri.Host : source.Url);

    /// <summary>Invariant formatting for messages.</summary>
    internal static string Format(DateTimeOffset at) => at.ToString("u", CultureInfo.InvariantCulture);
}
