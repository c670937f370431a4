using System.Xml;
using System.Xml.Linq;

namespace NewsMonitor.Feeds;

/// <summary>
/// The fallback reader for RSS that <see cref="System.ServiceModel.Syndication.Rss20FeedFormatter"/> refuses: RSS
/// 0.91/0.92 and version-less feeds (still common on older Arabic sites), markup inside &lt;title&gt;, items outside
/// &lt;channel&gt;, enclosures with invalid attributes. Reads only what <see cref="FeedItem"/> carries.
/// </summary>
internal static class RssWalk
{
    private const string ContentNamespace = "http://purl.org/rss/1.0/modules/content/";
    private const string DublinCoreNamespace = "http://purl.org/dc/elements/1.1/";

    public static (string? Title, string? Language, TimeSpan? Ttl, List<RawItem> Items) Read(string text)
    {
        using var reader = SafeXml.Open(text);
        reader.MoveToContent();
        string? title = null, language = null;
        TimeSpan? ttl = null;
        var items = new List<RawItem>();
        reader.Read();
        while (!reader.EOF)
        {
            if (reader.NodeType != XmlNodeType.Element) { reader.Read(); continue; }
            if (reader.LocalName == "item" && reader.NamespaceURI.Length == 0)
            {
                items.Add(Item((XElement)XNode.ReadFrom(reader)));
                continue;
            }
            // Channel-level elements sit at depth 2 (rss/channel/x); image/title and the like are deeper.
            if (reader.Depth == 2 && reader.NamespaceURI.Length == 0 && reader.LocalName is "title" or "language" or "ttl")
            {
                var name = reader.LocalName;
                var value = Value((XElement)XNode.ReadFrom(reader));
                switch (name)
                {
                    case "title": title ??= value; break;
                    case "language": language ??= value; break;
                    case "ttl": ttl ??= int.TryParse(value, out var minutes) && minutes is > 0 and < 100_000 ? TimeSpan.FromMinutes(minutes) : null; break;
                }
                continue;
            }
            reader.Read();
        }
        return (title, language, ttl, items);
    }

    /// <summary>An item's fields as written: HTML where the feed has HTML, dates unparsed.</summary>
    internal sealed record RawItem(string? Title, string? Link, string? Guid, string? Summary, string? Content,
        string? Published, string? Author, string? Language);

    private static RawItem Item(XElement item)
    {
        string? Child(string name, string ns = "") => item.Element(XName.Get(name, ns)) is { } element ? Value(element) : null;
        var link = Child("link") ?? item.Elements().FirstOrDefault(e => e.Name.LocalName == "link" && e.Attribute("href") is not null)?.Attribute("href")?.Value;
        return new RawItem(Child("title"), link, Child("guid"), Child("description"), Child("encoded", ContentNamespace),
            Child("pubDate") ?? Child("date", DublinCoreNamespace), Child("creator", DublinCoreNamespace) ?? Child("author"),
            Child("language", DublinCoreNamespace));
    }

    // Text content, or the inner markup when the element holds child elements (unescaped HTML inside <description>).
    private static string? Value(XElement element)
    {
        var value = element.HasElements ? string.Concat(element.Nodes().Select(node => node.ToString(SaveOptions.DisableFormatting))) : element.Value;
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}
