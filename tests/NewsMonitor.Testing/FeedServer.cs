using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace NewsMonitor.Testing;

/// <summary>
/// A hostile-or-friendly feed server for the sources tests: real Kestrel on 127.0.0.1 and a free port, where a test maps
/// paths to handlers (<see cref="Map(string, RequestDelegate)"/>) or to canned answers (<see cref="Map(string, FeedFixture)"/>),
/// and which records every request it receives (path, method, headers, start and end times taken by the server) so tests
/// can check politeness from the server's side: how many requests overlapped, how far apart they started, which
/// conditional headers were sent. Unmapped paths answer 404 (and are recorded too). Each server is its own host:port, so
/// two servers are two hosts for a per-host limiter.
/// </summary>
public sealed class FeedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, RequestDelegate> _routes = new(StringComparer.Ordinal);
    private readonly List<RecordedRequest> _requests = [];
    private readonly Lock _gate = new();
    private int _inFlight;
    private int _maxInFlight;

    private FeedServer(WebApplication app) => _app = app;

    /// <summary>The server's base address, http://127.0.0.1:port/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The server's authority as a per-host limiter keys it: "127.0.0.1:port".</summary>
    public string HostAndPort => $"{BaseAddress.Host}:{BaseAddress.Port}";

    /// <summary>The most requests the server had in progress at once since it started (or since <see cref="ClearRequests"/>).</summary>
    public int MaxConcurrentRequests { get { lock (_gate) return _maxInFlight; } }

    /// <summary>Starts a server on a free loopback port.</summary>
    public static async Task<FeedServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FeedServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        server.BaseAddress = new Uri(LoopbackHttpServer.AddressOf(app).TrimEnd('/') + "/");
        return server;
    }

    /// <summary>An absolute URL on this server for <paramref name="path"/> (with or without a leading slash; may carry a query).</summary>
    public Uri Url(string path) => new(BaseAddress, path.TrimStart('/'));

    /// <summary>Answers requests to <paramref name="path"/> (the path only, no query) with <paramref name="handler"/>; replaces an earlier mapping.</summary>
    public FeedServer Map(string path, RequestDelegate handler)
    {
        _routes[Normalise(path)] = handler;
        return this;
    }

    /// <summary>Answers requests to <paramref name="path"/> with the canned <paramref name="fixture"/>.</summary>
    public FeedServer Map(string path, FeedFixture fixture) => Map(path, fixture.ServeAsync);

    /// <summary>Every request received so far, in the order they started.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get { lock (_gate) return [.. _requests]; }
    }

    /// <summary>The requests received for <paramref name="path"/> (path only), in the order they started.</summary>
    public IReadOnlyList<RecordedRequest> RequestsTo(string path)
    {
        var wanted = Normalise(path);
        return [.. Requests.Where(request => request.Path == wanted)];
    }

    /// <summary>Forgets the recorded requests and the concurrency high-water mark.</summary>
    public void ClearRequests()
    {
        lock (_gate)
        {
            _requests.Clear();
            _maxInFlight = _inFlight;
        }
    }

    /// <summary>
    /// The most of <paramref name="requests"/> in progress at the same moment, from their server timestamps (a request
    /// still running counts as running now).
    /// </summary>
    public static int MaxOverlap(IEnumerable<RecordedRequest> requests)
    {
        var edges = requests
            .SelectMany(request => new[] { (At: request.Started, Delta: 1), (At: request.Ended ?? DateTimeOffset.MaxValue, Delta: -1) })
            .OrderBy(edge => edge.At).ThenBy(edge => edge.Delta); // an end and a start at the same tick do not overlap
        int current = 0, max = 0;
        foreach (var edge in edges)
        {
            current += edge.Delta;
            max = Math.Max(max, current);
        }
        return max;
    }

    /// <summary>The smallest gap between consecutive request starts in <paramref name="requests"/>; null with fewer than two.</summary>
    public static TimeSpan? MinGapBetweenStarts(IEnumerable<RecordedRequest> requests) =>
        TimeGaps.Smallest(requests.Select(request => request.Started - DateTimeOffset.UnixEpoch));

    /// <summary>
    /// An http://127.0.0.1:port/ address where nothing listens (a port taken from the OS and released at once), for
    /// connection-refused tests.
    /// </summary>
    public static Uri ClosedPortUrl(string path = "feed.xml")
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/{path.TrimStart('/')}");
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var recorded = new RecordedRequest(
            Normalise(context.Request.Path.Value ?? "/"),
            context.Request.QueryString.Value ?? "",
            context.Request.Method,
            context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            DateTimeOffset.UtcNow);
        lock (_gate)
        {
            _requests.Add(recorded);
            _inFlight++;
            _maxInFlight = Math.Max(_maxInFlight, _inFlight);
        }
        try
        {
            if (_routes.TryGetValue(recorded.Path, out var handler)) await handler(context);
            else context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.CompleteAsync();
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            recorded.Aborted = true; // the client hung up (a timeout or a byte cap on its side): expected in hostile tests
        }
        finally
        {
            recorded.Ended = DateTimeOffset.UtcNow;
            if (!recorded.Aborted) recorded.StatusCode = context.Response.StatusCode;
            lock (_gate) _inFlight--;
        }
    }

    private static string Normalise(string path) => "/" + path.Split('?', 2)[0].TrimStart('/');
}

