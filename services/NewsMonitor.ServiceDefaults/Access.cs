using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// Who may call what, in one place for the gateway and every service. Authorization is decided on the endpoint the
/// router selected (after its normalisation of case, percent-encoding and dot segments), never on a raw path prefix:
/// every endpoint needs an authenticated caller (the fallback policy) unless it is marked anonymous, and route groups
/// carry one of these policies. From api.md: operators may do everything; integrators submit articles and read
/// articles, entities, topics and the event feed; subscribers manage their own subscriptions and read their own alerts.
/// </summary>
public static partial class Access
{
    /// <summary>Policy: operators only.</summary>
    public const string Operators = "operators";

    /// <summary>Policy: operators and integrators (article intake; reading articles, entities, topics).</summary>
    public const string Integrators = "integrators";

    /// <summary>Policy: operators and subscribers (subscriptions and alerts, each subscriber within its tenant).</summary>
    public const string Subscribers = "subscribers";

    /// <summary>
    /// Policy of a public route that needs no key (YARP's name for no policy at all): a subscription's Atom feed and the
    /// unsubscribe and confirmation links of alert mail, where the token in the path is the credential. The gateway
    /// rate-limits such requests per remote address.
    /// </summary>
    public const string Anonymous = "anonymous";

    /// <summary>Claim type of the caller's tenant (the role is <see cref="ClaimTypes.Role"/>).</summary>
    public const string TenantClaim = "newsmonitor:tenant";

    /// <summary>The roles a caller may have.</summary>
    public static readonly string[] Roles = ["operator", "integrator", "subscriber"];

    /// <summary>Whether <paramref name="role"/> is one of <see cref="Roles"/> (exact, lower case).</summary>
    public static bool IsRole(string? role) => role is not null && Array.IndexOf(Roles, role) >= 0;

    /// <summary>Whether <paramref name="tenant"/> is a well-formed tenant name.</summary>
    public static bool IsTenant(string? tenant) => tenant is not null && TenantPattern().IsMatch(tenant);

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex TenantPattern();

    /// <summary>An authenticated principal for <paramref name="caller"/> under <paramref name="scheme"/>.</summary>
    public static ClaimsPrincipal PrincipalOf(Caller caller, string scheme) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Role, caller.Role), new Claim(TenantClaim, caller.Tenant)], scheme));

    /// <summary>
    /// Registers the policies and makes every endpoint private unless marked anonymous (<c>AllowAnonymous</c>), so a
    /// route nobody thought about fails closed.
    /// </summary>
    public static IServiceCollection AddAccessPolicies(this IServiceCollection services, string scheme)
    {
        services.AddAuthorization(options =>
        {
            AuthorizationPolicy Roles(params string[] roles) =>
                new AuthorizationPolicyBuilder(scheme).RequireAuthenticatedUser().RequireRole(roles).Build();
            options.AddPolicy(Operators, Roles("operator"));
            options.AddPolicy(Integrators, Roles("operator", "integrator"));
            options.AddPolicy(Subscribers, Roles("operator", "subscriber"));
            options.DefaultPolicy = new AuthorizationPolicyBuilder(scheme).RequireAuthenticatedUser().Build();
            options.FallbackPolicy = options.DefaultPolicy;
        });
        return services;
    }
}
