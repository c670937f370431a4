namespace NewsMonitor.Feeds.Tests;

public class FeedParserTests
{
    private static readonly Uri NewsSite = new("https://news.example.com/rss.xml");

    [Fact]
    public void Rss_20_gives_items_with_content_creator_ttl_and_canonical_keys()
    {
        var feed = FeedParser.Parse(Fixture.Bytes("rss.xml"), "application/rss+xml; charset=utf-8", NewsSite);

        Assert.Equal(FeedKind.Rss, feed.Kind);
        Assert.Equal("الأخبار الدولية - وكالة الأنباء", feed.Title);
        Assert.Equal("ar", feed.Language);
        Assert.Equal(TimeSpan.FromMinutes(30), feed.Ttl);
        Assert.Empty(feed.Sitemaps);
        Assert.Equal(4, feed.Items.Count);

        var london = feed.Items[0];
        Assert.Equal("https://news.example.com/world/2019/12/nato-london?id=42", london.Key); // tracking and fragment gone
        Assert.Equal("news-example-2019-nato-london", london.Guid);
        Assert.Equal("مراسل الوكالة في لندن", london.Author);
        Assert.Equal(new DateTimeOffset(2019, 12, 4, 14, 30, 0, TimeSpan.FromHours(3)), london.PublishedAt);
        Assert.Contains("<p>بعد يوم من الدراما", london.Content, StringComparison.Ordinal);
        Assert.EndsWith("…", london.Summary, StringComparison.Ordinal);
        Assert.Equal("ar", london.Language);
    }

    [Fact]
    public void Bad_and_odd_dates_never_lose_an_item()
    {
        var feed = FeedParser.Parse(Fixture.Bytes("rss.xml"), null, NewsSite);

        // "AST" (Arabia Standard Time) is not an RFC 822 zone; SyndicationFeed's own parser throws on it.
        Assert.Equal(new DateTimeOffset(2024, 12, 5, 9, 0, 0, TimeSpan.FromHours(3)), feed.Items[1].PublishedAt);
        // Arabic weekday and month names with Arabic-Indic digits.
        Assert.Equal(new DateTimeOffset(2024, 7, 11, 10, 15, 0, TimeSpan.FromHours(3)), feed.Items[2].PublishedAt);
        // Unreadable: kept, without a date.
        Assert.Equal("https://news.example.com/world/undated", feed.Items[3].Link);
        Assert.Null(feed.Items[3].PublishedAt);
    }

    [Fact]
    public void Relative_rss_links_resolve_against_the_feed_location_and_titles_are_plain_text()
    {
        var feed = FeedParser.Parse(Fixture.Bytes("rss.xml"), null, NewsSite);

        var washington = feed.Items[2];
        Assert.Equal("https://news.example.com/world/2024/07/washington-summit", washington.Link);
        Assert.Equal("قمة واشنطن & الذكرى الخامسة والسبعين للحلف", washington.Title); // double-escaped &amp;amp; decoded
        Assert.Equal("desk@news.example.com (مكتب بروكسل)", feed.Items[1].Author);
    }

    [Fact]
    public void Atom_10_resolves_links_against_xml_base_at_feed_and_entry_level()
    {
        var feed = FeedParser.Parse(Fixture.Bytes("atom.xml"), "application/atom+xml", new Uri("https://cdn.example.org/feeds/ar.atom"));

        Assert.Equal(FeedKind.Atom, feed.Kind);
        Assert.Equal("موقع الأخبار العربية", feed.Title);
        Assert.Equal("ar", feed.Language);
        Assert.Null(feed.Ttl);
        Assert.Equal(2, feed.Items.Count);

        var summit = feed.Items[0];
        Assert.Equal("https://www.example.org/ar/news/2024/07/washington-summit.html", summit.Link);
        Assert.Equal(summit.Link, summit.Key);
        Assert.Equal("tag:example.org,2024:washington-summit", summit.Guid);
        Assert.Equal("قمة واشنطن <الخامسة والسبعون>", summit.Title);
        Assert.Equal("قسم الشؤون الدولية", summit.Author);
        Assert.Equal(new DateTimeOffset(2024, 7, 11, 10, 15, 0, TimeSpan.FromHours(3)), summit.PublishedAt);
        Assert.Contains("<p>", summit.Content, StringComparison.Ordinal);
        Assert.StartsWith("<p>", summit.Summary, StringComparison.Ordinal);

        var blinken = feed.Items[1];
        Assert.Equal("https://www.example.org/en/news/blinken-rutte", blinken.Link);
        Assert.Equal(new DateTimeOffset(2024, 12, 4, 8, 0, 0, TimeSpan.Zero), blinken.PublishedAt); // updated when no published
        Assert.Null(blinken.Content);
    }

