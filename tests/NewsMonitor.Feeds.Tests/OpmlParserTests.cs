using System.Text;

namespace NewsMonitor.Feeds.Tests;

public class OpmlParserTests
{
    [Fact]
    public void Nested_outlines_are_flattened_folders_left_out_and_bad_entries_carry_errors()
    {
        var outlines = OpmlParser.Parse(Fixture.Bytes("feeds.opml"));

        Assert.Equal(
        [
            new OpmlOutline(2, "وكالة الأنباء", "https://news.example.com/rss.xml", "https://news.example.com/", "ar", null),
            new OpmlOutline(4, "صحيفة قديمة الترميز", "http://old.example.net/rss.php", null, null, null),
            new OpmlOutline(5, "بلا رابط", null, null, null, "the outline has no xmlUrl"),
            new OpmlOutline(6, "FTP feed", "ftp://files.example.com/feed.xml", null, null, "xmlUrl is not an absolute http(s) URL: ftp://files.example.com/feed.xml"),
            new OpmlOutline(7, "Relative", "/feed.xml", null, null, "xmlUrl is not an absolute http(s) URL: /feed.xml"),
            new OpmlOutline(8, "Script", "javascript:alert(1)", null, null, "xmlUrl is not an absolute http(s) URL: javascript:alert(1)"),
            new OpmlOutline(9, "Example Org", "https://www.example.org/ar/feed.atom", "https://www.example.org/ar/", null, null),
        ], outlines);
    }

    [Fact]
    public void Malformed_and_dtd_documents_are_refused()
    {
        Assert.StartsWith("malformed XML at line 1",
            Assert.Throws<FeedFormatException>(() => OpmlParser.Parse(Encoding.UTF8.GetBytes("<opml><body><outline></body></opml>"))).Reason, StringComparison.Ordinal);
        var xxe = "<?xml version=\"1.0\"?><!DOCTYPE opml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><opml><body><outline text=\"&x;\" xmlUrl=\"https://a.example/\"/></body></opml>";
        Assert.StartsWith("DTDs are not allowed", Assert.Throws<FeedFormatException>(() => OpmlParser.Parse(Encoding.UTF8.GetBytes(xxe))).Reason, StringComparison.Ordinal);
        Assert.Equal("not an OPML file: the root element is <rss>",
            Assert.Throws<FeedFormatException>(() => OpmlParser.Parse(Fixture.Bytes("rss.xml"))).Reason);
    }
}
