using System.Text;

namespace NewsMonitor.Feeds.Tests;

/// <summary>Probes from the fresh-eyed attack on issue 14 (hostile feeds and pages).</summary>
public class AttackStorableTextTests
{
    private static readonly Uri Location = new("https://feeds.example.com/rss.xml");

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\0') return false;
            if (char.IsHighSurrogate(text[i])) { if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])) return false; i++; }
            else if (char.IsLowSurrogate(text[i])) return false;
        }
        return true;
    }

    [Theory]
    [InlineData("a &amp;#0; b")]
    [InlineData("a &amp;#xD800; b")]
    [InlineData("a &amp;#xDFFF;&amp;#xD800; b")]
    [InlineData("<p>a &amp;#0; b</p>")]
    [InlineData("<p>a &amp;#55296; b</p>")]
    public void Plain_text_never_carries_NUL_or_lone_surrogates(string html)
    {
        var text = HtmlText.ToPlainText(html);
        Assert.True(IsWellFormed(text), $"got {string.Join(" ", text.Select(c => ((int)c).ToString("X4")))}");
    }

    [Fact]
    public void Tag_stripped_html_never_carries_NUL_or_lone_surrogates()
    {
        var html = string.Concat(Enumerable.Repeat("<div>", 600)) + "x &#0; &#xD800; y" + string.Concat(Enumerable.Repeat("</div>", 600));
        Assert.True(IsWellFormed(HtmlText.ToPlainText(html)));
    }

    [Theory]
    [InlineData("&amp;amp;#0;")]
    [InlineData("&amp;amp;#xD800;")]
    public void Rss_title_never_carries_NUL_or_lone_surrogates(string title)
    {
        var xml = $"<rss version=\"2.0\"><channel><title>t</title><item><title>x {title} y</title><link>https://example.com/a</link><description>d {title}</description></item></channel></rss>";
        var item = Assert.Single(FeedParser.Parse(Encoding.UTF8.GetBytes(xml), "application/rss+xml", Location).Items);
        Assert.True(IsWellFormed(item.Title!), item.Title);
    }
}

public class AttackPageTitleTests
{
    [Theory]
    [InlineData("<title>x &amp;#0; y</title>")]
    [InlineData("<title>x &amp;#xD800; y</title>")]
    [InlineData("<meta property=\"og:title\" content=\"x &amp;#0; y\">")]
    public void A_page_title_never_carries_NUL_or_lone_surrogates(string head)
    {
        var body = string.Concat(Enumerable.Repeat("<p>" + string.Concat(Enumerable.Repeat("word text sentence here. ", 20)) + "</p>", 5));
        var page = PageExtractor.Extract($"<html><head>{head}</head><body><article><h1>x &amp;#0; y</h1>{body}</article></body></html>", new Uri("https://news.example.com/a/1"));
        Assert.NotNull(page);
        foreach (var text in new[] { page!.Title, page.Text, page.Author })
            Assert.True(text is null || (!text.Contains('\0') && !text.Any(char.IsSurrogate)), text);
    }
}
