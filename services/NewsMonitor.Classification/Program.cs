using NewsMonitor.Classification.Timelines;
using NewsMonitor.Classification.Topics;
using NewsMonitor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("classification");
builder.AddGatewayCredential();
builder.AddTopics();

var app = builder.Build();
// Load the model and compile the hot path at start, not with the first article.
app.Services.GetRequiredService<TopicClassifier>().Classify("قمة الناتو", "اجتمع قادة حلف الناتو في واشنطن لبحث دعم أوكرانيا.");
await using (var warmup = app.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession())
{
    await warmup.LoadAsync<ArticleTopics>(Guid.Empty);
    await warmup.LoadAsync<TopicBucket>("warm-up");
    await app.Services.GetRequiredService<OperatorTopicDirectory>().CurrentAsync(warmup, CancellationToken.None);
}
app.MapDefaultEndpoints();
app.AcceptOnlyFromGateway();
app.MapProjectionStatus();
app.MapTopicsApi();
app.MapOperatorTopicsApi();
app.MapTimelineApi();
app.Run();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
