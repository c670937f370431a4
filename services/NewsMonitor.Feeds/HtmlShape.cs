using System.Net;
using System.Text;

namespace NewsMonitor.Feeds;

/// <summary>
/// A parse-free look at an HTML string's size and nesting, to refuse hostile markup before AngleSharp and SmartReader
/// see it: AngleSharp's tree building grows with the square of the nesting depth (20,000 nested elements take
/// seconds, 200,000 minutes) and SmartReader's scoring with the square of the element count.
/// </summary>
internal static class HtmlShape
{
    // Elements whose end tag is optional or which never have one: they do not deepen the tree as written.
    private static readonly HashSet<string> Flat = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
        "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot", "colgroup", "rb", "rt", "rp",
    };

    /// <summary>Counts start tags and estimates the deepest nesting (comments, scripts and styles skipped).</summary>
    public static (int Elements, int Depth) Measure(string html)
    {
        int elements = 0, depth = 0, deepest = 0, i = 0;
        var span = html.AsSpan();
        while ((i = html.IndexOf('<', i)) >= 0 && i + 1 < html.Length)
        {
            var next = html[i + 1];
            if (span[i..].StartsWith("<!--"))
            {
                var end = html.IndexOf("-->", i + 4, StringComparison.Ordinal);
                if (end < 0) break;
                i = end + 3;
                continue;
            }
            if (next == '/')
            {
                var (closing, _) = Name(html, i + 2);
                if (closing.Length > 0 && !Flat.Contains(closing)) depth = Math.Max(0, depth - 1);
                i += 2;
                continue;
            }
            if (!char.IsAsciiLetter(next)) { i++; continue; }
            var (name, after) = Name(html, i + 1);
            elements++;
            var close = html.IndexOf('>', after);
            if (close < 0) break;
            var selfClosing = html[close - 1] == '/';
            if (name.Equals("script", StringComparison.OrdinalIgnoreCase) || name.Equals("style", StringComparison.OrdinalIgnoreCase))
            {
                var end = html.IndexOf("</" + name, close, StringComparison.OrdinalIgnoreCase);
                if (end < 0) break;
                i = end + 2;
                continue;
            }
            if (!selfClosing && !Flat.Contains(name)) deepest = Math.Max(deepest, ++depth);
            i = close + 1;
        }
        return (elements, deepest);
    }

    private static (string Name, int After) Name(string html, int start)
    {
        var end = start;
        while (end < html.Length && (char.IsAsciiLetterOrDigit(html[end]) || html[end] == '-' || html[end] == ':')) end++;
        return (html[start..end], end);
    }

    /// <summary>Why <paramref name="html"/> is too big or too deep to parse; null when it is fine.</summary>
    public static string? Refusal(string html)
    {
        var (elements, depth) = Measure(html);
        if (elements > FeedLimits.MaxHtmlElements) return $"the HTML has {elements} elements; the limit is {FeedLimits.MaxHtmlElements}";
        if (depth > FeedLimits.MaxHtmlDepth) return $"the HTML nests elements {depth} deep; the limit is {FeedLimits.MaxHtmlDepth}";
        return null;
    }

    /// <summary>Text of markup too hostile to parse: tags become spaces, scripts and styles go, entities are decoded.</summary>
    public static string StripTags(string html)
    {
        var builder = new StringBuilder(html.Length);
        var i = 0;
        while (i < html.Length)
        {
            var open = html.IndexOf('<', i);
            if (open < 0) { builder.Append(html, i, html.Length - i); break; }
            builder.Append(html, i, open - i).Append(' ');
            var (name, _) = Name(html, open + 1);
            var close = html.IndexOf('>', open);
            if (close < 0) break;
            i = close + 1;
            if (name.Equals("script", StringComparison.OrdinalIgnoreCase) || name.Equals("style", StringComparison.OrdinalIgnoreCase))
            {
                var end = html.IndexOf("</" + name, i, StringComparison.OrdinalIgnoreCase);
                if (end < 0) break;
                i = end;
            }
        }
        return WebUtility.HtmlDecode(builder.ToString());
    }
}
