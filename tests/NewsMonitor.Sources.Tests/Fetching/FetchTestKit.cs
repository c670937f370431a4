using Microsoft.Extensions.Options;
using NewsMonitor.Sources.Fetching;

namespace NewsMonitor.Sources.Tests.Fetching;

/// <summary>Builds fetchers for the tests: loopback allowed, short intervals and timeouts unless a test says otherwise.</summary>
internal static class FetchTestKit
{
    /// <summary>
    /// Server timestamps are taken when Kestrel starts handling a request, after the connection is set up; a first
    /// request on a new connection reaches the handler a little later than one on a pooled connection, so two starts the
    /// fetcher spaced by the interval can look this much closer on the server's clock.
    /// </summary>
    public static readonly TimeSpan ServerClockSlack = TimeSpan.FromMilliseconds(50);

    public static PoliteFetcher Fetcher(Action<FetchOptions>? configure = null) => new(Microsoft.Extensions.Options.Options.Create(Options(configure)), TimeProvider.System);

    public static FetchOptions Options(Action<FetchOptions>? configure = null)
    {
        var options = new FetchOptions
        {
            AllowPrivateTargets = true,
            MinIntervalPerHost = TimeSpan.FromMilliseconds(300),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ResponseTimeout = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        return options;
    }

    public static FetchRequest Feed(Uri url, string? etag = null, string? lastModified = null) => new(url, FetchPurpose.Feed, etag, lastModified);

    public static CancellationToken Token => TestContext.Current.CancellationToken;
}
