using System.Globalization;
using System.ServiceModel.Syndication;
using System.Xml;

namespace NewsMonitor.Feeds;

/// <summary>
/// Feed bytes to a <see cref="FeedDocument"/>: RSS 2.0 and Atom 1.0 through <see cref="SyndicationFeed"/>, sitemaps,
/// sitemap indexes and Google News sitemaps through a small <see cref="XmlReader"/> walk; every reader with DTDs
/// prohibited (see <see cref="SafeXml"/>). Pure: no HTTP, no clock.
/// </summary>
public static class FeedParser
{
    /// <summary>Sitemap protocol namespace.</summary>
    public const string SitemapNamespace = "http://www.sitemaps.org/schemas/sitemap/0.9";
    /// <summary>Google News sitemap namespace.</summary>
    public const string NewsNamespace = "http://www.google.com/schemas/sitemap-news/0.9";
    /// <summary>Atom 1.0 namespace.</summary>
    public const string AtomNamespace = "http://www.w3.org/2005/Atom";
    private const string ContentNamespace = "http://purl.org/rss/1.0/modules/content/";
    private const string DublinCoreNamespace = "http://purl.org/dc/elements/1.1/";

    /// <summary>
    /// Parses a feed, sitemap, sitemap index or Google News sitemap, detected from its root element. The charset comes
    /// from <paramref name="contentType"/>, then a BOM, then the XML declaration (<see cref="TextDecoder"/>); relative
    /// links are resolved against xml:base and <paramref name="location"/>. Items over the field limits
    /// (<see cref="FeedLimits"/>) or without a link and a GUID are left out whole and listed in
    /// <see cref="FeedDocument.Skipped"/>.
    /// </summary>
    /// <param name="content">The response body (after HTTP decompression).</param>
    /// <param name="contentType">The Content-Type header, if any.</param>
    /// <param name="location">The URL the document was fetched from (after redirects).</param>
    /// <exception cref="FeedFormatException">
    /// The document is not an accepted feed: an HTML page, a DOCTYPE, malformed XML, an unknown root element, more than
    /// <see cref="FeedLimits.MaxItems"/> items or more than <see cref="FeedLimits.MaxDocumentChars"/> characters. No other
    /// exception escapes for any input.
    /// </exception>
    public static FeedDocument Parse(ReadOnlySpan<byte> content, string? contentType, Uri location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var text = TextDecoder.Decode(content, contentType, html: false);
        return Parse(text, location);
    }

