using System.Text.Json;

namespace NewsMonitor.Testing;

/// <summary>A sample article from tests/data/sample (copied from ../shared/corpus/sample).</summary>
public sealed record SampleArticle(string Id, string Title, string Body, string Language, string Source);

/// <summary>The three sample NATO articles.</summary>
public static class SampleArticles
{
    /// <summary>All samples, in file order.</summary>
    public static IReadOnlyList<SampleArticle> All { get; } = TestInfrastructure.ReadTestData("sample/articles.ndjson")
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => JsonSerializer.Deserialize<SampleArticle>(line, new JsonSerializerOptions(JsonSerializerDefaults.Web))!)
        .ToList();

    /// <summary>One sample by id.</summary>
    public static SampleArticle Get(string id) => All.Single(article => article.Id == id);
}
