using NewsMonitor.Classification.Timelines;
using NewsMonitor.Classification.Topics;
using NewsMonitor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("classification");
builder.AddTopics();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapTopicsApi();
app.MapTimelineApi();
app.Run();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
