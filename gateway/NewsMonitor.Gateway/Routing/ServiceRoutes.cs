using NewsMonitor.Gateway.Security;
using NewsMonitor.ServiceDefaults;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace NewsMonitor.Gateway.Routing;

/// <summary>Which service answers which public path (docs/api.md), as YARP routes and clusters.</summary>
public static class ServiceRoutes
{
    /// <summary>The services behind the gateway, by configuration key under <c>Services</c>.</summary>
    public static readonly string[] Services = ["Ingestion", "Classification", "Entities", "Alerting"];

    /// <summary>Public path patterns and the service that owns each; the more specific article paths win over the catch-all.</summary>
    public static readonly (string Path, string Service)[] Table =
    [
        ("/api/v1/articles/{id}/topics", "Classification"),
        ("/api/v1/articles/{id}/entities", "Entities"),
        ("/api/v1/articles/{**rest}", "Ingestion"),
        ("/api/v1/topics/{**rest}", "Classification"),
        ("/api/v1/entities/{**rest}", "Entities"),
        ("/api/v1/subscriptions/{**rest}", "Alerting"),
        ("/api/v1/alerts/{**rest}", "Alerting"),
        ("/api/v1/ops/replay", "Ingestion"),
    ];

    /// <summary>Adds YARP with the routing table and the caller-identity transform.</summary>
    public static WebApplicationBuilder AddServiceRoutes(this WebApplicationBuilder builder)
    {
        var routes = Table.Select((entry, index) => new RouteConfig
        {
            RouteId = $"r{index}-{entry.Service.ToLowerInvariant()}",
            ClusterId = entry.Service.ToLowerInvariant(),
            Match = new RouteMatch { Path = entry.Path },
        }).ToList();
        // Each service's OpenAPI document, for the reference at /docs.
        routes.AddRange(Services.Select(service => new RouteConfig
        {
            RouteId = $"openapi-{service.ToLowerInvariant()}",
            ClusterId = service.ToLowerInvariant(),
            Match = new RouteMatch { Path = $"/openapi/{service.ToLowerInvariant()}.json" },
            Transforms = [new Dictionary<string, string> { ["PathSet"] = "/openapi/v1.json" }],
        }));
        var clusters = Services.Select(service => new ClusterConfig
        {
            ClusterId = service.ToLowerInvariant(),
            Destinations = new Dictionary<string, DestinationConfig>
            {
                ["primary"] = new() { Address = builder.Configuration[$"Services:{service}"] ?? throw new InvalidOperationException($"Services:{service} is not configured.") },
            },
        }).ToList();

        var internalKey = GatewayCredential.KeyFrom(builder.Configuration);
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
                    if (internalKey is not null) transform.ProxyRequest.Headers.TryAddWithoutValidation(GatewayCredential.Header, internalKey);
                    return ValueTask.CompletedTask;
                });
            });
        return builder;
    }
}
