using System.Text;

namespace NewsMonitor.Feeds.Tests;

public class PageExtractorTests
{
    private static readonly Uri ArticleUrl = new("https://news.example.com/world/2024/blinken-rutte?utm_source=rss");

    private static string Normalized(string paragraph) => string.Join(' ', paragraph.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void An_arabic_article_keeps_every_paragraph_and_loses_all_page_chrome()
    {
        var html = TextDecoder.Decode(Fixture.Bytes("article.html"), "text/html", html: true);

        var page = PageExtractor.Extract(html, ArticleUrl, out var reason);

        Assert.Null(reason);
        Assert.NotNull(page);
        var paragraphs = page.Text.Split("\n\n");
        foreach (var expected in Fixture.Lines("article.paragraphs.txt"))
            Assert.Contains(Normalized(expected), paragraphs);
        foreach (var marker in new[] { "COOKIE_BANNER", "NAV_MARKER", "ADVERT_MARKER", "ADVERT_MID_MARKER", "SHARE_MARKER", "RELATED_MARKER",
                     "COMMENT_MARKER", "SIDEBAR_MARKER", "FOOTER_MARKER", "SCRIPT_MARKER", "ANALYTICS_SCRIPT_MARKER", "dataLayer", "font-family",
                     "ملفات تعريف الارتباط", "اقرأ أيضا", "التعليقات", "جميع الحقوق محفوظة", "اشترِ الآن" })
            Assert.DoesNotContain(marker, page.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("&", page.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<", page.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("  ", page.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_article_metadata_comes_from_the_page()
    {
        var page = PageExtractor.Extract(Fixture.Utf8("article.html"), ArticleUrl)!;

        Assert.Equal("بلينكن وروته يبحثان دعم أوكرانيا في بروكسل", page.Title);
        Assert.Equal("سارة المراسلة", page.Author);
        Assert.Equal(new DateTimeOffset(2024, 12, 4, 9, 30, 0, TimeSpan.FromHours(1)), page.PublishedAt);
        Assert.Equal("https://news.example.com/world/2024/blinken-rutte", page.CanonicalUrl); // rel=canonical wins over og:url, resolved
        Assert.Equal("ar", page.Language);
    }

    [Fact]
    public void A_page_with_og_url_and_no_canonical_link_uses_og_url_and_its_meta_charset()
    {
        var bytes = Fixture.Bytes("article-og-url-1256.html");
        var html = TextDecoder.Decode(bytes, "text/html", html: true);

        var page = PageExtractor.Extract(html, new Uri("https://www.example.org/ar/news/2024/07/washington-summit.html"), out var reason);

        Assert.Null(reason);
        Assert.NotNull(page);
        Assert.Equal("https://www.example.org/ar/news/2024/07/washington-summit.html?utm_campaign=share", page.CanonicalUrl);
        Assert.Equal("ar", page.Language);
        Assert.Equal(new DateTimeOffset(2024, 7, 11, 10, 15, 0, TimeSpan.FromHours(3)), page.PublishedAt);
        var paragraphs = page.Text.Split("\n\n");
        foreach (var expected in Fixture.Lines("article-og-url.paragraphs.txt"))
            Assert.Contains(Normalized(expected), paragraphs);
    }

    [Fact]
    public void A_page_without_article_text_gives_null_and_a_reason()
    {
        var page = PageExtractor.Extract(Fixture.Utf8("html-as-feed.html"), new Uri("https://news.example.com/missing"), out var reason);

        Assert.Null(page);
        Assert.StartsWith("no article text on the page", reason, StringComparison.Ordinal);
        Assert.Null(PageExtractor.Extract("", ArticleUrl, out reason));
        Assert.Equal("the page is empty", reason);
    }

    [Fact]
    public void Canonical_links_that_are_not_http_are_ignored()
    {
        var body = string.Concat(Enumerable.Repeat("<p>" + Fixture.Lines("article.paragraphs.txt")[0] + "</p>", 3));
        var html = $"<html><head><link rel=\"canonical\" href=\"javascript:alert(1)\"><meta property=\"og:url\" content=\"ftp://x/y\"></head><body><article>{body}</article></body></html>";

        var page = PageExtractor.Extract(html, ArticleUrl);

        Assert.NotNull(page);
        Assert.Null(page.CanonicalUrl);
        Assert.Null(page.Language);
    }

    [Fact]
    public void Oversized_pages_are_refused_before_parsing()
    {
        var html = new StringBuilder("<html><body>").Append('x', FeedLimits.MaxPageChars).Append("</body></html>").ToString();
        Assert.Null(PageExtractor.Extract(html, ArticleUrl, out var reason));
        Assert.StartsWith("the page has ", reason, StringComparison.Ordinal);
    }
}
