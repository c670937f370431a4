using NewsMonitor.Gateway.Health;
using NewsMonitor.Gateway.Routing;
using NewsMonitor.Gateway.Security;
using NewsMonitor.ServiceDefaults;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("gateway");
builder.AddApiKeys();
builder.AddDoorPolicies();
builder.AddServiceRoutes();
builder.AddAggregateHealth();
builder.Services.AddSingleton(TimeProvider.System);

var app = builder.Build();
app.UseSecurityHeaders();
app.MapDefaultEndpoints();
// The operator dashboard at / (static files; it calls the API with the key the operator signs in with).
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseBodyLimit();
// Route first, then decide on the selected endpoint: who the caller is, whether its role may, how fast it may.
app.UseApiKeys();
app.UseKeyRateLimits();
app.UseKeyRevocationWatch();
app.MapAggregateHealth();
app.MapKeysApi();
app.MapOpsStatus();
app.MapErrorQueueReplay();
app.MapOpsProjectionRebuild();
// The API reference: the gateway's own document (keys) and every service's, served through the gateway.
app.MapScalarApiReference("/docs", options =>
{
    options.WithTitle("NewsMonitor API").WithOpenApiRoutePattern("/openapi/{documentName}.json");
    options.AddDocument("ingestion", "Ingestion (articles)", isDefault: true);
    options.AddDocument("classification", "Classification (topics)");
    options.AddDocument("entities", "Entities");
    options.AddDocument("alerting", "Alerting (subscriptions, alerts)");
    options.AddDocument("sources", "Sources (feeds, sitemaps)");
    options.AddDocument("events", "Events (CloudEvents feed for integrators)");
    options.AddDocument("v1", "Gateway (keys)");
}).AllowAnonymous();
app.MapReverseProxy();
app.Run();

/// <summary>Entry point, visible to tests.</summary>
public partial class Program;
