using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Sources.Fetching;

/// <summary>
/// Fetches feeds and pages from other people's servers as a good citizen (docs/sources.md, "Fetching as a good citizen"):
/// one <see cref="HttpClient"/> over <see cref="OutboundAddressPolicy.CreateHandler"/> (every connection to a checked
/// address, no proxy), redirects followed by hand so each hop is checked and limited, per-host politeness
/// (<see cref="HostLimiter"/>), conditional GET, a whole-response timeout per hop and a byte cap counted after
/// decompression. One instance per process (a singleton): the per-host limits only hold if every fetch goes through it.
/// <para>A host that answered 429 or 503 is not asked again until max(HostBackoff, Retry-After) has passed; a fetch to
/// it meanwhile fails at once with "host … backing off until …" and its <see cref="FetchResult.RetryAfter"/> set to the
/// time left, so pollers reschedule instead of blocking. Waiting for a slot or for the interval between starts is
/// bounded by the requests ahead (each bounded by the timeouts) and by the caller's cancellation.</para>
/// </summary>
public sealed class PoliteFetcher : IDisposable
{
    private const string FeedAccept = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8";
    private const string PageAccept = "text/html, application/xhtml+xml;q=0.9, */*;q=0.8";
    private static readonly TimeSpan LongestRetryAfter = TimeSpan.FromDays(1); // a server cannot park a host for years

    private readonly FetchOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient _client;

    /// <summary>Creates the fetcher with its own client and limiter.</summary>
    public PoliteFetcher(IOptions<FetchOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        var handler = OutboundAddressPolicy.CreateHandler(allowLocalNetworks: _options.AllowPrivateTargets);
        handler.AllowAutoRedirect = false;
        handler.AutomaticDecompression = DecompressionMethods.All;
        handler.ConnectTimeout = _options.ConnectTimeout;
        handler.PooledConnectionLifetime = TimeSpan.FromMinutes(5);
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", _options.UserAgent);
        Limiter = new HostLimiter(_options.MaxConcurrentPerHost, _options.MinIntervalPerHost, time);
    }

    internal HostLimiter Limiter { get; }

