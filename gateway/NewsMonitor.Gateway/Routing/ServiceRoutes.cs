using NewsMonitor.Gateway.Security;
using NewsMonitor.ServiceDefaults;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace NewsMonitor.Gateway.Routing;

/// <summary>Which service answers which public path (docs/api.md), as YARP routes and clusters.</summary>
public static class ServiceRoutes
{
    /// <summary>The services behind the gateway, by configuration key under <c>Services</c>.</summary>
    public static readonly string[] Services = ["Ingestion", "Classification", "Entities", "Alerting", "Sources", "Events"];

    /// <summary>Adds YARP with the routing table and the caller-identity transform; fails at start without the internal credential.</summary>
    public static WebApplicationBuilder AddServiceRoutes(this WebApplicationBuilder builder)
    {
        var routes = PublicRoutes.Table.Select((entry, index) => new RouteConfig
        {
            RouteId = $"r{index}-{entry.Service.ToLowerInvariant()}",
            ClusterId = entry.Service.ToLowerInvariant(),
            Match = new RouteMatch { Path = entry.Path, Methods = entry.Methods },
            AuthorizationPolicy = entry.Policy,
        }).ToList();
        // Each service's OpenAPI document, for the reference at /docs.
        routes.AddRange(Services.Select(service => new RouteConfig
        {
            RouteId = $"openapi-{service.ToLowerInvariant()}",
            ClusterId = service.ToLowerInvariant(),
            Match = new RouteMatch { Path = $"/openapi/{service.ToLowerInvariant()}.json" },
            Transforms = [new Dictionary<string, string> { ["PathSet"] = "/openapi/v1.json" }],
            // The API reference is public (YARP's name for no policy at all).
            AuthorizationPolicy = "anonymous",
        }));
        var clusters = Services.Select(service => new ClusterConfig
        {
            ClusterId = service.ToLowerInvariant(),
            Destinations = new Dictionary<string, DestinationConfig>
            {
                ["primary"] = new() { Address = builder.Configuration[$"Services:{service}"] ?? throw new InvalidOperationException($"Services:{service} is not configured.") },
            },
        }).ToList();

        var credential = new InternalCredential(GatewayCredential.KeyFrom(builder.Configuration));
        builder.Services.AddSingleton(credential);
        builder.Services.AddReverseProxy()
            .LoadFromMemory(routes, clusters)
            .AddTransforms(context =>
            {
                // Identity headers are the gateway's to set: whatever a client sent is dropped, and the key stays here.
                context.AddRequestHeaderRemove(Caller.RoleHeader);
                context.AddRequestHeaderRemove(Caller.TenantHeader);
                context.AddRequestHeaderRemove(GatewayCredential.Header);
                context.AddRequestHeaderRemove(ApiKeys.Header);
                context.AddRequestTransform(transform =>
                {
                    if (ApiKeysExtensions.KeyOf(transform.HttpContext) is { } key)
                    {
                        transform.ProxyRequest.Headers.TryAddWithoutValidation(Caller.RoleHeader, key.Caller.Role);
                        transform.ProxyRequest.Headers.TryAddWithoutValidation(Caller.TenantHeader, key.Caller.Tenant);
                    }
                    // Services trust the identity headers only beside the shared internal credential.
                    transform.ProxyRequest.Headers.TryAddWithoutValidation(GatewayCredential.Header, credential.Key);
                    return ValueTask.CompletedTask;
                });
            });
        return builder;
    }
}
