using NewsMonitor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("sources");
builder.AddGatewayCredential();

var app = builder.Build();
app.MapDefaultEndpoints();
app.AcceptOnlyFromGateway();
app.Run();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
