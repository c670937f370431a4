using NewsMonitor.Events.Feed;
using NewsMonitor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("events");
builder.AddGatewayCredential();
builder.AddEventFeed();

var app = builder.Build();
app.MapDefaultEndpoints();
app.AcceptOnlyFromGateway();
app.MapProjectionStatus();
app.MapEventFeedApi();
app.Run();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
