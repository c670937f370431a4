using NewsMonitor.Gateway.Health;
using NewsMonitor.Gateway.Routing;
using NewsMonitor.Gateway.Security;
using NewsMonitor.ServiceDefaults;

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
app.UseBodyLimit();
app.UseApiKeys();
app.UseKeyRateLimits();
app.UseRouteAccess();
app.MapAggregateHealth();
app.MapKeysApi();
app.MapReverseProxy();
app.Run();

/// <summary>Entry point, visible to tests.</summary>
public partial class Program;
