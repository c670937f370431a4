using NewsMonitor.Entities.Catalog;
using NewsMonitor.Entities.Extraction;
using NewsMonitor.Entities.Profiles;
using NewsMonitor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("entities");
builder.AddGatewayCredential();
builder.AddExtraction();

var app = builder.Build();
// Build and warm the recogniser at start, not with the first article; generate the document storage code of every
// read model now too (Marten compiles it on first use, which on a loaded machine took longer than a test waits).
app.Services.GetRequiredService<EntityDirectory>();
await using (var warmup = app.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession())
{
    await warmup.LoadAsync<ArticleEntities>(Guid.Empty);
    await warmup.LoadAsync<CatalogEdits>(Guid.Empty);
    await warmup.LoadAsync<EntityProfile>("warm-up");
    await warmup.LoadAsync<EntityMentionHour>("warm-up");
}
app.MapDefaultEndpoints();
app.AcceptOnlyFromGateway();
app.MapProjectionStatus();
app.MapEntitiesApi();
app.MapProfilesApi();
app.MapCatalogApi();
app.Run();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
