using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Gateway.Security;

/// <summary>Limits of the door, from configuration section <c>Gateway</c>.</summary>
public sealed class DoorOptions
{
    /// <summary>Requests a key may make in a burst.</summary>
    public int BurstPerKey { get; set; } = 200;

    /// <summary>Requests a key regains each second (its sustained rate).</summary>
    public int PerSecondPerKey { get; set; } = 20;

    /// <summary>Largest request body accepted (batch imports of 1,000 articles fit).</summary>
    public long MaxRequestBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Key-less requests (Atom feeds) one remote address may make in a burst.</summary>
    public int BurstPerAddress { get; set; } = 60;

    /// <summary>Key-less requests one remote address regains each second.</summary>
    public int PerSecondPerAddress { get; set; } = 1;

    /// <summary>How often the key of a long request (an alert stream) is checked again; a revoked key's request ends.</summary>
    public double RecheckKeySeconds { get; set; } = 2;
}

/// <summary>Rate limits per key, request body limits, and security headers.</summary>
public static class DoorPolicies
{
    /// <summary>
    /// Registers the rate limiter: a token bucket per API key, and one per remote address for key-less requests to the
    /// anonymous public routes (Atom feeds: each costs the service a lookup); 429 problem with <c>Retry-After</c> when
    /// empty. Key-less requests elsewhere are not limited: they answer 401 at the door and cost nothing behind it.
    /// </summary>
    public static WebApplicationBuilder AddDoorPolicies(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Gateway").Get<DoorOptions>() ?? new DoorOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                ApiKeysExtensions.KeyOf(context) is { } key
                    ? RateLimitPartition.GetTokenBucketLimiter("key:" + key.Id.ToString("N"), _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = options.BurstPerKey,
                        TokensPerPeriod = options.PerSecondPerKey,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    })
                    // Without a known address (a Unix socket, a test server) such callers share one bucket rather than none.
                    : AnonymousRoute(context)
                        ? RateLimitPartition.GetTokenBucketLimiter("address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown"), _ => new TokenBucketRateLimiterOptions
                        {
                            TokenLimit = options.BurstPerAddress,
                            TokensPerPeriod = options.PerSecondPerAddress,
                            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                            QueueLimit = 0,
                            AutoReplenishment = true,
                        })
                        : RateLimitPartition.GetNoLimiter("no key"));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                var detail = ApiKeysExtensions.KeyOf(context.HttpContext) is null
                    ? $"This address sent more than {options.BurstPerAddress} requests without a key in a burst or {options.PerSecondPerAddress} a second; retry after {retryAfter} s."
                    : $"This key sent more than {options.BurstPerKey} requests in a burst or {options.PerSecondPerKey} a second; retry after {retryAfter} s.";
                await Problems.Of(StatusCodes.Status429TooManyRequests, "Too many requests", detail).ExecuteAsync(context.HttpContext);
            };
        });
        return builder;
    }

    // A proxied route that needs no key (PublicRoutes with Access.Anonymous, and the services' OpenAPI documents).
    private static bool AnonymousRoute(HttpContext context) =>
        context.GetEndpoint()?.Metadata is { } metadata && metadata.GetMetadata<Yarp.ReverseProxy.Model.RouteModel>() is not null
        && metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null;

    /// <summary>Security headers on every answer; <c>no-store</c> on API answers. No CORS: browsers may call only from the dashboard's own origin.</summary>
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
                // The API reference at /docs (Scalar) needs inline scripts and styles; the dashboard does not.
                var inline = context.Request.Path.StartsWithSegments("/docs", StringComparison.OrdinalIgnoreCase) ? " 'unsafe-inline'" : "";
                headers.ContentSecurityPolicy = $"default-src 'self'; img-src 'self' data:; style-src 'self'{inline}; script-src 'self'{inline}; connect-src 'self'; "
                    + "font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
                if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)) headers.CacheControl = "no-store";
                return Task.CompletedTask;
            });
            await next(context);
        });
        return app;
    }

    /// <summary>413 problem for a body over the limit: at once when <c>Content-Length</c> says so, else when the server reads past it.</summary>
    public static WebApplication UseBodyLimit(this WebApplication app)
    {
        var limit = app.Services.GetRequiredService<DoorOptions>().MaxRequestBodyBytes;
        app.Use(async (context, next) =>
        {
            if (context.Request.ContentLength > limit)
            {
                await Problems.Of(StatusCodes.Status413PayloadTooLarge, "Payload too large",
                    $"The request body is {context.Request.ContentLength:N0} bytes; the limit is {limit:N0}.").ExecuteAsync(context);
                return;
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = limit;
            await next(context);
        });
        return app;
    }

    /// <summary>Applies the rate limiter (after authentication, so it is per key).</summary>
    public static WebApplication UseKeyRateLimits(this WebApplication app)
    {
        app.UseRateLimiter();
        return app;
    }
}
