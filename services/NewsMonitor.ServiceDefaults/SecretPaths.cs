using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Instrumentation.AspNetCore;
using OpenTelemetry.Instrumentation.Http;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// Paths that carry a bearer credential (a subscription's Atom feed, <c>/feeds/{token}.atom</c>, and the unsubscribe and
/// confirmation links of alert mail, <c>/unsubscribe/{token}</c> and <c>/email/confirm/{token}</c>): the path is the secret, so neither logs nor traces may hold it. The framework's request logs (which print the path and put it in
/// every log scope of the request) and the router's and YARP's debug logs are silenced, and traces show the path with
/// the token replaced.
/// </summary>
public static class SecretPaths
{
    /// <summary>What a feed's secret path is shown as (the others keep their own prefix the same way).</summary>
    public const string Redacted = "/feeds/[redacted]";

    /// <summary>The prefixes of paths whose rest is a credential.</summary>
    public static readonly string[] SecretPrefixes = ["/feeds/", "/unsubscribe/", "/email/confirm/"];

    /// <summary>
    /// The framework's request log: it prints the path, and opens the log scope of every request with it (shown by any
    /// provider that includes scopes). Off entirely: a category that is on at any level opens that scope. It logs requests
    /// at Information and Debug only; a failed start is still thrown and logged by the host.
    /// </summary>
    public const string RequestLogCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>Log categories that print a request's path or URL at Information or Debug: only those levels go.</summary>
    public static readonly string[] PathLoggingCategories =
    [
        "Microsoft.AspNetCore.Routing.Matching.DfaMatcher",
        "Microsoft.AspNetCore.Routing.EndpointRoutingMiddleware",
        "Microsoft.AspNetCore.StaticFiles",
        "Yarp.ReverseProxy.Forwarder.HttpForwarder",
        "System.Net.Http.HttpClient",
    ];

    /// <summary>Whether <paramref name="path"/> carries a credential (any case: the router matches paths case-insensitively).</summary>
    public static bool IsSecret(string? path) => PrefixOf(path) is not null;

    /// <summary><paramref name="path"/> with its credential replaced, e.g. <c>/unsubscribe/[redacted]</c>; other paths as they are.</summary>
    public static string? Redact(string? path) => PrefixOf(path) is { } prefix ? prefix + "[redacted]" : path;

    private static string? PrefixOf(string? path) =>
        path is null ? null : Array.Find(SecretPrefixes, prefix => path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Keeps secret paths out of logs and traces: <see cref="RequestLogCategory"/> is off, and the categories of <see cref="PathLoggingCategories"/> are off below
    /// Warning whatever the configuration says (a more specific rule than any <c>Logging:LogLevel</c> a deployment sets
    /// for <c>Microsoft.AspNetCore</c> or <c>Yarp</c>), and spans of such requests carry the redacted path.
    /// </summary>
    public static WebApplicationBuilder AddSecretPathRedaction(this WebApplicationBuilder builder)
    {
        builder.Logging.AddFilter(RequestLogCategory, LogLevel.None);
        foreach (var category in PathLoggingCategories) builder.Logging.AddFilter(category, level => level >= LogLevel.Warning);
        builder.Services.Configure<AspNetCoreTraceInstrumentationOptions>(options => options.EnrichWithHttpRequest = (activity, request) =>
        {
            if (!IsSecret(request.Path.Value)) return;
            activity.SetTag("url.path", Redact(request.Path.Value));
            activity.SetTag("url.query", null);
        });
        builder.Services.Configure<HttpClientTraceInstrumentationOptions>(options => options.EnrichWithHttpRequestMessage = (activity, request) =>
        {
            if (request.RequestUri is not { } uri || !IsSecret(uri.AbsolutePath)) return;
            activity.SetTag("url.full", $"{uri.Scheme}://{uri.Authority}{Redact(uri.AbsolutePath)}");
        });
        return builder;
    }
}
