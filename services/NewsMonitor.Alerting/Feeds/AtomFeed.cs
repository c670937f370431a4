using System.Globalization;
using System.Security.Cryptography;
using System.ServiceModel.Syndication;
using System.Text;
using System.Xml;

namespace NewsMonitor.Alerting.Feeds;

/// <summary>One alert as a feed entry, with what alerting knows of its article (URL and language may be unknown).</summary>
public sealed record FeedEntry(Guid AlertId, string Title, IReadOnlyList<string> Matched, DateTimeOffset RaisedAt, string? ArticleUrl, string? Language, DateTimeOffset? PublishedAt);

/// <summary>Builds a subscription's Atom 1.0 document and the validators of conditional GET. Pure: no I/O.</summary>
public static class AtomFeed
{
    /// <summary>How many alerts the feed carries, newest first.</summary>
    public const int Size = 50;

    /// <summary>The media type of the answer.</summary>
    public const string ContentType = "application/atom+xml; charset=utf-8";

    private const string XmlNamespace = "http://www.w3.org/XML/1998/namespace";

    /// <summary>
    /// The Atom document (UTF-8, no byte order mark) of subscription <paramref name="subscriptionId"/> named
    /// <paramref name="name"/>, with <paramref name="entries"/> in the order given (newest first). The feed's
    /// <c>updated</c> is <paramref name="updated"/>; each entry's id is <c>urn:uuid:</c> and the alert id, so a reader
    /// shows each alert once however often it polls.
    /// </summary>
    public static byte[] Write(Guid subscriptionId, string name, DateTimeOffset updated, IReadOnlyList<FeedEntry> entries)
    {
        var feed = new SyndicationFeed
        {
            Id = $"urn:uuid:{subscriptionId}",
            Title = new TextSyndicationContent(XmlText($"NewsMonitor: {name}")),
            LastUpdatedTime = updated,
            Generator = "NewsMonitor",
            // Atom needs an author on the feed or on every entry.
            Authors = { new SyndicationPerson { Name = "NewsMonitor" } },
            Items = entries.Select(Item).ToList(),
        };
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            new Atom10FeedFormatter(feed).WriteTo(writer);
        }
        return buffer.ToArray();
    }

    private static SyndicationItem Item(FeedEntry entry)
    {
        var item = new SyndicationItem
        {
            Id = $"urn:uuid:{entry.AlertId}",
            Title = new TextSyndicationContent(XmlText(entry.Title)),
            LastUpdatedTime = entry.RaisedAt,
            Summary = new TextSyndicationContent(XmlText(Summary(entry.Matched))),
        };
        if (entry.PublishedAt is { } published) item.PublishDate = published;
        // Only http(s) links: a javascript: or data: URL from a hostile source must not become a link in a reader.
        if (Uri.TryCreate(entry.ArticleUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https") item.Links.Add(SyndicationLink.CreateAlternateLink(url, "text/html"));
        // xml:lang tells a reader the entry's language, so Arabic titles are shaped and laid out right to left.
        if (LanguageTag(entry.Language) is { } language) item.AttributeExtensions[new XmlQualifiedName("lang", XmlNamespace)] = language;
        return item;
    }

    /// <summary>
    /// <paramref name="text"/> with every character XML 1.0 cannot carry (C0 controls but tab and line breaks, U+FFFE,
    /// U+FFFF, lone surrogates) replaced by U+FFFD: the writer throws on them, and one hostile title would otherwise
    /// make the whole feed fail for its subscriber.
    /// </summary>
    public static string XmlText(string text)
    {
        StringBuilder? safe = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                safe?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            if (XmlConvert.IsXmlChar(c))
            {
                safe?.Append(c);
                continue;
            }
            safe ??= new StringBuilder(text.Length).Append(text, 0, i);
            safe.Append('\uFFFD');
        }
        return safe?.ToString() ?? text;
    }

    /// <summary>The entry's summary: the terms of the rule that matched.</summary>
    public static string Summary(IReadOnlyList<string> matched) =>
        matched.Count == 0 ? "Matched the subscription's rule." : "Matched: " + string.Join(", ", matched);

    // A tag such as ar or ar-EG; anything else is left out rather than written into an attribute.
    private static string? LanguageTag(string? language) =>
        language is { Length: > 0 and <= 35 } && language.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && char.IsAsciiLetter(language[0]) ? language : null;

    /// <summary>
    /// The strong <c>ETag</c> of a feed: it changes when the set of alerts shown changes (<paramref name="positions"/>, the
    /// store positions of the entries: an alert that commits late changes it too, though it is not the newest) or the
    /// subscription changes in a way the document shows (<paramref name="name"/>, <paramref name="changedAt"/>), and
    /// differs between feeds (<paramref name="subscriptionId"/>). The token is not part of it, so the tag says nothing of it.
    /// </summary>
    public static string ETag(Guid subscriptionId, string name, DateTimeOffset changedAt, IEnumerable<long> positions)
    {
        var state = string.Create(CultureInfo.InvariantCulture, $"v1|{subscriptionId:N}|{name}|{changedAt.UtcTicks}|{string.Join(',', positions)}");
        return "\"" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(state)))[..32] + "\"";
    }

    /// <summary>
    /// Whether a conditional GET may answer <c>304</c>: <c>If-None-Match</c> decides when present (a list, <c>*</c>, or weak
    /// tags compared weakly); otherwise <c>If-Modified-Since</c> at whole seconds (HTTP dates have no fraction).
    /// </summary>
    public static bool NotModified(string? ifNoneMatch, string? ifModifiedSince, string etag, DateTimeOffset lastModified)
    {
        if (!string.IsNullOrWhiteSpace(ifNoneMatch))
        {
            return ifNoneMatch.Split(',').Select(tag => tag.Trim()).Any(tag => tag == "*" || (tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag) == etag);
        }
        return DateTimeOffset.TryParseExact(ifModifiedSince, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since)
            && lastModified.ToUnixTimeSeconds() <= since.ToUnixTimeSeconds();
    }
}
