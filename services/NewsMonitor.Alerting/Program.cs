using NewsMonitor.Alerting.Alerts;
using NewsMonitor.Alerting.Feeds;
using NewsMonitor.Alerting.Subscriptions;
using NewsMonitor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("alerting");
builder.AddGatewayCredential();
builder.AddAlerting();

var app = builder.Build();
app.MapDefaultEndpoints();
app.AcceptOnlyFromGateway();
app.MapProjectionStatus();
app.MapSubscriptionsApi();
app.MapAlertsApi();
app.MapAlertStreamApi();
app.MapFeedsApi();
app.MapUnsubscribeApi();
app.Run();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
