using System.Globalization;
using System.Security;
using System.Text;

namespace NewsMonitor.Sources.Tests.Polling;

/// <summary>Feeds and texts the poller tests serve, built around the FeedServer's own URLs.</summary>
internal static class FeedTexts
{
    /// <summary>Three unrelated English articles long enough (over 600 characters) that no page is fetched for them.</summary>
    public static readonly string[] English =
    [
        "Heavy rain flooded the lower town overnight after the river rose above its banks for the first time in twelve years. " +
        "Emergency crews moved more than four hundred residents to the sports hall on the hill, where volunteers served soup until dawn. " +
        "The mayor said the new flood wall had held along the northern quay but that water came in through the old drainage tunnels under the market. " +
        "Engineers will inspect the tunnels this week, and the council will meet on Thursday to decide whether to close them for good. " +
        "Shopkeepers in the market street began pumping out cellars at first light and counted the damage to stock and equipment.",

        "The home side came from two goals down to win the cup semi-final in front of a sold-out stadium on Saturday evening. " +
        "A penalty ten minutes after the break started the comeback, and the substitute striker scored twice in the last quarter of an hour. " +
        "The visiting coach complained about the referee's decision to allow the second goal, saying his goalkeeper had been pushed. " +
        "Supporters celebrated in the square outside the ground long after the final whistle, and the club announced extra trains for the final. " +
        "The final will be played next month at the national stadium against last year's champions, who won their semi-final on penalties.",

        "The central bank left its main interest rate unchanged on Wednesday and said inflation was falling more slowly than it had expected. " +
        "Two members of the rate committee voted for a cut, arguing that weak retail sales and rising unemployment called for support. " +
        "The governor told reporters that wage growth in the services sector remained too strong to risk easing policy before the spring. " +
        "Markets had priced in a small chance of a cut, and the currency rose slightly against the dollar after the announcement. " +
        "Economists now expect the first reduction in the second quarter, depending on the energy prices that drove inflation last winter.",
    ];

    /// <summary>An RSS 2.0 feed whose items carry their whole text in content:encoded.</summary>
    public static string Rss(params (string Title, Uri Link, string Html)[] items)
    {
        var builder = new StringBuilder("""<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Test feed</title><link>http://example.com/</link><language>en</language><ttl>1</ttl>""");
        foreach (var (title, link, html) in items)
            builder.Append(CultureInfo.InvariantCulture, $"<item><title>{Escape(title)}</title><link>{Escape(link.AbsoluteUri)}</link><guid isPermaLink=\"false\">{Escape(link.AbsoluteUri)}#guid</guid><pubDate>Sun, 29 Nov 2026 10:00:00 GMT</pubDate><dc:creator>Staff reporter</dc:creator><description>{Escape(Summary(html))}</description><content:encoded><![CDATA[{html}]]></content:encoded></item>");
        return builder.Append("</channel></rss>").ToString();
    }

    /// <summary>An RSS 2.0 feed whose items have only a short summary (so the poller fetches the page).</summary>
    public static string SummaryOnlyRss(params (string Title, Uri Link, string Summary)[] items)
    {
        var builder = new StringBuilder("""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Summaries</title><link>http://example.com/</link>""");
        foreach (var (title, link, summary) in items)
            builder.Append(CultureInfo.InvariantCulture, $"<item><title>{Escape(title)}</title><link>{Escape(link.AbsoluteUri)}</link><description>{Escape(summary)}</description></item>");
        return builder.Append("</channel></rss>").ToString();
    }

    /// <summary>An Atom 1.0 feed with one entry.</summary>
    public static string Atom(string title, Uri link, string html) =>
        $"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom test</title><id>urn:test:atom</id><updated>2026-11-29T10:00:00Z</updated><entry><title>{Escape(title)}</title><id>urn:test:{Guid.NewGuid():N}</id><link rel="alternate" href="{Escape(link.AbsoluteUri)}"/><updated>2026-11-29T10:00:00Z</updated><published>2026-11-29T09:00:00Z</published><author><name>Atom author</name></author><content type="html">{Escape(html)}</content></entry></feed>""";

    /// <summary>A Google News sitemap with one article.</summary>
    public static string NewsSitemap(Uri page, string title) =>
        $"""<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>{Escape(page.AbsoluteUri)}</loc><news:news><news:publication><news:name>Test News</news:name><news:language>ar</news:language></news:publication><news:publication_date>2026-11-29T10:00:00Z</news:publication_date><news:title>{Escape(title)}</news:title></news:news></url></urlset>""";

    /// <summary>An RSS feed without items (for schedule, lease and restart tests).</summary>
    public const string EmptyRss = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Empty</title><link>http://example.com/</link></channel></rss>""";

    /// <summary>The page fixture of the feeds library, read from the test output.</summary>
    public static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "FeedFixtures", name));

    private static string Summary(string html) => html.Length > 80 ? html[..80] : html;

    private static string Escape(string text) => SecurityElement.Escape(text);
}
