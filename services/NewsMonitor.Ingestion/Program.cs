using NewsMonitor.Ingestion.Articles;
using NewsMonitor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("ingestion");
builder.AddGatewayCredential();
builder.AddArticles();

var app = builder.Build();
app.MapDefaultEndpoints();
app.AcceptOnlyFromGateway();
app.MapProjectionStatus();
app.MapArticlesApi();
app.MapReplayApi();
app.Run();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
