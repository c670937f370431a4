using System.Net;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace NewsMonitor.Feeds;

/// <summary>
/// HTML (a feed item's summary or content:encoded, or extracted article HTML) to plain text: block elements and
/// <c>&lt;br&gt;</c> become paragraph breaks (<c>"\n\n"</c>), whitespace runs become one space, entities are decoded
/// (also double-encoded ones such as <c>&amp;amp;nbsp;</c>), scripts, styles and embedded frames are dropped.
/// </summary>
public static class HtmlText
{
    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote",
        "section", "article", "header", "footer", "aside", "nav", "main", "figure", "figcaption", "table", "tr",
        "pre", "hr", "address", "details", "summary", "form", "fieldset",
    };

    private static readonly HashSet<string> Dropped = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "canvas", "head",
        "select", "button", "textarea", "input",
    };

    /// <summary>Plain text of <paramref name="html"/>; empty for null or blank input.</summary>
    public static string ToPlainText(string? html)
    {
        if (string.IsNullOrWhiteSpace(html)) return "";
        var writer = new ParagraphWriter();
        if (html.AsSpan().IndexOfAny('<', '&') < 0)
        {
            // Already text: keep its blank-line paragraphs, collapse the rest.
            foreach (var paragraph in html.Split(["\r\n\r\n", "\n\n", "\r\r"], StringSplitOptions.None))
            {
                writer.Text(paragraph);
                writer.Break();
            }
            return writer.ToString();
        }
        var document = new HtmlParser().ParseDocument(html);
        Walk(document.Body ?? (INode)document.DocumentElement, writer);
        return writer.ToString();
    }

    /// <summary>Writes the text under <paramref name="node"/> into <paramref name="writer"/>.</summary>
    internal static void Walk(INode node, ParagraphWriter writer)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText text:
                    writer.Text(text.Data);
                    break;
                case IElement element when Dropped.Contains(element.LocalName):
                    break;
                case IElement element when Blocks.Contains(element.LocalName):
                    writer.Break();
                    Walk(element, writer);
                    writer.Break();
                    break;
                case IElement element:
                    if (element.LocalName is "td" or "th") writer.Text(" ");
                    Walk(element, writer);
                    break;
            }
        }
    }

    /// <summary>Collects text into whitespace-collapsed paragraphs.</summary>
    internal sealed class ParagraphWriter
    {
        private readonly StringBuilder _all = new();
        private readonly StringBuilder _current = new();
        private bool _pendingSpace;

        public void Text(string text)
        {
            foreach (var c in text)
            {
                if (char.IsWhiteSpace(c)) { _pendingSpace = _current.Length > 0; continue; }
                if (_pendingSpace) _current.Append(' ');
                _pendingSpace = false;
                _current.Append(c);
            }
        }

        public void Break()
        {
            _pendingSpace = false;
            if (_current.Length == 0) return;
            var paragraph = _current.ToString();
            _current.Clear();
            // Feeds that escape their HTML twice leave "&nbsp;" or "&amp;" in the text after one parse.
            if (paragraph.Contains('&', StringComparison.Ordinal))
            {
                var decoded = WebUtility.HtmlDecode(paragraph);
                if (decoded != paragraph) { Text(decoded); paragraph = _current.ToString(); _current.Clear(); _pendingSpace = false; }
            }
            if (paragraph.Length == 0) return;
            if (_all.Length > 0) _all.Append("\n\n");
            _all.Append(paragraph);
        }

        public override string ToString()
        {
            Break();
            return _all.ToString();
        }
    }
}