    [Fact]
    public void Sitemap_items_carry_link_and_lastmod_and_non_http_locations_are_skipped_with_a_reason()
    {
        var feed = FeedParser.Parse(Fixture.Bytes("sitemap.xml"), "text/xml", new Uri("https://news.example.com/sitemap.xml"));

        Assert.Equal(FeedKind.Sitemap, feed.Kind);
        Assert.Equal(
            ["https://news.example.com/world/2019/12/nato-london", "https://news.example.com/world/2024/blinken-rutte",
             "https://news.example.com/world/2024/07/%D9%82%D9%85%D8%A9-%D9%88%D8%A7%D8%B4%D9%86%D8%B7%D9%86"],
            feed.Items.Select(item => item.Link));
        Assert.Equal(new DateTimeOffset(2019, 12, 4, 14, 30, 0, TimeSpan.FromHours(3)), feed.Items[0].PublishedAt);
        Assert.Equal(new DateTimeOffset(2024, 12, 5, 0, 0, 0, TimeSpan.Zero), feed.Items[1].PublishedAt);
        Assert.Null(feed.Items[2].PublishedAt);
        Assert.All(feed.Items, item => Assert.Null(item.Title));
        var skipped = Assert.Single(feed.Skipped);
        Assert.Equal(4, skipped.Position);
        Assert.Contains("http(s)", skipped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Sitemap_index_lists_its_child_sitemaps_resolved()
    {
        var feed = FeedParser.Parse(Fixture.Bytes("sitemap-index.xml"), null, new Uri("https://news.example.com/sitemap_index.xml"));

        Assert.Equal(FeedKind.SitemapIndex, feed.Kind);
        Assert.Empty(feed.Items);
        Assert.Equal([new Uri("https://news.example.com/sitemaps/news.xml"), new Uri("https://news.example.com/sitemaps/2024-12.xml")], feed.Sitemaps);
        Assert.Single(feed.Skipped); // the ftp:// one
    }

    [Fact]
    public void News_sitemap_gives_title_publication_date_and_language()
    {
        var feed = FeedParser.Parse(Fixture.Bytes("news-sitemap.xml"), null, new Uri("https://news.example.com/news-sitemap.xml"));

        Assert.Equal(FeedKind.NewsSitemap, feed.Kind);
        Assert.Equal(2, feed.Items.Count);
        var summit = feed.Items[0];
        Assert.Equal("https://news.example.com/world/2024/07/washington-summit", summit.Link);
        Assert.Equal("قمة واشنطن: الحلف يحتفل بالذكرى الخامسة والسبعين", summit.Title);
        Assert.Equal(new DateTimeOffset(2024, 7, 11, 10, 15, 0, TimeSpan.FromHours(3)), summit.PublishedAt);
        Assert.Equal("ar", summit.Language);
        Assert.Equal("en", feed.Items[1].Language);
        Assert.Equal(new DateTimeOffset(2024, 12, 5, 0, 0, 0, TimeSpan.Zero), feed.Items[1].PublishedAt);
    }

    [Fact]
    public void A_guid_that_is_a_url_serves_as_the_link_when_the_item_has_none()
    {
        var xml = """
            <rss version="2.0"><channel><title>t</title>
            <item><title>a</title><guid>https://news.example.com/a?utm_campaign=x</guid></item>
            <item><title>b</title><guid isPermaLink="false">id-b</guid></item>
            <item><title>c</title></item>
            </channel></rss>
            """;
        var feed = FeedParser.Parse(System.Text.Encoding.UTF8.GetBytes(xml), null, NewsSite);

        Assert.Equal(["https://news.example.com/a", "guid:id-b"], feed.Items.Select(item => item.Key));
        Assert.Equal(3, Assert.Single(feed.Skipped).Position);
    }
}
