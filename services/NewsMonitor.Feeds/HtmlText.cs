using System.Net;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace NewsMonitor.Feeds;

/// <summary>
/// HTML (a feed item's summary or content:encoded, or extracted article HTML) to plain text: block elements and
/// <c>&lt;br&gt;</c> become paragraph breaks (<c>"\n\n"</c>), whitespace runs become one space, entities are decoded
/// (also double-encoded ones such as <c>&amp;amp;nbsp;</c>), scripts, styles and embedded frames are dropped.
/// HTML over <see cref="FeedLimits.MaxHtmlElements"/> elements or <see cref="FeedLimits.MaxHtmlDepth"/> deep is not
/// parsed: its tags are stripped and its text returned as one paragraph.
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
        if (HtmlShape.Refusal(html) is not null)
        {
            // Too big or too deep to parse in bounded time: keep the words, lose the paragraph breaks.
            writer.Text(HtmlShape.StripTags(html));
            return writer.ToString();
        }
        var document = new HtmlParser().ParseDocument(html);
        Walk(document.Body ?? (INode)document.DocumentElement, writer);
        return writer.ToString();
    }

    /// <summary>
    /// <paramref name="value"/> with NUL and unpaired surrogates replaced by U+FFFD: text that entity decoding (ours or a
    /// library's) produced from "&amp;#0;" or "&amp;#xD800;" could otherwise not be stored nor pass ingestion's checks.
    /// </summary>
    internal static string? Storable(string? value)
    {
        if (value is null) return null;
        var i = 0;
        for (; i < value.Length; i++)
        {
            if (value[i] == '\0' || char.IsLowSurrogate(value[i])) break;
            if (char.IsHighSurrogate(value[i]))
            {
                if (i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
                break;
            }
        }
        if (i == value.Length) return value;
        var builder = new StringBuilder(value.Length);
        for (i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { builder.Append(c).Append(value[++i]); continue; }
            builder.Append(c == '\0' || char.IsSurrogate(c) ? '\uFFFD' : c);
        }
        return builder.ToString();
    }

    /// <summary>Writes the text under <paramref name="node"/> into <paramref name="writer"/>.</summary>
    /// <remarks>Iterative, not recursive: a hostile page nesting a million elements must not overflow the stack.</remarks>
    internal static void Walk(INode node, ParagraphWriter writer)
    {
        var pending = new Stack<(INode Node, bool Closing)>();
        PushChildren(node, pending);
        while (pending.Count > 0)
        {
            var (current, closing) = pending.Pop();
            if (closing)
            {
                writer.Break();
                continue;
            }
            switch (current)
            {
                case IText text:
                    writer.Text(text.Data);
                    break;
                case IElement element when Dropped.Contains(element.LocalName):
                    break;
                case IElement element when Blocks.Contains(element.LocalName):
                    writer.Break();
                    pending.Push((element, true));
                    PushChildren(element, pending);
                    break;
                case IElement element:
                    if (element.LocalName is "td" or "th") writer.Text(" ");
                    PushChildren(element, pending);
                    break;
            }
        }
    }

    private static void PushChildren(INode node, Stack<(INode Node, bool Closing)> pending)
    {
        var children = node.ChildNodes;
        for (var i = children.Length - 1; i >= 0; i--) pending.Push((children[i], false));
    }

    /// <summary>Collects text into whitespace-collapsed paragraphs.</summary>
    internal sealed class ParagraphWriter
    {
        private readonly StringBuilder _all = new();
        private readonly StringBuilder _current = new();
        private bool _pendingSpace;

        public void Text(string text)
        {
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c)) { _pendingSpace = _current.Length > 0; continue; }
                if (_pendingSpace) _current.Append(' ');
                _pendingSpace = false;
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    _current.Append(c).Append(text[++i]);
                    continue;
                }
                // WebUtility.HtmlDecode turns "&#0;" into NUL (and could leave a lone surrogate): neither can be stored
                // (PostgreSQL's jsonb refuses \u0000) and ingestion refuses them, so a hostile item would fail forever.
                _current.Append(c == '\0' || char.IsSurrogate(c) ? '\uFFFD' : c);
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
