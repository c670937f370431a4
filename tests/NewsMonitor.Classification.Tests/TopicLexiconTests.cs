using NewsMonitor.Classification.Topics;
using NewsMonitor.Testing;

namespace NewsMonitor.Classification.Tests;

public class TopicLexiconTests
{
    [Theory]
    [InlineData("nato-london-summit-2019")]
    [InlineData("nato-washington-summit-2024")]
    [InlineData("blinken-rutte-brussels")]
    public void Sample_articles_lead_with_politics_international_or_defense(string id)
    {
        var article = SampleArticles.Get(id);
        var topics = TopicLexicon.BuiltIn.Classify(article.Title, article.Body);
        Assert.Contains(topics[0].Label, new[] { "politics", "international", "defense" });
        Assert.Contains(topics, topic => topic.Label == "defense");
        Assert.All(topics, topic => Assert.InRange(topic.Score, TopicLexicon.Threshold, 1));
    }

    [Fact]
    public void Scores_are_ordered_best_first()
    {
        var topics = TopicLexicon.BuiltIn.Classify("مباراة كرة القدم", "فاز المنتخب في المباراة النهائية من البطولة وسجل اللاعب هدف الفوز أمام الفريق المنافس في الدوري");
        Assert.Equal("sports", topics[0].Label);
        Assert.Equal(topics.OrderByDescending(topic => topic.Score).Select(topic => topic.Label), topics.Select(topic => topic.Label));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("hello", "lorem ipsum dolor sit amet")]
    [InlineData("؟؟", "١٢٣ ٤٥٦")]
    public void Text_without_cues_is_unknown_with_high_confidence_in_that(string title, string body)
    {
        var topics = TopicLexicon.BuiltIn.Classify(title, body);
        Assert.Equal([TopicLexicon.Unknown], topics.Select(topic => topic.Label));
        Assert.Equal(1.0, topics[0].Score);
    }

    [Fact]
    public void A_huge_text_is_classified_without_failure()
    {
        var body = string.Concat(Enumerable.Repeat("الاقتصاد العالمي والتجارة والأسواق والبورصة. ", 20_000));
        Assert.Equal("economy", TopicLexicon.BuiltIn.Classify("", body)[0].Label);
    }

    [Fact]
    public void The_taxonomy_has_the_required_labels()
    {
        var labels = TopicLexicon.BuiltIn.Topics.Select(topic => topic.Label).ToHashSet();
        Assert.Superset(new HashSet<string> { "politics", "international", "defense", "conflict", "economy", "technology", "health", "sports", "culture", "religion", "environment", "education", "human-rights", "travel", "geography", "other" }, labels);
        Assert.All(labels, label => Assert.Matches("^[a-z-]+$", label));
    }
}
