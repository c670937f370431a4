namespace NewsMonitor.Feeds;

/// <summary>What kind of document <see cref="FeedParser.Parse"/> found, decided by its root element.</summary>
public enum FeedKind
{
    /// <summary>RSS 2.0 (<c>&lt;rss&gt;</c>).</summary>
    Rss,
    /// <summary>Atom 1.0 (<c>&lt;feed xmlns="http://www.w3.org/2005/Atom"&gt;</c>).</summary>
    Atom,
    /// <summary>A sitemap (<c>&lt;urlset&gt;</c>) without Google News entries: items carry only a link and a date.</summary>
    Sitemap,
    /// <summary>A sitemap index (<c>&lt;sitemapindex&gt;</c>): no items, the child sitemaps are in <see cref="FeedDocument.Sitemaps"/>.</summary>
    SitemapIndex,
    /// <summary>A Google News sitemap (<c>&lt;urlset&gt;</c> with <c>news:news</c> entries: title, publication date, language).</summary>
    NewsSitemap,
}

/// <summary>
/// One entry of a feed or sitemap. <see cref="Summary"/> and <see cref="Content"/> are the feed's HTML as given
/// (RSS description / Atom summary, content:encoded / Atom content): turn them into text with
/// <see cref="HtmlText.ToPlainText"/> before storing.
/// </summary>
/// <param name="Key">Item identity (<see cref="ItemIdentity.Key"/>): the canonical link, else <c>guid:</c> + the GUID.</param>
/// <param name="Link">Absolute http(s) link of the article, resolved against xml:base and the feed's location; null when absent or not http(s).</param>
/// <param name="Guid">RSS guid or Atom id, as given.</param>
/// <param name="Title">Plain-text title.</param>
/// <param name="Summary">HTML summary (RSS description, Atom summary).</param>
/// <param name="Content">HTML full content (content:encoded, Atom content).</param>
/// <param name="PublishedAt">Publication time (pubDate, published, else updated, dc:date, news:publication_date, lastmod); null when absent or unreadable.</param>
/// <param name="Author">dc:creator, author name or email.</param>
/// <param name="Language">Item language (dc:language, news:language), else the feed's; as declared, not checked.</param>
public sealed record FeedItem(string Key, string? Link, string? Guid, string? Title, string? Summary, string? Content,
    DateTimeOffset? PublishedAt, string? Author, string? Language);

/// <summary>An item left out of a parsed feed, with the reason (for the source's item log).</summary>
/// <param name="Position">1-based position of the item in the document.</param>
/// <param name="Link">The item's link or guid when it had one.</param>
/// <param name="Reason">Why it was left out, for a person ("the content has 1200000 characters; the limit is 1000000").</param>
public sealed record SkippedItem(int Position, string? Link, string Reason);

/// <summary>A parsed feed, sitemap or sitemap index.</summary>
/// <param name="Kind">What the document is.</param>
/// <param name="Title">The feed's title (RSS/Atom only).</param>
/// <param name="Language">The feed's declared language (RSS language, Atom xml:lang).</param>
/// <param name="Ttl">RSS &lt;ttl&gt;: how long the feed may be cached; the poller waits at least this long.</param>
/// <param name="Items">Items in document order, at most <see cref="FeedLimits.MaxItems"/>.</param>
/// <param name="Sitemaps">Children of a sitemap index (absolute http(s) URLs); empty otherwise.</param>
public sealed record FeedDocument(FeedKind Kind, string? Title, string? Language, TimeSpan? Ttl,
    IReadOnlyList<FeedItem> Items, IReadOnlyList<Uri> Sitemaps)
{
    /// <summary>Items left out whole (over-size fields, no link and no guid), with their reasons. Never half an item.</summary>
    public IReadOnlyList<SkippedItem> Skipped { get; init; } = [];
}

/// <summary>
/// The document is not a feed this library accepts (HTML page, DTD, malformed XML, too big, unknown root).
/// <see cref="Reason"/> is written for the operator and safe to show on the source.
/// </summary>
/// <param name="reason">Why the document was refused, for a person.</param>
public sealed class FeedFormatException(string reason) : Exception(reason)
{
    /// <summary>Why the document was refused, for a person ("DTDs are not allowed", "an HTML page, not a feed").</summary>
    public string Reason { get; } = reason;
}

/// <summary>Size limits applied by the parsers. Documented in docs/sources.md.</summary>
public static class FeedLimits
{
    /// <summary>Most items (or child sitemaps, or OPML outlines) in one document; more makes the whole document fail.</summary>
    public const int MaxItems = 10_000;

    /// <summary>Longest title (characters); a longer one skips the item.</summary>
    public const int MaxTitleChars = 1_000;

    /// <summary>Longest item link or guid (characters), as ingestion's longest URL; a longer one skips the item.</summary>
    public const int MaxLinkChars = 2_048;

    /// <summary>Longest summary or content (characters); a longer one skips the item (never truncated: no half articles).</summary>
    public const int MaxContentChars = 1_000_000;

    /// <summary>Longest decoded document (characters) the XML parsers read; longer fails before parsing.</summary>
    public const int MaxDocumentChars = 64_000_000;

    /// <summary>Longest HTML page (characters) <see cref="PageExtractor"/> reads; longer is refused.</summary>
    public const int MaxPageChars = 8_000_000;

    /// <summary>
    /// Most elements in a page or a feed item's HTML: readability's scoring grows with their square (200,000 took
    /// minutes). A larger page is refused; larger item HTML is turned into text without parsing.
    /// </summary>
    public const int MaxHtmlElements = 25_000;

    /// <summary>Deepest element nesting parsed: AngleSharp's tree building grows with its square. Same treatment as above.</summary>
    public const int MaxHtmlDepth = 500;
}
