using System.ServiceModel.Syndication;
using System.Text;
using System.Xml;

namespace NewsMonitor.Feeds.Tests;

/// <summary>RSS as sites really write it, which SyndicationFeed's RSS 2.0 formatter refuses whole.</summary>
public class RealWorldRssTests
{
    private static readonly Uri Location = new("https://old.example.net/rss.php");

    private static FeedDocument Parse(string xml) => FeedParser.Parse(Encoding.UTF8.GetBytes(xml), null, Location);

    [Fact]
    public void SyndicationFeed_alone_loses_the_whole_fixture_feed_to_one_date_and_we_keep_every_item()
    {
        using (var reader = XmlReader.Create(new MemoryStream(Fixture.Bytes("rss.xml"))))
            Assert.Throws<XmlException>(() => SyndicationFeed.Load(reader).Items.Select(item => item.PublishDate).ToList()); // "…parsing a DateTime value", read lazily

        Assert.Equal(4, FeedParser.Parse(Fixture.Bytes("rss.xml"), null, Location).Items.Count);
    }

    [Theory]
    [InlineData("<rss version=\"0.91\"><channel><title>قديم</title><language>ar</language><ttl>15</ttl><item><title>a</title><link>https://old.example.net/1</link><description>نص</description><pubDate>Wed, 04 Dec 2019 12:00:00 GMT</pubDate></item></channel></rss>")]
    [InlineData("<rss><channel><title>قديم</title><language>ar</language><ttl>15</ttl><item><title>a</title><link>https://old.example.net/1</link><description>نص</description><pubDate>Wed, 04 Dec 2019 12:00:00 GMT</pubDate></item></channel></rss>")]
    [InlineData("<rss version=\"0.92\"><channel><title>قديم</title><language>ar</language><ttl>15</ttl><image><title>logo</title></image><item><title><b>a</b></title><link>/1</link><description>نص</description><pubDate>Wed, 04 Dec 2019 12:00:00 GMT</pubDate></item></channel></rss>")]
    public void Old_and_version_less_rss_is_read_by_our_own_walk(string xml)
    {
        var feed = Parse(xml);

        Assert.Equal(FeedKind.Rss, feed.Kind);
        Assert.Equal("قديم", feed.Title);
        Assert.Equal("ar", feed.Language);
        Assert.Equal(TimeSpan.FromMinutes(15), feed.Ttl);
        var item = Assert.Single(feed.Items);
        Assert.Equal(new FeedItem("https://old.example.net/1", "https://old.example.net/1", null, "a", "نص", null,
            new DateTimeOffset(2019, 12, 4, 12, 0, 0, TimeSpan.Zero), null, "ar"), item);
    }

    [Fact]
    public void Markup_in_titles_and_unescaped_html_in_descriptions_is_kept_as_html()
    {
        var feed = Parse("""
            <rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>
            <item><title><b>عاجل</b> قمة الناتو</title><link>https://old.example.net/2</link>
            <description><p>فقرة <a href="/x">رابط</a></p></description><dc:creator>المحرر</dc:creator></item>
            </channel></rss>
            """);

        var item = Assert.Single(feed.Items);
        Assert.Equal("عاجل قمة الناتو", item.Title);
        Assert.Equal("<p>فقرة <a href=\"/x\">رابط</a></p>", item.Summary);
        Assert.Equal("فقرة رابط", HtmlText.ToPlainText(item.Summary));
        Assert.Equal("المحرر", item.Author);
    }

    [Fact]
    public void Broken_enclosures_and_ttls_cost_neither_the_item_nor_the_feed()
    {
        var feed = Parse("""
            <rss version="2.0"><channel><title>t</title><ttl>soon</ttl>
            <item><title>a</title><link>https://old.example.net/3</link><enclosure url="not a url" length="abc" type="x"/></item>
            </channel></rss>
            """);

        Assert.Null(feed.Ttl);
        Assert.Equal("https://old.example.net/3", Assert.Single(feed.Items).Link);
    }

    [Fact]
    public void Items_outside_the_channel_are_still_items()
    {
        var feed = Parse("<rss version=\"2.0\"><channel><title>t</title></channel><item><title>a</title><guid>g-1</guid></item></rss>");
        Assert.Equal("guid:g-1", Assert.Single(feed.Items).Key);
    }
}
