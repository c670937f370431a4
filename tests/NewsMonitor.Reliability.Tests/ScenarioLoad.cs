using NewsMonitor.Text;

namespace NewsMonitor.Reliability.Tests;

/// <summary>One article of a scenario's load: its URL is its identity, so a retried post is the same article.</summary>
/// <param name="Index">Position in the load (0-based).</param>
/// <param name="Url">Unique URL; ingestion derives the article id from it.</param>
/// <param name="Title">Title (Arabic, carries the index so titles differ).</param>
/// <param name="Body">Body: a NATO sentence (so entities finds an organisation), words drawn from the sample corpus, and the markers.</param>
/// <param name="Subscriptions">Indexes of the scenario's subscriptions whose marker the article carries.</param>
public sealed record PlannedArticle(int Index, string Url, string Title, string Body, IReadOnlyList<int> Subscriptions)
{
    // Ingestion's scope for article ids (ArticleIdentity in the ingestion service).
    private static readonly Guid IngestionScope = new("6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11");

    /// <summary>
    /// The id ingestion gives the article: derived from its URL (already canonical), so a client knows it before posting, and an
    /// answer with another id (a text duplicate of some other article) is told apart from a retried post.
    /// </summary>
    public Guid Id => DeterministicId.Create(IngestionScope, "url:" + Url);
}

/// <summary>One subscription of a scenario's load.</summary>
/// <param name="Index">Position (0-based).</param>
/// <param name="Marker">The word only this subscription's rule looks for.</param>
/// <param name="Rule">The rule: the marker alone (decided on the text) or with <c>entity:الناتو</c> (decided once entities arrive).</param>
public sealed record PlannedSubscription(int Index, string Marker, string Rule);

/// <summary>
/// A scenario's load, built so that the alerts it must raise are known by construction: every subscription looks for a
/// word no other subscription (of this or any other scenario, thanks to the scenario's random tag) and no article of
/// another scenario contains. Pure: the same arguments always give the same load.
/// </summary>
public sealed class ScenarioLoad
{
    /// <summary>The sentence every article opens with; <c>entity:الناتو</c> rules rely on entities finding NATO in it.</summary>
    public const string NatoSentence = "قال الأمين العام لحلف الناتو في بروكسل إن الحلف موحد.";

    private ScenarioLoad(string tag, IReadOnlyList<PlannedArticle> articles, IReadOnlyList<PlannedSubscription> subscriptions)
    {
        Tag = tag;
        Articles = articles;
        Subscriptions = subscriptions;
    }

    /// <summary>The scenario's tag: Latin letters, part of every marker and URL.</summary>
    public string Tag { get; }

    /// <summary>The articles, in posting order.</summary>
    public IReadOnlyList<PlannedArticle> Articles { get; }

    /// <summary>The subscriptions.</summary>
    public IReadOnlyList<PlannedSubscription> Subscriptions { get; }

    /// <summary>Every (subscription index, article index) pair that must raise exactly one alert.</summary>
    public IEnumerable<(int Subscription, int Article)> ExpectedAlerts =>
        Articles.SelectMany(article => article.Subscriptions.Select(subscription => (subscription, article.Index)));

    /// <summary>
    /// Builds a load of <paramref name="articleCount"/> articles and <paramref name="subscriptionCount"/> subscriptions (at most
    /// 676). Article <c>j</c> carries the markers of subscriptions <c>j mod s</c> and <c>(7j + 3) mod s</c>, except every tenth
    /// article, which carries none (it must raise no alert). Odd subscriptions add <c>entity:الناتو</c>, so half the rules
    /// wait for the entities and half are decided on the text alone.
    /// </summary>
    /// <param name="tag">Lower-case Latin letters unique to this scenario run.</param>
    /// <param name="articleCount">How many articles.</param>
    /// <param name="subscriptionCount">How many subscriptions.</param>
    /// <param name="vocabulary">Words to draw bodies from (Arabic, from the sample corpus).</param>
    public static ScenarioLoad Create(string tag, int articleCount, int subscriptionCount, IReadOnlyList<string> vocabulary)
    {
        if (tag.Length == 0 || !tag.All(c => c is >= 'a' and <= 'z')) throw new ArgumentException("The tag must be lower-case Latin letters.", nameof(tag));
        if (subscriptionCount is < 1 or > 26 * 26) throw new ArgumentOutOfRangeException(nameof(subscriptionCount));
        if (vocabulary.Count < 50) throw new ArgumentException("Too few words to make articles that are not near copies of each other.", nameof(vocabulary));
        var subscriptions = Enumerable.Range(0, subscriptionCount).Select(i =>
        {
            var marker = MarkerOf(tag, i);
            return new PlannedSubscription(i, marker, i % 2 == 0 ? marker : $"{marker} entity:الناتو");
        }).ToList();
        // Seeded by the tag: the same tag gives the same load, and another scenario's draw differs, so its articles are
        // neither text duplicates nor near copies of the articles earlier scenarios stored.
        var random = new Random(tag.Aggregate(17, (hash, c) => unchecked(hash * 31 + c)));
        var articles = new List<PlannedArticle>(articleCount);
        for (var j = 0; j < articleCount; j++)
        {
            int[] matched = j % 10 == 9 ? [] : new[] { j % subscriptionCount, (7 * j + 3) % subscriptionCount }.Distinct().ToArray();
            // Sixty words drawn at random: two articles share almost no run of three words, so none is a near copy of another.
            var words = Enumerable.Range(0, 60).Select(_ => vocabulary[random.Next(vocabulary.Count)]);
            var markers = string.Join(' ', matched.Select(i => subscriptions[i].Marker));
            var body = $"{NatoSentence} {string.Join(' ', words)}." + (markers.Length > 0 ? $" {markers}." : "");
            articles.Add(new PlannedArticle(j, $"https://reliability.example.org/{tag}/{j}", $"تقرير رقم {j} عن الحلف", body, matched));
        }
        return new ScenarioLoad(tag, articles, subscriptions);
    }

    /// <summary>The marker of subscription <paramref name="index"/>: <c>zq</c>, the tag, then the index in two letters.</summary>
    public static string MarkerOf(string tag, int index) => $"zq{tag}{(char)('a' + index / 26)}{(char)('a' + index % 26)}";

    /// <summary>The distinct Arabic words of <paramref name="texts"/> (letters only, at least three), as a vocabulary.</summary>
    public static IReadOnlyList<string> VocabularyOf(IEnumerable<string> texts) =>
        texts.SelectMany(text => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Select(word => new string(word.Where(c => c is >= '\u0621' and <= '\u064A').ToArray()))
            .Where(word => word.Length >= 3)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
}
