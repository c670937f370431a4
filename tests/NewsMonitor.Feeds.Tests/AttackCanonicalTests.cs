using System.Text;

namespace NewsMonitor.Feeds.Tests;

/// <summary>Probes from the fresh-eyed attack on issue 14 (hostile feeds and pages).</summary>
public class AttackCanonicalTests
{
    private static readonly Uri Location = new("https://feeds.example.com/rss.xml");

    [Fact]
    public void Page_canonical_on_another_site_is_not_taken()
    {
        // A hostile page linked from a feed must not claim another site's article URL (ingestion keys articles by URL).
        var body = string.Concat(Enumerable.Repeat("<p>" + string.Concat(Enumerable.Repeat("word text sentence here. ", 20)) + "</p>", 5));
        var html = $"<html><head><link rel=\"canonical\" href=\"https://www.reuters.com/world/real-story\"></head><body><article>{body}</article></body></html>";
        var page = PageExtractor.Extract(html, new Uri("https://evil.example.net/a/1"));
        Assert.NotNull(page);
        Assert.NotEqual("https://www.reuters.com/world/real-story", page!.CanonicalUrl);
    }

    [Fact]
    public void Page_canonical_on_a_sibling_host_of_the_same_site_is_taken()
    {
        var body = string.Concat(Enumerable.Repeat("<p>" + string.Concat(Enumerable.Repeat("word text sentence here. ", 20)) + "</p>", 5));
        var html = $"<html><head><link rel=\"canonical\" href=\"https://www.example.com/a/1\"></head><body><article>{body}</article></body></html>";
        var page = PageExtractor.Extract(html, new Uri("https://amp.example.com/a/1?x=1"));
        Assert.Equal("https://www.example.com/a/1", page!.CanonicalUrl);
    }

    [Theory]
    [InlineData("https://user.blogspot.example/a/1", "https://blogspot.example/news/real")]
    [InlineData("https://example.com/a/1", "https://news.example.com/real")]
    [InlineData("https://example.com.evil.example/a/1", "https://example.com/real")]
    public void Page_canonical_on_another_subdomain_is_not_taken(string page, string canonical)
    {
        var body = string.Concat(Enumerable.Repeat("<p>" + string.Concat(Enumerable.Repeat("word text sentence here. ", 20)) + "</p>", 5));
        var html = $"<html><head><link rel=\"canonical\" href=\"{canonical}\"><meta property=\"og:url\" content=\"{canonical}\"></head><body><article>{body}</article></body></html>";
        var extracted = PageExtractor.Extract(html, new Uri(page));
        Assert.NotNull(extracted);
        Assert.Null(extracted!.CanonicalUrl);
    }
}
