using System.Text;

namespace NewsMonitor.Feeds.Tests;

/// <summary>Probes from the fresh-eyed attack on issue 14 (hostile feeds and pages).</summary>
public class AttackProbeTests
{
    private static readonly Uri Location = new("https://feeds.example.com/rss.xml");

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://example.com/a")]
    [InlineData("JaVaScRiPt:alert(1)")]
    [InlineData(" javascript:alert(1)")]
    public void Item_links_with_other_schemes_are_not_links(string link)
    {
        var xml = $"<rss version=\"2.0\"><channel><title>t</title><item><title>x</title><link>{System.Security.SecurityElement.Escape(link)}</link><guid isPermaLink=\"false\">g1</guid></item></channel></rss>";
        var item = Assert.Single(FeedParser.Parse(Encoding.UTF8.GetBytes(xml), null, Location).Items);
        Assert.Null(item.Link);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("data:text/html,x")]
    public void Page_canonical_with_other_schemes_is_ignored(string canonical)
    {
        var body = string.Concat(Enumerable.Repeat("<p>" + string.Concat(Enumerable.Repeat("word text sentence here. ", 20)) + "</p>", 5));
        var html = $"<html><head><link rel=\"canonical\" href=\"{canonical}\"><meta property=\"og:url\" content=\"{canonical}\"></head><body><article>{body}</article></body></html>";
        var page = PageExtractor.Extract(html, new Uri("https://news.example.com/a/1"));
        Assert.NotNull(page);
        Assert.Null(page!.CanonicalUrl);
    }

    [Fact]
    public void Deeply_nested_unknown_elements_in_an_item_are_refused_or_read_without_crashing()
    {
        var depth = 100_000;
        var xml = "<rss version=\"2.0\"><channel><title>t</title><item><title>x</title><link>https://example.com/a</link>"
            + string.Concat(Enumerable.Repeat("<x:a xmlns:x=\"urn:x\">", depth)) + string.Concat(Enumerable.Repeat("</x:a>", depth)) + "</item></channel></rss>";
        try
        {
            FeedParser.Parse(Encoding.UTF8.GetBytes(xml), null, Location);
        }
        catch (FeedFormatException)
        {
        }
    }

    [Fact]
    public void Deeply_nested_markup_in_an_rss_title_is_read_without_crashing()
    {
        var depth = 100_000;
        var xml = "<rss><channel><title>t</title><item><title>" + string.Concat(Enumerable.Repeat("<b>", depth)) + "x" + string.Concat(Enumerable.Repeat("</b>", depth)) + "</title><link>https://example.com/a</link></item></channel></rss>";
        try
        {
            FeedParser.Parse(Encoding.UTF8.GetBytes(xml), null, Location);
        }
        catch (FeedFormatException)
        {
        }
    }

    [Fact]
    public void Deeply_nested_atom_content_is_read_without_crashing()
    {
        var depth = 100_000;
        var xml = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><entry><id>urn:1</id><title>x</title><link href=\"https://example.com/a\"/><content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
            + string.Concat(Enumerable.Repeat("<b>", depth)) + "x" + string.Concat(Enumerable.Repeat("</b>", depth)) + "</div></content></entry></feed>";
        try
        {
            FeedParser.Parse(Encoding.UTF8.GetBytes(xml), null, Location);
        }
        catch (FeedFormatException)
        {
        }
    }

    [Fact]
    public void Deeply_nested_opml_is_read_without_crashing()
    {
        var depth = 5_000;
        var xml = "<opml version=\"2.0\"><body>" + string.Concat(Enumerable.Repeat("<outline text=\"f\">", depth)) + "<outline xmlUrl=\"https://example.com/f\"/>" + string.Concat(Enumerable.Repeat("</outline>", depth)) + "</body></opml>";
        var outlines = OpmlParser.Parse(Encoding.UTF8.GetBytes(xml));
        Assert.Single(outlines);
    }

    [Theory]
    [InlineData("<?xml version=\"1.0\"?>\n<!-- c --><?pi x?><!DOCTYPE rss [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><rss version=\"2.0\"><channel><title>&x;</title></channel></rss>")]
    [InlineData("<rss version=\"2.0\"><channel><title>t</title></channel></rss><!DOCTYPE x>")]
    [InlineData("\uFEFF  <!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><rss><channel><title>&b;</title></channel></rss>")]
    public void Doctypes_anywhere_are_refused(string xml) =>
        Assert.Throws<FeedFormatException>(() => FeedParser.Parse(Encoding.UTF8.GetBytes(xml), null, Location));

