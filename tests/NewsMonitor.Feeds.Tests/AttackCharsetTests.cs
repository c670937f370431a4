using System.Text;

namespace NewsMonitor.Feeds.Tests;

/// <summary>Probes from the fresh-eyed attack on issue 14 (hostile feeds and pages).</summary>
public class AttackCharsetTests
{
    private static readonly Uri Location = new("https://feeds.example.com/rss.xml");

    [Theory]
    [InlineData("text/xml; charset=utf-7")]
    [InlineData("text/xml; charset=x-unknown-thing")]
    [InlineData("text/xml; charset=\"")]
    [InlineData("text/xml; charset=utf-32")]
    [InlineData("text/xml; charset=utf-16")]
    public void Lying_or_odd_charsets_do_not_lose_an_ascii_feed(string contentType)
    {
        var xml = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item><title>+ADw-x+AD4- hello</title><link>https://example.com/a</link></item></channel></rss>";
        var document = FeedParser.Parse(Encoding.ASCII.GetBytes(xml), contentType, Location);
        Assert.Equal("+ADw-x+AD4- hello", Assert.Single(document.Items).Title);
    }

    [Theory]
    [InlineData("text/html; charset=utf-7", "<html><head></head><body>+ADw-script+AD4-</body></html>")]
    [InlineData("text/html", "<html><head><meta charset=\"utf-7\"></head><body>+ADw-script+AD4-</body></html>")]
    [InlineData(null, "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-7\"></head><body>+ADw-script+AD4-</body></html>")]
    public void A_page_declaring_utf7_is_decoded_without_an_exception_and_never_as_utf7(string? contentType, string html)
    {
        // The poller decodes every page it fetches; an exception here failed the whole poll, every time, for one hostile page.
        var text = TextDecoder.Decode(Encoding.ASCII.GetBytes(html), contentType, html: true);
        Assert.Contains("+ADw-script+AD4-", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_real_utf16_feed_without_bom_still_follows_its_header()
    {
        var xml = "<rss version=\"2.0\"><channel><title>t</title><item><title>قمة</title><link>https://example.com/a</link></item></channel></rss>";
        var document = FeedParser.Parse(Encoding.Unicode.GetBytes(xml), "text/xml; charset=utf-16", Location);
        Assert.Equal("قمة", Assert.Single(document.Items).Title);
    }
}
