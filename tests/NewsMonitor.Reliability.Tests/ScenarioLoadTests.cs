using NewsMonitor.Testing;
using NewsMonitor.Text.NearDuplicates;

namespace NewsMonitor.Reliability.Tests;

/// <summary>The load plan: its expected alerts follow from its construction, and ingestion sees no near copies in it.</summary>
public sealed class ScenarioLoadTests
{
    private static readonly IReadOnlyList<string> Vocabulary = ScenarioLoad.VocabularyOf(SampleArticles.All.Select(article => article.Body));

    [Fact]
    public void Every_subscription_has_its_own_marker_and_every_tenth_article_none()
    {
        var load = ScenarioLoad.Create("abcdef", 2_000, 200, Vocabulary);
        Assert.Equal(200, load.Subscriptions.Select(subscription => subscription.Marker).Distinct().Count());
        Assert.All(load.Articles.Where(article => article.Index % 10 == 9), article => Assert.Empty(article.Subscriptions));
        Assert.All(load.Articles.Where(article => article.Index % 10 != 9), article => Assert.InRange(article.Subscriptions.Count, 1, 2));
        // An article carries exactly the markers of its subscriptions, so the expected alerts are the pairs the rules match.
        Assert.All(load.Articles, article => Assert.Equal(
            article.Subscriptions.Order(),
            load.Subscriptions.Where(subscription => article.Body.Split(' ', '.').Contains(subscription.Marker)).Select(subscription => subscription.Index).Order()));
        Assert.Equal(load.Articles.Sum(article => article.Subscriptions.Count), load.ExpectedAlerts.Count());
        Assert.Equal(2_000, load.Articles.Select(article => article.Url).Distinct().Count());
    }

    [Fact]
    public void Markers_of_two_scenarios_never_meet()
    {
        var one = ScenarioLoad.Create("abcdef", 100, 200, Vocabulary);
        var other = ScenarioLoad.Create("abcdeg", 100, 200, Vocabulary);
        Assert.Empty(one.Subscriptions.Select(subscription => subscription.Marker).Intersect(other.Subscriptions.Select(subscription => subscription.Marker)));
        Assert.All(other.Articles, article => Assert.DoesNotContain(one.Subscriptions, subscription => article.Body.Contains(subscription.Marker, StringComparison.Ordinal)));
    }

    [Fact]
    public void No_article_is_a_near_copy_of_another_by_ingestions_own_index()
    {
        var load = ScenarioLoad.Create("abcdef", 2_000, 200, Vocabulary);
        var index = new NearDuplicateIndex(0.25);
        foreach (var article in load.Articles)
        {
            var fingerprint = TextFingerprint.Of(article.Body);
            Assert.True(fingerprint.Comparable);
            Assert.Null(index.Find(fingerprint));
            var id = Guid.NewGuid();
            index.Add(id, id, fingerprint);
        }
    }

    [Fact]
    public void Articles_of_two_scenarios_are_not_near_copies_of_each_other()
    {
        var index = new NearDuplicateIndex(0.25);
        foreach (var article in ScenarioLoad.Create("abcdef", 500, 200, Vocabulary).Articles) index.Add(article.Id, article.Id, TextFingerprint.Of(article.Body));
        Assert.All(ScenarioLoad.Create("qwerty", 500, 200, Vocabulary).Articles, article => Assert.Null(index.Find(TextFingerprint.Of(article.Body))));
    }

    [Fact]
    public void A_tag_that_is_not_lower_case_latin_is_refused() =>
        Assert.Throws<ArgumentException>(() => ScenarioLoad.Create("ab1", 10, 10, Vocabulary));
}
