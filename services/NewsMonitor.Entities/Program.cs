using NewsMonitor.Entities.Catalog;
using NewsMonitor.Entities.Extraction;
using NewsMonitor.Entities.Profiles;
using NewsMonitor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("entities");
builder.AddExtraction();

var app = builder.Build();
// Build and warm the recogniser at start, not with the first article.
app.Services.GetRequiredService<EntityDirectory>();
app.MapDefaultEndpoints();
app.MapEntitiesApi();
app.MapProfilesApi();
app.MapCatalogApi();
app.Run();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
