using System.Text;

namespace NewsMonitor.Feeds.Tests;

public class HostileFeedTests
{
    private static readonly Uri Location = new("https://feeds.example.com/feed");

    private static string Refusal(byte[] content, string? contentType = null) =>
        Assert.Throws<FeedFormatException>(() => FeedParser.Parse(content, contentType, Location)).Reason;

    [Fact]
    public void An_html_page_is_refused_as_an_html_page()
    {
        Assert.Equal("an HTML page, not a feed", Refusal(Fixture.Bytes("html-as-feed.html"), "text/html; charset=utf-8"));
        Assert.Equal("an HTML page, not a feed", Refusal(Encoding.UTF8.GetBytes("<html><body><p>hello</p></body></html>")));
    }

    [Fact]
    public void Malformed_xml_names_the_line_and_position()
    {
        var reason = Refusal(Fixture.Bytes("malformed.xml"));
        Assert.StartsWith("malformed XML at line 3, position ", reason, StringComparison.Ordinal);
        Assert.Contains("titel", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Xxe_is_refused_for_its_dtd_and_nothing_is_resolved()
    {
        var reason = Refusal(Fixture.Bytes("xxe.xml"));
        Assert.StartsWith("DTDs are not allowed", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Billion_laughs_is_refused_for_its_dtd_without_expanding()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.StartsWith("DTDs are not allowed", Refusal(Fixture.Bytes("billion-laughs.xml")), StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 5_000_000, "the entities must not be expanded");
    }

    [Fact]
    public void A_dtd_hidden_after_comments_and_processing_instructions_is_still_refused()
    {
        var xml = "<?xml version=\"1.0\"?>\n<!-- c --><?pi x?>\n<!DOCTYPE rss SYSTEM \"http://127.0.0.1:9/x.dtd\"><rss version=\"2.0\"><channel/></rss>";
        Assert.StartsWith("DTDs are not allowed", Refusal(Encoding.UTF8.GetBytes(xml)), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_roots_and_empty_documents_are_refused_with_a_reason()
    {
        Assert.Equal("not a feed: the root element is <catalog>", Refusal(Encoding.UTF8.GetBytes("<catalog><book/></catalog>")));
        Assert.Equal("the document is empty", Refusal([]));
        Assert.Contains("RSS 1.0", Refusal(Encoding.UTF8.GetBytes("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>")), StringComparison.Ordinal);
        Assert.StartsWith("malformed XML", Refusal(Encoding.UTF8.GetBytes("{\"version\":\"https://jsonfeed.org/version/1\"}")), StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_items_fail_the_whole_feed_with_the_count()
    {
        var xml = new StringBuilder("<rss version=\"2.0\"><channel><title>t</title>");
        for (var i = 0; i < 10_001; i++) xml.Append("<item><link>https://e.example/").Append(i).Append("</link></item>");
        xml.Append("</channel></rss>");
        Assert.Equal("the feed has 10001 items; the limit is 10000", Refusal(Encoding.UTF8.GetBytes(xml.ToString())));

        var sitemap = new StringBuilder("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">");
        for (var i = 0; i < 10_005; i++) sitemap.Append("<url><loc>https://e.example/").Append(i).Append("</loc></url>");
        sitemap.Append("</urlset>");
        Assert.Equal("the sitemap has 10005 items; the limit is 10000", Refusal(Encoding.UTF8.GetBytes(sitemap.ToString())));
    }

    [Fact]
    public void Gigantic_fields_skip_their_item_whole_and_keep_the_others()
    {
        var huge = new string('ن', FeedLimits.MaxContentChars + 1);
        var longTitle = new string('ع', FeedLimits.MaxTitleChars + 1);
        var xml = $"""
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>
            <item><title>ok</title><link>https://e.example/1</link><description>short</description></item>
            <item><title>big</title><link>https://e.example/2</link><content:encoded>{huge}</content:encoded></item>
            <item><title>{longTitle}</title><link>https://e.example/3</link></item>
            </channel></rss>
            """;
        var feed = FeedParser.Parse(Encoding.UTF8.GetBytes(xml), null, Location);

        Assert.Equal("https://e.example/1", Assert.Single(feed.Items).Link);
        Assert.Equal(2, feed.Skipped.Count);
        Assert.Equal(new SkippedItem(2, "https://e.example/2", "the content has 1000001 characters; the limit is 1000000"), feed.Skipped[0]);
        Assert.Equal(new SkippedItem(3, "https://e.example/3", "the title has 1001 characters; the limit is 1000"), feed.Skipped[1]);
    }

    [Fact]
    public void Garbage_bytes_give_a_feed_format_exception_not_another_exception()
    {
        var random = new Random(14);
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(60, 400)];
            random.NextBytes(bytes);
            if (i % 2 == 0) Encoding.UTF8.GetBytes("<rss version=\"2.0\"><channel><item><title>").CopyTo(bytes, 0);
            try
            {
                FeedParser.Parse(bytes, i % 3 == 0 ? "text/xml; charset=bogus-charset" : null, Location);
            }
            catch (FeedFormatException)
            {
            }
        }
    }

    private const string BreakingCharacters = "<>&\"'/!?x\0";

    [Theory]
    [InlineData("rss.xml")]
    [InlineData("atom.xml")]
    [InlineData("news-sitemap.xml")]
    [InlineData("sitemap-index.xml")]
    public void Truncated_and_corrupted_real_feeds_give_a_feed_or_a_feed_format_exception(string fixture)
    {
        var original = Fixture.Bytes(fixture);
        var random = new Random(fixture.Length);
        var refused = 0;
        for (var i = 0; i < 150; i++)
        {
            var bytes = original[..random.Next(1, original.Length)];
            if (i % 2 == 1)
            {
                bytes = (byte[])original.Clone();
                for (var flip = 0; flip < 5; flip++) bytes[random.Next(bytes.Length)] = (byte)BreakingCharacters[random.Next(BreakingCharacters.Length)];
            }
            try
            {
                FeedParser.Parse(bytes, null, Location);
            }
            catch (FeedFormatException error)
            {
                Assert.False(string.IsNullOrWhiteSpace(error.Reason));
                refused++;
            }
        }
        Assert.True(refused > 50, $"only {refused} of 150 broken documents were refused");
    }
}