    /// <summary>
    /// Fetches <paramref name="request"/>'s URL, following up to MaxRedirects redirects. Never throws for network or HTTP
    /// trouble (the result says Failed and why); throws <see cref="OperationCanceledException"/> only when
    /// <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task<FetchResult> FetchAsync(FetchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var url = request.Url;
        var visited = new List<Uri>();
        Uri? permanent = null;
        var stillPermanent = true; // the chain so far is all 301/308
        while (true)
        {
            if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
                return Failed(request, url, null, $"{url} is not an http or https URL.");
            visited.Add(url);
            var hop = await FetchOnceAsync(request, url, cancellationToken);
            if (hop.Redirect is not { } location) return hop.Result with { PermanentRedirect = hop.Result.Status == FetchStatus.Failed ? null : permanent };
            if (visited.Any(seen => seen.Equals(location)))
                return Failed(request, url, hop.Result.HttpStatus, $"redirect loop: {string.Join(" → ", visited.Append(location))}");
            if (visited.Count > _options.MaxRedirects)
                return Failed(request, url, hop.Result.HttpStatus, $"more than {_options.MaxRedirects} redirects (the last one, from {url}, went to {location})");
            stillPermanent &= hop.Result.HttpStatus is 301 or 308;
            if (stillPermanent) permanent = location;
            url = location;
        }
    }

    /// <summary>Frees the client.</summary>
    public void Dispose() => _client.Dispose();

    private readonly record struct Hop(FetchResult Result, Uri? Redirect);

    private async Task<Hop> FetchOnceAsync(FetchRequest request, Uri url, CancellationToken cancellationToken)
    {
        var (lease, backingOffUntil, reason) = await Limiter.AcquireAsync(HostLimiter.KeyOf(url), cancellationToken);
        if (lease is null)
        {
            var left = backingOffUntil!.Value - _time.GetUtcNow();
            return new Hop(Failed(request, url, null,
                $"host {HostLimiter.KeyOf(url)} backing off until {backingOffUntil:yyyy-MM-dd HH:mm:ss} UTC ({reason})") with { RetryAfter = left > TimeSpan.Zero ? left : TimeSpan.Zero }, null);
        }
        using (lease)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ResponseTimeout);
            int? status = null; // known once the headers came, so a body that never finishes still says what began
            try
            {
                using var message = new HttpRequestMessage(HttpMethod.Get, url);
                message.Headers.TryAddWithoutValidation("Accept", request.Purpose == FetchPurpose.Page ? PageAccept : FeedAccept);
                if (IsSafeHeaderValue(request.ETag)) message.Headers.TryAddWithoutValidation("If-None-Match", request.ETag);
                if (IsSafeHeaderValue(request.LastModified)) message.Headers.TryAddWithoutValidation("If-Modified-Since", request.LastModified);
                using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                status = (int)response.StatusCode;
                return await ReadAsync(request, url, response, lease, timeout.Token);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                return new Hop(Failed(request, url, status, $"timed out after {Seconds(_options.ResponseTimeout)} (no complete answer from {url})"), null);
            }
            catch (Exception exception)
            {
                return new Hop(Failed(request, url, status, Describe(exception, url)), null);
            }
        }
    }

    private async Task<Hop> ReadAsync(FetchRequest request, Uri url, HttpResponseMessage response, HostLimiter.HostLease lease, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var now = _time.GetUtcNow();
        var retryAfter = RetryAfterOf(response.Headers.RetryAfter, now);
        var etag = HeaderOf(response.Headers, "ETag");
        var lastModified = HeaderOf(response.Content.Headers, "Last-Modified");
        var maxAge = response.Headers.CacheControl?.MaxAge;
        if (status is 429 or 503)
        {
            var backoff = retryAfter is { } asked && asked > _options.HostBackoff ? asked : _options.HostBackoff;
            lease.BackOff(now + backoff, $"it answered HTTP {status} at {now:HH:mm:ss} UTC");
        }
        var result = new FetchResult(FetchStatus.Failed, request.Url, url, status, null, null, etag, lastModified, maxAge, retryAfter, null, null);
        if (status is 301 or 302 or 303 or 307 or 308)
        {
            var location = response.Headers.Location;
            if (location is null) return new Hop(result with { Error = $"HTTP {status} redirect from {url} without a Location" }, null);
            return new Hop(result, location.IsAbsoluteUri ? location : new Uri(url, location));
        }
        if (status == 304)
            return new Hop(result with { Status = FetchStatus.NotModified, ETag = etag ?? request.ETag, LastModified = lastModified ?? request.LastModified }, null);
        if (status is < 200 or > 299)
            return new Hop(result with { Error = $"HTTP {status} {(string.IsNullOrEmpty(response.ReasonPhrase) ? ((HttpStatusCode)status).ToString() : response.ReasonPhrase)}" }, null);
        if (response.Content.Headers.ContentLength is { } declared && declared > _options.MaxResponseBytes && response.Content.Headers.ContentEncoding.Count == 0)
            return new Hop(result with { Error = $"response larger than {_options.MaxResponseBytes} bytes (Content-Length {declared})" }, null);
        var body = await ReadCappedAsync(response.Content, _options.MaxResponseBytes, cancellationToken);
        if (body is null)
            return new Hop(result with { Error = $"response larger than {_options.MaxResponseBytes} bytes after decompression" }, null);
        return new Hop(result with { Status = FetchStatus.Ok, Body = body, ContentType = response.Content.Headers.ContentType?.ToString() }, null);
    }

    // Reads the (already decompressed) stream in chunks and stops one byte past the cap: a gzip bomb is never inflated
    // further than that. Null when the body is larger than the cap.
    private static async Task<byte[]?> ReadCappedAsync(HttpContent content, long cap, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0) return buffer.ToArray();
            if (buffer.Length + read > cap) return null;
            buffer.Write(chunk, 0, read);
        }
    }

    /// <summary>Retry-After as a delay from <paramref name="now"/>: seconds or an HTTP date (past dates are zero), at most a day; null when absent or malformed.</summary>
    internal static TimeSpan? RetryAfterOf(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        TimeSpan? delay = header switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
            _ => null,
        };
        if (delay is null || delay < TimeSpan.Zero) return null;
        return delay > LongestRetryAfter ? LongestRetryAfter : delay;
    }

    private static string? HeaderOf(HttpHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;

    private static bool IsSafeHeaderValue(string? value) =>
        !string.IsNullOrWhiteSpace(value) && !value.Any(character => character is '\r' or '\n' or '\0');

    // A sentence for the source's record: the policy's own reason when it refused the address, else what went wrong.
    private static string Describe(Exception exception, Uri url)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is OutboundAddressRefusedException refused) return refused.Message;
        }
        return exception switch
        {
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } http =>
                $"could not connect to {url.Authority}: {http.Message}",
            OperationCanceledException or TimeoutException => $"could not connect to {url.Authority}: {exception.Message}",
            InvalidDataException => $"the body from {url} could not be decompressed: {exception.Message}",
            _ => $"request to {url} failed: {exception.Message}",
        };
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static FetchResult Failed(FetchRequest request, Uri url, int? status, string error) =>
        new(FetchStatus.Failed, request.Url, url, status, null, null, null, null, null, null, null, error);
}
