using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Contracts;
using NewsMonitor.Testing;

namespace NewsMonitor.Ingestion.Tests;

/// <summary>
/// Edits a republication makes, on real text, and texts no other test of a class shares. Tests seed their random texts:
/// the band lookup finds a copy as close as these (similarity about 0.5) in about 99.4 % of cases, not always
/// (docs/benchmarks.md, "Near-duplicates"), and a seeded test is the same on every run.
/// </summary>
internal static class Republication
{
    private static readonly string[] Vocabulary = SampleArticles.All.SelectMany(sample => sample.Body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Distinct().ToArray();

    /// <summary>A text of real words in an order of its own: unrelated to every other test's text.</summary>
    public static string UniqueBody(Random random, int words = 200) =>
        string.Join(' ', Enumerable.Range(0, words).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]));

    /// <summary>The body with a paragraph cut, an agency line added and about 8% of its words replaced.</summary>
    public static string Edited(string body, Random random)
    {
        var paragraphs = body.Split("\n", StringSplitOptions.RemoveEmptyEntries).ToList();
        if (paragraphs.Count > 3) paragraphs.RemoveAt(paragraphs.Count / 2);
        var words = string.Join("\n", paragraphs).Split(' ');
        for (var i = 0; i < words.Length; i++) if (random.NextDouble() < 0.08) words[i] = Vocabulary[random.Next(Vocabulary.Length)];
        return "(وكالة الأنباء) — " + string.Join(' ', words) + "\nجميع الحقوق محفوظة. لا يجوز إعادة النشر دون إذن.";
    }
}

/// <summary>Exact duplicates by text and near copies, through the HTTP intake.</summary>
public sealed class DuplicateTests(IngestionFixture fixture) : IClassFixture<IngestionFixture>
{
    private readonly HttpClient _client = fixture.Client;

    private async Task<JsonElement> PostAsync(object article)
    {
        var response = await _client.PostAsJsonAsync("/api/v1/articles", article, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }

    private Task<JsonElement> GetAsync(Guid id) => _client.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{id}", TestContext.Current.CancellationToken);

    [Fact]
    public async Task The_same_text_under_another_url_is_a_duplicate_of_the_first_and_stores_nothing()
    {
        var body = Republication.UniqueBody(new Random(1411));
        var first = await PostAsync(new { title = "قمة الحلف", body, url = $"https://one.example/{Guid.NewGuid():N}" });
        var before = await fixture.StoredEventsAsync("article_submitted");

        // Other spacing and spelling variants are the same normalised text.
        var again = await PostAsync(new { title = "  قمةُ الحلف ", body = body.Replace(" ", "  \n"), url = $"https://two.example/{Guid.NewGuid():N}" });

        var id = first.GetProperty("id").GetGuid();
        Assert.Equal("accepted", first.GetProperty("status").GetString());
        Assert.Equal("duplicate", again.GetProperty("status").GetString());
        Assert.Equal(id, again.GetProperty("id").GetGuid());
        Assert.Equal(id, again.GetProperty("duplicateOf").GetGuid());
        Assert.Equal(before, await fixture.StoredEventsAsync("article_submitted"));
    }

    [Fact]
    public async Task Racing_writers_of_one_text_under_different_urls_store_it_once()
    {
        var body = Republication.UniqueBody(new Random(1412));
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => PostAsync(new { title = "سباق", body, url = $"https://race{i}.example/{Guid.NewGuid():N}" })));

        var accepted = Assert.Single(answers, answer => answer.GetProperty("status").GetString() == "accepted");
        var id = accepted.GetProperty("id").GetGuid();
        Assert.All(answers.Where(answer => answer.GetProperty("status").GetString() != "accepted"), answer =>
        {
            Assert.Equal("duplicate", answer.GetProperty("status").GetString());
            Assert.Equal(id, answer.GetProperty("id").GetGuid());
        });
        Assert.Equal(1, await TestInfrastructure.ScalarAsync<long>($"select count(*) from \"{fixture.Schema}\".mt_doc_articletext where data->>'articleId' = '{id}'"));
    }

    [Fact]
    public async Task An_edited_republication_is_stored_as_a_near_copy_and_other_articles_on_the_subject_are_not()
    {
        var random = new Random(1413);
        var london = SampleArticles.Get("nato-london-summit-2019");
        // The sample's own words in its own order, made unique to this test by one paragraph of its own.
        var originalBody = london.Body + "\n" + Republication.UniqueBody(random, 40);
        var original = await PostAsync(new { title = london.Title, body = originalBody, url = $"https://agency.example/{Guid.NewGuid():N}" });
        var originalId = original.GetProperty("id").GetGuid();

        var copy = await PostAsync(new { title = "الناتو يتبنى خطة دفاع للبلطيق رغم الخلافات", body = Republication.Edited(originalBody, random), url = $"https://paper.example/{Guid.NewGuid():N}" });
        var sameSubject = await PostAsync(new { title = "قمة واشنطن", body = SampleArticles.Get("nato-washington-summit-2024").Body, url = $"https://agency.example/{Guid.NewGuid():N}" });

        Assert.Equal("nearDuplicate", copy.GetProperty("status").GetString());
        var copyId = copy.GetProperty("id").GetGuid();
        Assert.NotEqual(originalId, copyId);
        Assert.Equal(originalId, copy.GetProperty("duplicateOf").GetGuid());
        var similarity = copy.GetProperty("similarity").GetDouble();
        Assert.InRange(similarity, 0.3, 0.99);
        Assert.Equal("accepted", sameSubject.GetProperty("status").GetString());

        var view = await GetAsync(copyId);
        Assert.Equal(originalId, view.GetProperty("duplicateOf").GetGuid());
        Assert.Equal(similarity, view.GetProperty("similarity").GetDouble());
        var received = await fixture.Probe.WaitForAsync<ArticleReceived>(m => m.ArticleId == copyId, "ArticleReceived of the near copy");
        Assert.Equal(originalId, received.DuplicateOf);
        Assert.Equal(similarity, received.Similarity);
        var originalView = await GetAsync(originalId);
        Assert.Equal(JsonValueKind.Null, originalView.GetProperty("duplicateOf").ValueKind);
    }

    [Fact]
    public async Task Near_copies_within_one_batch_point_at_the_first_of_them()
    {
        var random = new Random(1414);
        var body = Republication.UniqueBody(random, 300);
        var batch = new object[]
        {
            new { title = "أصل", body, url = $"https://a.example/{Guid.NewGuid():N}" },
            new { title = "نسخة", body = Republication.Edited(body, random), url = $"https://b.example/{Guid.NewGuid():N}" },
            new { title = "نسخة ثانية", body = Republication.Edited(body, random), url = $"https://c.example/{Guid.NewGuid():N}" },
        };

        var response = await _client.PostAsJsonAsync("/api/v1/articles/batch", batch, TestContext.Current.CancellationToken);
        var items = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("items");

        Assert.Equal("accepted", items[0].GetProperty("status").GetString());
        var first = items[0].GetProperty("id").GetGuid();
        foreach (var i in new[] { 1, 2 })
        {
            Assert.Equal("nearDuplicate", items[i].GetProperty("status").GetString());
            Assert.Equal(first, (await GetAsync(items[i].GetProperty("id").GetGuid())).GetProperty("duplicateOf").GetGuid());
        }
    }
}