/// <summary>One request as the <see cref="FeedServer"/> saw it; times are the server's clock (UTC).</summary>
public sealed class RecordedRequest(string path, string query, string method, IReadOnlyDictionary<string, string> headers, DateTimeOffset started)
{
    /// <summary>The request path, with a leading slash and no query.</summary>
    public string Path { get; } = path;

    /// <summary>The query string with its "?", or empty.</summary>
    public string Query { get; } = query;

    /// <summary>GET, HEAD, …</summary>
    public string Method { get; } = method;

    /// <summary>The request headers (case-insensitive names; repeated values joined by commas).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; } = headers;

    /// <summary>When the server started handling the request.</summary>
    public DateTimeOffset Started { get; } = started;

    /// <summary>When the server finished the response (or saw the client abort); null while in progress.</summary>
    public DateTimeOffset? Ended { get; internal set; }

    /// <summary>The status the server answered (0 if the client aborted before the response completed).</summary>
    public int StatusCode { get; internal set; }

    /// <summary>True when the client closed the connection before the response was complete.</summary>
    public bool Aborted { get; internal set; }

    /// <summary>The If-None-Match header, or null.</summary>
    public string? IfNoneMatch => Header("If-None-Match");

    /// <summary>The If-Modified-Since header, or null.</summary>
    public string? IfModifiedSince => Header("If-Modified-Since");

    /// <summary>The User-Agent header, or null.</summary>
    public string? UserAgent => Header("User-Agent");

    /// <summary>A request header by name, or null when absent.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Method} {Path}{Query} {Started:HH:mm:ss.fff}–{Ended:HH:mm:ss.fff} → {(Aborted ? "aborted" : StatusCode.ToString(CultureInfo.InvariantCulture))}";
}

/// <summary>
/// A canned answer for <see cref="FeedServer.Map(string, FeedFixture)"/>: status, headers and body, optionally delayed,
/// dripped byte by byte, gzip-compressed, or conditional (answers 304 when the request's If-None-Match matches
/// <see cref="ETag"/> or its If-Modified-Since is not before <see cref="LastModified"/>).
/// </summary>
public sealed record FeedFixture
{
    /// <summary>The HTTP status (200 unless set).</summary>
    public int Status { get; init; } = StatusCodes.Status200OK;

    /// <summary>The Content-Type, or null for none.</summary>
    public string? ContentType { get; init; } = "application/rss+xml; charset=utf-8";

    /// <summary>The body bytes as sent (unless <see cref="Gzip"/>, which compresses them first).</summary>
    public byte[] Body { get; init; } = [];

