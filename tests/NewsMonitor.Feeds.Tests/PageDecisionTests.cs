namespace NewsMonitor.Feeds.Tests;

public class PageDecisionTests
{
    private static readonly string LongText = string.Join(" ", Fixture.Lines("article.paragraphs.txt"));

    private static FeedItem Item(string? summary, string? content = null, string? link = "https://news.example.com/a") =>
        new(link ?? "guid:x", link, "x", "t", summary, content, null, null, null);

    [Fact]
    public void The_summary_only_rss_item_needs_its_page_and_the_full_content_item_does_not()
    {
        var feed = FeedParser.Parse(Fixture.Bytes("rss.xml"), null, new Uri("https://news.example.com/rss.xml"));

        Assert.False(PageDecision.NeedsPage(feed.Items[0], feed.Kind, "auto")); // content:encoded with five paragraphs
        Assert.True(PageDecision.NeedsPage(feed.Items[1], feed.Kind, "auto"));  // a teaser ending in "اقرأ المزيد"
        Assert.True(PageDecision.NeedsPage(feed.Items[3], feed.Kind, "auto"));  // short
    }

    [Fact]
    public void Sitemap_items_always_need_pages_in_auto_mode()
    {
        var feed = FeedParser.Parse(Fixture.Bytes("news-sitemap.xml"), null, new Uri("https://news.example.com/s.xml"));
        Assert.All(feed.Items, item => Assert.True(PageDecision.NeedsPage(item, feed.Kind, "auto")));
    }

    [Theory]
    [InlineData("…")]
    [InlineData(" [...]")]
    [InlineData(" Read more »")]
    [InlineData(" اقرأ المزيد")]
    public void Long_but_visibly_truncated_text_needs_the_page(string ending) =>
        Assert.True(PageDecision.NeedsPage(Item(LongText + ending), FeedKind.Rss, "auto"));

    [Fact]
    public void Settings_always_and_never_override_and_unknown_settings_are_refused()
    {
        Assert.False(PageDecision.NeedsPage(Item(LongText), FeedKind.Rss, "auto"));
        Assert.True(PageDecision.NeedsPage(Item("<p>" + LongText + "</p>", content: "<p>short</p>"), FeedKind.Rss, "auto")); // content wins over summary
        Assert.True(PageDecision.NeedsPage(Item(LongText), FeedKind.Rss, "always"));
        Assert.False(PageDecision.NeedsPage(Item("short"), FeedKind.Sitemap, "never"));
        Assert.False(PageDecision.NeedsPage(Item("short", link: null), FeedKind.Rss, "always"));
        Assert.Throws<ArgumentException>(() => PageDecision.NeedsPage(Item("x"), FeedKind.Rss, "sometimes"));
    }
}
