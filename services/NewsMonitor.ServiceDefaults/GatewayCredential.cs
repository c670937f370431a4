using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// How a service knows a request came through the gateway: the gateway adds a shared internal credential
/// (<c>NEWSMONITOR_INTERNAL_KEY</c>) to every request it forwards, beside the caller's role and tenant, and each
/// service refuses <c>/api</c> requests without it. Services also listen on loopback only (deploy/local/up).
/// </summary>
public static class GatewayCredential
{
    /// <summary>Header carrying the credential from the gateway to a service.</summary>
    public const string Header = "X-NewsMonitor-Gateway";

    /// <summary>The configured credential, or null when none is (tests of a single service).</summary>
    public static string? KeyFrom(IConfiguration configuration)
    {
        var key = configuration["NEWSMONITOR_INTERNAL_KEY"] ?? configuration["NewsMonitor:InternalKey"];
        return string.IsNullOrWhiteSpace(key) ? null : key;
    }

    /// <summary>
    /// Answers 401 problem+json to <c>/api</c> and <c>/internal</c> requests that do not carry the credential, when one is configured;
    /// without one the service trusts its callers (a single service under test, or a network that is the gateway's alone).
    /// </summary>
    public static WebApplication AcceptOnlyFromGateway(this WebApplication app)
    {
        if (KeyFrom(app.Configuration) is not { } key) return app;
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        app.Use(async (context, next) =>
        {
            if ((context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal) || context.Request.Path.StartsWithSegments("/internal", StringComparison.Ordinal))
                && !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(context.Request.Headers[Header].ToString())), expected))
            {
                await Problems.Unauthorized("This service answers only requests forwarded by the NewsMonitor gateway.").ExecuteAsync(context);
                return;
            }
            await next(context);
        });
        return app;
    }
}
