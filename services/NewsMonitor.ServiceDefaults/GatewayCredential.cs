using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// How a service knows a request came through the gateway: the gateway adds a shared internal credential
/// (<c>NEWSMONITOR_INTERNAL_KEY</c>) to every request it forwards, beside the caller's role and tenant. A service does
/// not start without the credential, answers 401 to any request (whatever its path's spelling) without it or without an
/// identity, and believes the identity headers only together with it. Only health and the OpenAPI document are
/// anonymous. Services also listen on loopback only (deploy/local/up).
/// </summary>
public static class GatewayCredential
{
    /// <summary>Header carrying the credential from the gateway to a service.</summary>
    public const string Header = "X-NewsMonitor-Gateway";

    /// <summary>The authentication scheme of requests forwarded by the gateway.</summary>
    public const string Scheme = "gateway";

    /// <summary>Shortest credential accepted.</summary>
    public const int MinimumLength = 16;

    /// <summary>The configured credential; throws when none (or a short one) is configured, so nothing starts open.</summary>
    public static string KeyFrom(IConfiguration configuration)
    {
        var key = configuration["NEWSMONITOR_INTERNAL_KEY"] ?? configuration["NewsMonitor:InternalKey"];
        if (string.IsNullOrWhiteSpace(key) || key.Length < MinimumLength)
            throw new InvalidOperationException(
                $"Set NEWSMONITOR_INTERNAL_KEY (at least {MinimumLength} characters), the same on the gateway and every service: services answer only requests the gateway forwards with it. deploy/local/up generates one.");
        return key;
    }

    /// <summary>Registers the gateway-credential authentication and the access policies; fails at start without a credential.</summary>
    public static WebApplicationBuilder AddGatewayCredential(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(new InternalCredential(KeyFrom(builder.Configuration)));
        builder.Services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, GatewayCredentialHandler>(Scheme, null);
        builder.Services.AddAccessPolicies(Scheme);
        return builder;
    }

    /// <summary>Authenticates and authorises every request on the endpoint the router selected.</summary>
    public static WebApplication AcceptOnlyFromGateway(this WebApplication app)
    {
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Adds the credential and the caller's identity to a request a gateway sends a service itself.</summary>
    public static void Authorize(HttpRequestMessage request, string credential, Caller caller)
    {
        request.Headers.Add(Header, credential);
        request.Headers.Add(Caller.RoleHeader, caller.Role);
        request.Headers.Add(Caller.TenantHeader, caller.Tenant);
    }
}

/// <summary>The internal credential, kept as a hash and compared in constant time.</summary>
public sealed class InternalCredential(string key)
{
    private readonly byte[] _hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>The credential itself (the gateway sends it).</summary>
    public string Key { get; } = key;

    /// <summary>Whether <paramref name="presented"/> is the credential; the time taken does not depend on where they differ.</summary>
    public bool Matches(string? presented) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented ?? "")), _hash);
}

/// <summary>
/// The <see cref="GatewayCredential.Scheme"/> handler: the credential, exactly one valid role and exactly one valid
/// tenant make the caller; anything less fails, and a failure answers 401 problem+json (403 when the role may not).
/// </summary>
public sealed class GatewayCredentialHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, InternalCredential credential)
    : ProblemAuthenticationHandler(options, logger, encoder)
{
    private const string NotFromGateway = "This service answers only requests forwarded by the NewsMonitor gateway.";

    /// <inheritdoc />
    protected override string MissingDetail => NotFromGateway;

    /// <inheritdoc />
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var headers = Request.Headers;
        var presented = headers[GatewayCredential.Header];
        if (presented.Count != 1 || !credential.Matches(presented[0]))
            return Task.FromResult(AuthenticateResult.Fail(NotFromGateway));
        var role = headers[Caller.RoleHeader];
        var tenant = headers[Caller.TenantHeader];
        if (role.Count != 1 || !Access.IsRole(role[0]) || tenant.Count != 1 || !Access.IsTenant(tenant[0]))
            return Task.FromResult(AuthenticateResult.Fail("The gateway's request carries no valid caller identity (role and tenant)."));
        var principal = Access.PrincipalOf(new Caller(role[0]!, tenant[0]!), Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }
}