    [Fact]
    public void Opml_with_xxe_is_refused() =>
        Assert.Throws<FeedFormatException>(() => OpmlParser.Parse(Encoding.UTF8.GetBytes(
            "<?xml version=\"1.0\"?><!DOCTYPE opml [<!ENTITY x SYSTEM \"http://169.254.169.254/latest/meta-data/\">]><opml><body><outline xmlUrl=\"https://e.com/&x;\"/></body></opml>")));

    [Fact]
    public void Opml_in_utf16_without_bom_declared_in_header_is_not_an_exception_other_than_format()
    {
        var bytes = Encoding.Unicode.GetBytes("<?xml version=\"1.0\" encoding=\"utf-16\"?><opml><body><outline xmlUrl=\"https://e.com/f\"/></body></opml>");
        try { OpmlParser.Parse(bytes); } catch (FeedFormatException) { }
    }

    [Theory]
    [InlineData("Sat, 01 Jan 9999 00:00:00 GMT")]
    [InlineData("31 Dec 9999 23:59:59 -1400")]
    [InlineData("9999-12-31T23:59:59-14:00")]
    [InlineData("0001-01-01T00:00:00+14:00")]
    [InlineData("Mon, 99 Foo 2024 99:99:99 +9999")]
    [InlineData("Mon, 01 Jan 2024 10:00:00 +99")]
    [InlineData("1 Jan 20245 10:00")]
    public void Absurd_dates_never_lose_the_item(string date)
    {
        var xml = $"<rss version=\"2.0\"><channel><title>t</title><item><title>x</title><link>https://example.com/a</link><pubDate>{date}</pubDate></item></channel></rss>";
        Assert.Single(FeedParser.Parse(Encoding.UTF8.GetBytes(xml), null, Location).Items);
        var atom = $"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><entry><id>urn:1</id><title>x</title><link href=\"https://example.com/a\"/><updated>{date}</updated></entry></feed>";
        Assert.Single(FeedParser.Parse(Encoding.UTF8.GetBytes(atom), null, Location).Items);
        var sitemap = $"<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>https://example.com/a</loc><lastmod>{date}</lastmod></url></urlset>";
        Assert.Single(FeedParser.Parse(Encoding.UTF8.GetBytes(sitemap), null, Location).Items);
    }

    [Theory]
    [InlineData("//evil.example.org/x", "https://evil.example.org/x")]
    [InlineData("/../../x", "https://feeds.example.com/x")]
    [InlineData("\\\\evil\\x", null)]
    public void Relative_links_resolve_against_the_feed(string link, string? expected)
    {
        var xml = $"<rss version=\"2.0\"><channel><title>t</title><item><title>x</title><link>{link}</link><guid isPermaLink=\"false\">g</guid></item></channel></rss>";
        var item = Assert.Single(FeedParser.Parse(Encoding.UTF8.GetBytes(xml), null, Location).Items);
        if (expected is not null) Assert.Equal(expected, item.Link);
        else Assert.True(item.Link is null || item.Link.StartsWith("https://feeds.example.com/", StringComparison.Ordinal), item.Link);
    }

    [Fact]
    public void Xml_base_cannot_turn_links_into_file_urls()
    {
        var xml = "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"file:///etc/\"><title>t</title><entry><id>urn:1</id><title>x</title><link href=\"passwd\"/></entry></feed>";
        var item = Assert.Single(FeedParser.Parse(Encoding.UTF8.GetBytes(xml), null, Location).Items);
        Assert.True(item.Link is null || item.Link.StartsWith("http", StringComparison.Ordinal), item.Link);
    }

    [Fact]
    public void Sitemap_index_with_10000_children_is_read_within_limits()
    {
        var xml = "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">" + string.Concat(Enumerable.Range(0, 10_001).Select(i => $"<sitemap><loc>https://example.com/s{i}.xml</loc></sitemap>")) + "</sitemapindex>";
        Assert.Throws<FeedFormatException>(() => FeedParser.Parse(Encoding.UTF8.GetBytes(xml), null, Location));
    }
}
