using NewsMonitor.Classification.Topics;
using NewsMonitor.Testing;

namespace NewsMonitor.Classification.Tests;

public class TopicLexiconTests
{
    [Theory]
    [InlineData("nato-london-summit-2019")]
    [InlineData("nato-washington-summit-2024")]
    [InlineData("blinken-rutte-brussels")]
    public void Sample_articles_score_highest_on_politics_international_or_defense_and_above_threshold_on_defense(string id)
    {
        var article = SampleArticles.Get(id);
        var scores = TopicLexicon.BuiltIn.Scores(article.Title, article.Body);
        Assert.Contains(scores.MaxBy(pair => pair.Value).Key, new[] { "politics", "international", "defense" });
        Assert.InRange(scores["defense"], TopicLexicon.Threshold, 1);
    }

    [Fact]
    public void Cues_saturate_and_title_cues_weigh_double()
    {
        var scores = TopicLexicon.BuiltIn.Scores("مباراة كرة القدم", "فاز المنتخب في المباراة النهائية من البطولة وسجل اللاعب هدف الفوز أمام الفريق المنافس في الدوري");
        Assert.Equal("sports", scores.MaxBy(pair => pair.Value).Key);
        Assert.InRange(scores["sports"], 0.5, 1);
        Assert.True(TopicLexicon.BuiltIn.Scores("البطولة", "")["sports"] > TopicLexicon.BuiltIn.Scores("", "البطولة")["sports"]);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("hello", "lorem ipsum dolor sit amet")]
    [InlineData("؟؟", "١٢٣ ٤٥٦")]
    public void Text_without_cues_scores_no_label(string title, string body) => Assert.Empty(TopicLexicon.BuiltIn.Scores(title, body));

    [Fact]
    public void A_huge_text_is_classified_without_failure()
    {
        var body = string.Concat(Enumerable.Repeat("الاقتصاد العالمي والتجارة والأسواق والبورصة. ", 20_000));
        Assert.Equal("economy", TopicLexicon.BuiltIn.Scores("", body).MaxBy(pair => pair.Value).Key);
    }

    [Fact]
    public void The_taxonomy_has_the_required_labels()
    {
        var labels = TopicLexicon.BuiltIn.Topics.Select(topic => topic.Label).ToHashSet();
        Assert.Superset(new HashSet<string> { "politics", "international", "defense", "conflict", "economy", "technology", "health", "sports", "culture", "religion", "environment", "education", "human-rights", "travel", "geography", "other" }, labels);
        Assert.All(labels, label => Assert.Matches("^[a-z-]+$", label));
    }
}
