using NewsMonitor.ServiceDefaults;
using NewsMonitor.Sources.Sources;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("sources");
builder.AddGatewayCredential();
builder.AddSources();

var app = builder.Build();
app.MapDefaultEndpoints();
app.AcceptOnlyFromGateway();
app.MapProjectionStatus();
app.MapSourcesApi();
app.Run();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