    /// <summary>Parses an already decoded document (see <see cref="Parse(ReadOnlySpan{byte}, string?, Uri)"/>).</summary>
    /// <exception cref="FeedFormatException">The document is not an accepted feed.</exception>
    public static FeedDocument Parse(string text, Uri location)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(location);
        SafeXml.CheckSize(text);
        if (string.IsNullOrWhiteSpace(text)) throw new FeedFormatException("the document is empty");
        if (SafeXml.LooksLikeHtml(text)) throw new FeedFormatException(SafeXml.HtmlReason);
        if (SafeXml.HasDoctype(text)) throw new FeedFormatException(SafeXml.DtdReason);
        try
        {
            var (name, ns) = RootOf(text);
            return (name, ns) switch
            {
                ("rss", _) => Syndication(text, location, FeedKind.Rss),
                ("feed", AtomNamespace) => Syndication(text, location, FeedKind.Atom),
                ("urlset", _) => Sitemap(text, location),
                ("sitemapindex", _) => SitemapIndex(text, location),
                ("html", _) => throw new FeedFormatException(SafeXml.HtmlReason),
                ("RDF", _) => throw new FeedFormatException("an RSS 1.0 (RDF) feed; only RSS 2.0, Atom 1.0 and sitemaps are read"),
                _ => throw new FeedFormatException($"not a feed: the root element is <{name}>{(ns.Length > 0 ? $" in namespace {ns}" : "")}"),
            };
        }
        catch (XmlException error)
        {
            throw SafeXml.Refusal(error, text);
        }
        catch (Exception error) when (error is not FeedFormatException and not OutOfMemoryException)
        {
            // SyndicationFeed reports unexpected shapes with assorted exception types; the poller needs one.
            throw new FeedFormatException($"not a readable feed: {error.Message}");
        }
    }

    private static (string Name, string Namespace) RootOf(string text)
    {
        using var reader = SafeXml.Open(text);
        if (reader.MoveToContent() != XmlNodeType.Element) throw new FeedFormatException("the document has no root element");
        return (reader.LocalName, reader.NamespaceURI);
    }

    private static FeedDocument Syndication(string text, Uri location, FeedKind kind)
    {
        var count = CountItems(text, kind == FeedKind.Rss ? "item" : "entry");
        if (count > FeedLimits.MaxItems)
            throw new FeedFormatException($"the feed has {count} items; the limit is {FeedLimits.MaxItems}");
        SyndicationFeedFormatter formatter = kind == FeedKind.Rss ? new Rss20FeedFormatter() : new Atom10FeedFormatter();
        // Real feeds carry dates SyndicationFeed's strict parser rejects (odd RFC 822 zones, Arabic month names) and
        // links it cannot make URIs of; neither may cost us the item, so both parsers accept everything.
        formatter.DateTimeParser = ParseDate;
        formatter.UriParser = ParseUri;
        try
        {
            using var reader = SafeXml.Open(text);
            formatter.ReadFrom(reader);
            // SyndicationFeed parses items, dates and TTL lazily, on first access: all of it happens inside this try.
            var feed = formatter.Feed;
            var feedLanguage = Blank(feed.Language);
            var feedBase = feed.BaseUri is { IsAbsoluteUri: true } b ? b : location;
            var builder = new ItemsBuilder(location);
            foreach (var item in feed.Items)
            {
                var link = LinkOf(item, feedBase);
                var published = Date(item.PublishDate) ?? Date(item.LastUpdatedTime) ?? ParseLoose(Extension(item, "date", DublinCoreNamespace));
                var author = Blank(Extension(item, "creator", DublinCoreNamespace))
                    ?? item.Authors.Select(person => Blank(person.Name) ?? Blank(person.Email)).FirstOrDefault(name => name is not null);
                builder.Add(link, Blank(item.Id), TextOf(item.Title), Blank(item.Summary?.Text),
                    Blank(Extension(item, "encoded", ContentNamespace)) ?? ContentOf(item.Content), published, author,
                    Blank(Extension(item, "language", DublinCoreNamespace)) ?? feedLanguage);
            }
            TimeSpan? ttl = feed.TimeToLive is { } t && t > TimeSpan.Zero ? t : null;
            return new FeedDocument(kind, TextOf(feed.Title), feedLanguage, ttl, builder.Items, []) { Skipped = builder.Skipped };
        }
        catch (Exception error) when (kind == FeedKind.Rss && error is not OutOfMemoryException)
        {
            // RSS 0.9x, version-less feeds, markup in titles, a bad ttl: Rss20FeedFormatter refuses the whole feed; our walk reads it.
            return FromWalk(text, location);
        }
    }

    private static FeedDocument FromWalk(string text, Uri location)
    {
        var (title, language, ttl, raw) = RssWalk.Read(text);
        var builder = new ItemsBuilder(location);
        foreach (var item in raw)
        {
            builder.Add(Absolute(item.Link, location), item.Guid, PlainTitle(item.Title), item.Summary, item.Content,
                ParseLoose(item.Published), item.Author is null ? null : PlainTitle(item.Author), item.Language ?? language);
        }
        return new FeedDocument(FeedKind.Rss, PlainTitle(title), language, ttl, builder.Items, []) { Skipped = builder.Skipped };
    }

    private static string? PlainTitle(string? html) => html is null ? null : Blank(HtmlText.ToPlainText(html).Replace("\n\n", " ", StringComparison.Ordinal));

    /// <summary>Applies the rules every item goes through: permalink guids, size limits, identity; skipped items keep their reason.</summary>
    private sealed class ItemsBuilder(Uri location)
    {
        public List<FeedItem> Items { get; } = [];
        public List<SkippedItem> Skipped { get; } = [];
        private int _position;

        public void Add(string? link, string? guid, string? title, string? summary, string? content, DateTimeOffset? published, string? author, string? language)
        {
            _position++;
            guid = Blank(guid);
            // RSS's default isPermaLink guid is the article URL; only an absolute one is taken (a bare id is not a path).
            if (link is null && Uri.TryCreate(guid, UriKind.Absolute, out _) && Absolute(guid, location) is { } permalink) link = permalink;
            var reason = Oversize(title, summary, content) ?? TooLong(link, guid) ?? (link is null && guid is null ? "the item has neither a link nor a guid" : null);
            if (reason is not null)
            {
                Skipped.Add(new SkippedItem(_position, link ?? guid, reason));
                return;
            }
            Items.Add(new FeedItem(ItemIdentity.Key(link, guid), link, guid, title, Blank(summary), Blank(content), published, Blank(author), Blank(language)));
        }
    }

    private static string? Oversize(string? title, string? summary, string? content)
    {
        if (title is { Length: > FeedLimits.MaxTitleChars })
            return $"the title has {title.Length} characters; the limit is {FeedLimits.MaxTitleChars}";
        if (summary is { Length: > FeedLimits.MaxContentChars })
            return $"the summary has {summary.Length} characters; the limit is {FeedLimits.MaxContentChars}";
        if (content is { Length: > FeedLimits.MaxContentChars })
            return $"the content has {content.Length} characters; the limit is {FeedLimits.MaxContentChars}";
        return null;
    }

    // The link or guid becomes the item's key, stored with every item and sent with every article: a megabyte of it is an
    // attack, not an identity.
    private static string? TooLong(string? link, string? guid)
    {
        if (link is { Length: > FeedLimits.MaxLinkChars }) return $"the link has {link.Length} characters; the limit is {FeedLimits.MaxLinkChars}";
        if (guid is { Length: > FeedLimits.MaxLinkChars }) return $"the guid has {guid.Length} characters; the limit is {FeedLimits.MaxLinkChars}";
        return null;
    }

    private static int CountItems(string text, string element)
    {
        using var reader = SafeXml.Open(text);
        var count = 0;
        while (reader.Read())
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == element) count++;
        return count;
    }

    private static string? LinkOf(SyndicationItem item, Uri feedBase)
    {
        var link = item.Links.FirstOrDefault(l => l.RelationshipType is null or "alternate") ?? item.Links.FirstOrDefault();
        if (link?.Uri is null) return null;
        Uri uri;
        try
        {
            uri = link.GetAbsoluteUri() ?? link.Uri;
        }
        catch (InvalidOperationException)
        {
            uri = link.Uri;
        }
        return Absolute(uri.OriginalString, uri.IsAbsoluteUri ? uri : feedBase);
    }

    /// <summary>An absolute http(s) URL for <paramref name="value"/> resolved against <paramref name="baseUri"/>, else null.</summary>
    internal static string? Absolute(string? value, Uri baseUri)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        value = value.Trim();
        Uri? uri;
        if (Uri.TryCreate(value, UriKind.Absolute, out var absolute) && absolute.Scheme is not "file") uri = absolute;
        else if (!Uri.TryCreate(baseUri, value, out uri)) return null;
        return uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps ? uri.AbsoluteUri : null;
    }

    private static string? Extension(SyndicationItem item, string name, string ns)
    {
        try
        {
            var values = item.ElementExtensions.ReadElementExtensions<string>(name, ns);
            return values.Count > 0 ? values[0] : null;
        }
        catch (Exception error) when (error is XmlException or System.Runtime.Serialization.SerializationException or InvalidOperationException)
        {
            return null; // an extension element with markup inside instead of text: not what we read it for
        }
    }

    // Titles are one line of plain text whatever the feed's type attribute says (many "text" titles carry entities or tags).
    private static string? TextOf(TextSyndicationContent? content) => PlainTitle(content?.Text);

    private static string? ContentOf(SyndicationContent? content) => content switch
    {
        TextSyndicationContent text => Blank(text.Text),
        XmlSyndicationContent xml => Blank(ReadXmlContent(xml)),
        _ => null,
    };

    private static string? ReadXmlContent(XmlSyndicationContent xml)
    {
        try
        {
            using var reader = xml.GetReaderAtContent();
            return reader.ReadInnerXml();
        }
        catch (XmlException)
        {
            return null;
        }
    }

    private static DateTimeOffset? Date(DateTimeOffset value) => value == default || value == DateTimeOffset.MinValue ? null : value;

    private static bool ParseDate(XmlDateTimeData data, out DateTimeOffset value)
    {
        value = ParseLoose(data.DateTimeString) ?? DateTimeOffset.MinValue;
        return true;
    }

    private static bool ParseUri(XmlUriData data, out Uri? uri)
    {
        if (!Uri.TryCreate(data.UriString?.Trim(), data.UriKind, out uri) && !Uri.TryCreate(data.UriString?.Trim(), UriKind.RelativeOrAbsolute, out uri))
            uri = new Uri("about:blank");
        return true;
    }

    /// <summary>
    /// A date as feeds write it: RFC 822/1123 with any zone name or offset, ISO 8601, with or without a weekday, with
    /// Arabic-Indic digits or Arabic month names; null when unreadable (the item is kept without a date).
    /// </summary>
    public static DateTimeOffset? ParseLoose(string? value) => FeedDates.Parse(value);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static FeedDocument Sitemap(string text, Uri location)
    {
        using var reader = SafeXml.Open(text);
        reader.MoveToContent();
        var items = new List<FeedItem>();
        var skipped = new List<SkippedItem>();
        var news = false;
        var position = 0;
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "url" || reader.Depth != 1) continue;
            position++;
            if (position > FeedLimits.MaxItems)
            {
                var total = position;
                while (reader.Read()) if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "url" && reader.Depth == 1) total++;
                throw new FeedFormatException($"the sitemap has {total} items; the limit is {FeedLimits.MaxItems}");
            }
            string? loc = null, lastmod = null, title = null, published = null, language = null;
            using (var url = reader.ReadSubtree())
            {
                // ReadElementContentAsString already moves to the next node, so only other nodes call Read.
                url.Read();
                while (!url.EOF)
                {
                    if (url.NodeType != XmlNodeType.Element) { url.Read(); continue; }
                    switch (url.LocalName, url.NamespaceURI)
                    {
                        // Image and video extensions have their own <loc>; only the sitemap's (or a namespace-less one) counts.
                        case ("loc", SitemapNamespace or ""): loc = url.ReadElementContentAsString(); break;
                        case ("lastmod", SitemapNamespace or ""): lastmod = url.ReadElementContentAsString(); break;
                        case ("title", NewsNamespace): title = url.ReadElementContentAsString(); break;
                        case ("publication_date", NewsNamespace): published = url.ReadElementContentAsString(); break;
                        case ("language", NewsNamespace): language = url.ReadElementContentAsString(); break;
                        case ("news", NewsNamespace): news = true; url.Read(); break;
                        default: url.Read(); break;
                    }
                }
            }
            var link = Absolute(loc, location);
            title = Blank(title);
            if (link is null)
            {
                skipped.Add(new SkippedItem(position, Blank(loc), "the entry has no http(s) <loc>"));
                continue;
            }
            if ((Oversize(title, null, null) ?? TooLong(link, null)) is { } reason)
            {
                skipped.Add(new SkippedItem(position, link, reason));
                continue;
            }
            items.Add(new FeedItem(ItemIdentity.Key(link, null), link, null, title is null ? null : HtmlText.ToPlainText(title),
                null, null, ParseLoose(published) ?? ParseLoose(lastmod), null, Blank(language)));
        }
        return new FeedDocument(news ? FeedKind.NewsSitemap : FeedKind.Sitemap, null, null, null, items, []) { Skipped = skipped };
    }

    private static FeedDocument SitemapIndex(string text, Uri location)
    {
        using var reader = SafeXml.Open(text);
        reader.MoveToContent();
        var sitemaps = new List<Uri>();
        var skipped = new List<SkippedItem>();
        var position = 0;
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "loc" || reader.Depth != 2 || reader.NamespaceURI is not (SitemapNamespace or "")) continue;
            position++;
            if (position > FeedLimits.MaxItems)
                throw new FeedFormatException($"the sitemap index has more than {FeedLimits.MaxItems} sitemaps; the limit is {FeedLimits.MaxItems}");
            var loc = reader.ReadElementContentAsString();
            if (Absolute(loc, location) is { } link) sitemaps.Add(new Uri(link));
            else skipped.Add(new SkippedItem(position, Blank(loc), "the sitemap entry has no http(s) <loc>"));
        }
        return new FeedDocument(FeedKind.SitemapIndex, null, null, null, [], sitemaps) { Skipped = skipped };
    }
}
