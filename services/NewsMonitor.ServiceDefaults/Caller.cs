using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// Who is calling, as the gateway established it from the API key. The gateway removes the identity headers from
/// incoming requests and sets them itself beside the internal credential; a service believes them only together with
/// that credential (<see cref="GatewayCredential"/>) and turns them into the request's authenticated principal.
/// </summary>
public sealed record Caller(string Role, string Tenant)
{
    /// <summary>Header carrying the caller's role (operator, integrator, subscriber).</summary>
    public const string RoleHeader = "X-NewsMonitor-Role";

    /// <summary>Header carrying the caller's tenant.</summary>
    public const string TenantHeader = "X-NewsMonitor-Tenant";

    /// <summary>Tenant of callers that have none (operators' own subscriptions).</summary>
    public const string DefaultTenant = "default";

    /// <summary>Whether the caller sees every tenant's data.</summary>
    public bool IsOperator => Role == "operator";

    /// <summary>
    /// The authenticated caller of the current request. Every endpoint but the anonymous ones (health, OpenAPI) requires
    /// one, so a handler never runs without it; asking anyway is a programming error, not an operator.
    /// </summary>
    public static Caller From(HttpContext context) => From(context.User)
        ?? throw new InvalidOperationException($"{context.Request.Path} ran without an authenticated caller: mark it with an access policy.");

    /// <summary>The caller a principal stands for, or null when it is not authenticated.</summary>
    public static Caller? From(ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated == true && user.FindFirstValue(ClaimTypes.Role) is { } role && user.FindFirstValue(Access.TenantClaim) is { } tenant
            ? new Caller(role, tenant)
            : null;

    /// <summary>Whether the caller may see data owned by <paramref name="tenant"/>.</summary>
    public bool CanSee(string tenant) => IsOperator || tenant == Tenant;
}
