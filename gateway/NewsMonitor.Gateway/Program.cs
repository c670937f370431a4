using NewsMonitor.Gateway.Health;
using NewsMonitor.Gateway.Routing;
using NewsMonitor.Gateway.Security;
using NewsMonitor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("gateway");
builder.AddApiKeys();
builder.AddServiceRoutes();
builder.AddAggregateHealth();

var app = builder.Build();
app.MapDefaultEndpoints();
app.UseApiKeys();
app.MapAggregateHealth();
app.MapReverseProxy();
app.Run();

/// <summary>Entry point, visible to tests.</summary>
public partial class Program;