    /// <summary>Extra response headers (Location, Retry-After, Cache-Control, Content-Encoding for pre-encoded bodies, …).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Wait this long before sending anything.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>When set, send the body one byte at a time with this pause between bytes (a drip-feeding server).</summary>
    public TimeSpan? Drip { get; init; }

    /// <summary>Compress <see cref="Body"/> with gzip and say Content-Encoding: gzip.</summary>
    public bool Gzip { get; init; }

    /// <summary>The entity tag to send (quoted, e.g. "\"v1\""); a request whose If-None-Match carries it gets 304.</summary>
    public string? ETag { get; init; }

    /// <summary>The Last-Modified to send; a request whose If-Modified-Since is not before it gets 304.</summary>
    public DateTimeOffset? LastModified { get; init; }

    /// <summary>A 200 with a UTF-8 text body.</summary>
    public static FeedFixture Text(string body, string contentType = "application/rss+xml; charset=utf-8") =>
        new() { Body = Encoding.UTF8.GetBytes(body), ContentType = contentType };

    /// <summary>A status with no body (404, 500, 429, …), with optional headers.</summary>
    public static FeedFixture StatusOnly(int status, IReadOnlyDictionary<string, string>? headers = null) =>
        new() { Status = status, ContentType = null, Headers = headers ?? new Dictionary<string, string>() };

    /// <summary>A redirect to <paramref name="location"/> (absolute or relative, sent as written) with <paramref name="status"/> (302 unless set).</summary>
    public static FeedFixture Redirect(string location, int status = StatusCodes.Status302Found) =>
        StatusOnly(status, new Dictionary<string, string> { ["Location"] = location });

    /// <summary>
    /// A gzip body of zeros that expands to <paramref name="expandedBytes"/> (a gzip bomb: about 1 KB compressed per MB
    /// expanded), served with Content-Encoding: gzip.
    /// </summary>
    public static FeedFixture GzipBomb(long expandedBytes)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[64 * 1024];
            for (var left = expandedBytes; left > 0; left -= zeros.Length)
                gzip.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
        }
        return new FeedFixture
        {
            Body = compressed.ToArray(),
            Headers = new Dictionary<string, string> { ["Content-Encoding"] = "gzip" },
        };
    }

    internal async Task ServeAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay, aborted);
        var response = context.Response;
        if (ETag is not null) response.Headers.ETag = ETag;
        if (LastModified is { } lastModified) response.Headers.LastModified = lastModified.ToString("R", CultureInfo.InvariantCulture);
        foreach (var (name, value) in Headers) response.Headers[name] = value;
        if (IsNotModified(context.Request))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        response.StatusCode = Status;
        if (ContentType is not null) response.ContentType = ContentType;
        var body = Body;
        if (Gzip)
        {
            using var compressed = new MemoryStream();
            using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(body);
            body = compressed.ToArray();
            response.Headers.ContentEncoding = "gzip";
        }
        if (body.Length == 0) return;
        response.ContentLength = body.Length;
        if (Drip is not { } drip)
        {
            await response.Body.WriteAsync(body, aborted);
            return;
        }
        for (var i = 0; i < body.Length; i++)
        {
            await response.Body.WriteAsync(body.AsMemory(i, 1), aborted);
            await response.Body.FlushAsync(aborted);
            if (i < body.Length - 1) await Task.Delay(drip, aborted);
        }
    }

    private bool IsNotModified(HttpRequest request)
    {
        var ifNoneMatch = request.Headers.IfNoneMatch.ToString();
        if (ETag is not null && ifNoneMatch.Length > 0)
            return ifNoneMatch.Split(',').Any(tag => tag.Trim() == ETag || tag.Trim() == "*");
        return LastModified is { } lastModified
            && DateTimeOffset.TryParse(request.Headers.IfModifiedSince.ToString(), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var since)
            && since >= lastModified.AddTicks(-(lastModified.Ticks % TimeSpan.TicksPerSecond)); // HTTP dates have whole seconds
    }
}
