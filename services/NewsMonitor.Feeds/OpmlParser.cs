using System.Xml;

namespace NewsMonitor.Feeds;

/// <summary>One feed subscription read from an OPML file.</summary>
/// <param name="Index">1-based position of the outline among all <c>&lt;outline&gt;</c> elements, in document order (folders included), so an operator can find it in the file.</param>
/// <param name="Title">The outline's title, else its text.</param>
/// <param name="XmlUrl">The feed URL as written.</param>
/// <param name="HtmlUrl">The site URL as written.</param>
/// <param name="Language">The outline's language attribute, when present.</param>
/// <param name="Error">Why this outline cannot become a source (no xmlUrl, not an absolute http(s) URL); null when it can.</param>
public sealed record OpmlOutline(int Index, string? Title, string? XmlUrl, string? HtmlUrl, string? Language, string? Error);

/// <summary>
/// OPML subscription lists to outlines: nested outlines are flattened; folder outlines (children and no xmlUrl) are not
/// listed; an outline without xmlUrl or with a non-http(s) one carries <see cref="OpmlOutline.Error"/>.
/// </summary>
public static class OpmlParser
{
    /// <summary>Reads an OPML document (charset from BOM or XML declaration, else UTF-8).</summary>
    /// <exception cref="FeedFormatException">Not OPML, malformed XML, a DOCTYPE, or more than <see cref="FeedLimits.MaxItems"/> outlines.</exception>
    public static IReadOnlyList<OpmlOutline> Parse(ReadOnlySpan<byte> content)
    {
        var text = TextDecoder.Decode(content, null, html: false);
        SafeXml.CheckSize(text);
        if (string.IsNullOrWhiteSpace(text)) throw new FeedFormatException("the OPML document is empty");
        if (SafeXml.HasDoctype(text)) throw new FeedFormatException(SafeXml.LooksLikeHtml(text) ? "an HTML page, not an OPML file" : SafeXml.DtdReason);
        try
        {
            using var reader = SafeXml.Open(text);
            if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "opml")
                throw new FeedFormatException(reader.LocalName == "html" ? "an HTML page, not an OPML file" : $"not an OPML file: the root element is <{reader.LocalName}>");
            var outlines = new List<OpmlOutline>();
            var index = 0;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "outline") continue;
                index++;
                if (index > FeedLimits.MaxItems)
                    throw new FeedFormatException($"the OPML file has more than {FeedLimits.MaxItems} outlines; the limit is {FeedLimits.MaxItems}");
                var xmlUrl = Blank(reader.GetAttribute("xmlUrl") ?? reader.GetAttribute("xmlurl"));
                var folder = !reader.IsEmptyElement && xmlUrl is null;
                if (folder) continue;
                var title = Blank(reader.GetAttribute("title")) ?? Blank(reader.GetAttribute("text"));
                var htmlUrl = Blank(reader.GetAttribute("htmlUrl") ?? reader.GetAttribute("htmlurl"));
                var language = Blank(reader.GetAttribute("language"));
                var error = xmlUrl is null ? "the outline has no xmlUrl"
                    : !Uri.TryCreate(xmlUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                        ? $"xmlUrl is not an absolute http(s) URL: {Shorten(xmlUrl)}"
                        : null;
                outlines.Add(new OpmlOutline(index, title, xmlUrl, htmlUrl, language, error));
            }
            return outlines;
        }
        catch (XmlException error)
        {
            throw SafeXml.Refusal(error, text);
        }
    }

    private static string Shorten(string value) => value.Length > 200 ? value[..200] + "…" : value;

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
