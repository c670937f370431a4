using System.Text;

namespace NewsMonitor.Feeds.Tests;

public class CharsetTests
{
    [Fact]
    public void A_windows_1256_feed_declared_only_in_the_xml_declaration_decodes()
    {
        var feed = FeedParser.Parse(Fixture.Bytes("rss-windows-1256.xml"), "application/xml", new Uri("http://old.example.net/rss.php"));

        Assert.Equal("صحيفة عربية قديمة الترميز", feed.Title);
        var item = Assert.Single(feed.Items);
        Assert.Equal("الناتو يتفق على خطة دفاع عن دول البلطيق وبولندا", item.Title);
        Assert.Equal(Fixture.Utf8("windows-1256.txt"), item.Summary);
    }

    [Fact]
    public void An_iso_8859_6_feed_declared_only_in_the_http_header_decodes()
    {
        var expected = Fixture.Utf8("iso-8859-6.txt");
        var feed = FeedParser.Parse(Fixture.Bytes("rss-iso-8859-6.xml"), "text/xml; charset=ISO-8859-6", new Uri("http://iso.example.net/rss"));

        Assert.Equal("وكالة الأنباء العربية", feed.Title);
        Assert.Equal(expected, Assert.Single(feed.Items).Summary);
    }

    [Fact]
    public void Without_the_header_the_iso_8859_6_bytes_are_not_arabic()
    {
        // The fixture really is single-byte: read as UTF-8 it is replacement characters, which is why the header matters.
        var text = TextDecoder.Decode(Fixture.Bytes("rss-iso-8859-6.xml"), null, html: false);
        Assert.Contains('\uFFFD', text);
    }

    [Fact]
    public void The_header_wins_over_the_declaration_and_the_bom_over_the_declaration()
    {
        var arabic = "قمة الناتو";
        var body = TextDecoder.ByName("windows-1256")!.GetBytes($"<?xml version=\"1.0\" encoding=\"utf-8\"?><x>{arabic}</x>");
        Assert.Contains(arabic, TextDecoder.Decode(body, "text/xml; charset=\"windows-1256\"", html: false), StringComparison.Ordinal);

        var withBom = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes($"<?xml version=\"1.0\" encoding=\"windows-1256\"?><x>{arabic}</x>")).ToArray();
        var decoded = TextDecoder.Decode(withBom, null, html: false);
        Assert.StartsWith("<?xml", decoded, StringComparison.Ordinal);
        Assert.Contains(arabic, decoded, StringComparison.Ordinal);

        var utf16 = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes($"<x>{arabic}</x>")).ToArray();
        Assert.Equal($"<x>{arabic}</x>", TextDecoder.Decode(utf16, null, html: false));
    }

    [Theory]
    [InlineData("<meta charset=\"windows-1256\">")]
    [InlineData("<meta charset=windows-1256>")]
    [InlineData("<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=windows-1256\">")]
    public void Html_pages_declare_their_charset_in_a_meta_element(string meta)
    {
        var arabic = "بلينكن وروته في بروكسل";
        var page = TextDecoder.ByName("windows-1256")!.GetBytes($"<html><head>{meta}<title>{arabic}</title></head><body></body></html>");
        Assert.Contains(arabic, TextDecoder.Decode(page, "text/html", html: true), StringComparison.Ordinal);
        Assert.DoesNotContain(arabic, TextDecoder.Decode(page, "text/html", html: false), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_charsets_fall_back_to_the_next_source_then_utf8()
    {
        var arabic = "قمة";
        Assert.Equal(arabic, TextDecoder.Decode(Encoding.UTF8.GetBytes(arabic), "text/plain; charset=x-no-such-thing", html: true));
        Assert.Equal("windows-1256", TextDecoder.FromContentType("text/xml;charset=cp1256")!.WebName);
        Assert.Null(TextDecoder.FromContentType("text/xml"));
    }
}
