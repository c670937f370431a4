using Microsoft.AspNetCore.Http;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// Who is calling, as the gateway established it from the API key. The gateway removes these headers from
/// incoming requests and sets them itself; services listen on loopback only, so only the gateway reaches them.
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

    /// <summary>The caller of the current request; a request without identity headers is the gateway's operator.</summary>
    public static Caller From(HttpContext context)
    {
        var role = context.Request.Headers[RoleHeader].ToString();
        var tenant = context.Request.Headers[TenantHeader].ToString();
        return new Caller(string.IsNullOrEmpty(role) ? "operator" : role, string.IsNullOrEmpty(tenant) ? DefaultTenant : tenant);
    }

    /// <summary>Whether the caller may see data owned by <paramref name="tenant"/>.</summary>
    public bool CanSee(string tenant) => IsOperator || tenant == Tenant;
}
