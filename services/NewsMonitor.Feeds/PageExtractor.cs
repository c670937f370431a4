using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using SmartReader;

namespace NewsMonitor.Feeds;

/// <summary>The main text and metadata of an article page.</summary>
/// <param name="Title">The article title (readability's choice, else og:title, else &lt;title&gt;).</param>
/// <param name="Text">Plain text: paragraphs separated by <c>"\n\n"</c>, whitespace collapsed, entities decoded.</param>
/// <param name="Author">meta author, article:author, JSON-LD author, or the byline readability found.</param>
/// <param name="PublishedAt">article:published_time, JSON-LD datePublished, itemprop datePublished, else the first &lt;time datetime&gt;.</param>
/// <param name="CanonicalUrl">&lt;link rel=canonical&gt;, else og:url; absolute, http(s) only.</param>
/// <param name="Language">&lt;html lang&gt;, else Content-Language meta, else og:locale; as declared.</param>
public sealed record ExtractedPage(string? Title, string Text, string? Author, DateTimeOffset? PublishedAt,
    string? CanonicalUrl, string? Language);

/// <summary>
/// Article pages to <see cref="ExtractedPage"/>: AngleSharp parses the page once; metadata is read first; page chrome
/// (navigation, asides, footers, forms, cookie banners, ads, related links, comments, share bars) is removed; SmartReader
/// (readability) picks the main text from what is left. Pure: the HTML and its URL in, a record out.
/// </summary>
public static partial class PageExtractor
{
    /// <summary>Below this many characters of main text the page is not an article worth storing.</summary>
    public const int MinTextChars = 200;

    private const string ChromeSelector =
        "script, style, noscript, template, iframe, object, embed, form, button, dialog, nav, aside, footer, " +
        "[role=navigation], [role=complementary], [role=contentinfo], [role=dialog], [role=alertdialog], [aria-hidden=true], [hidden]";

    /// <summary>Extracts the main text; null when the page has no main text worth storing.</summary>
    public static ExtractedPage? Extract(string html, Uri location) => Extract(html, location, out _);

    /// <summary>Extracts the main text; null (with <paramref name="reason"/> for the item log) when there is none worth storing.</summary>
    /// <param name="html">The page, decoded (see <see cref="TextDecoder.Decode"/> with <c>html: true</c>).</param>
    /// <param name="location">The page's URL after redirects: relative links and the canonical URL resolve against it.</param>
    /// <param name="reason">Why nothing was extracted; null on success.</param>
    public static ExtractedPage? Extract(string html, Uri location, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(html);
        ArgumentNullException.ThrowIfNull(location);
        reason = null;
        if (html.Length > FeedLimits.MaxPageChars)
        {
            reason = $"the page has {html.Length} characters; the limit is {FeedLimits.MaxPageChars}";
            return null;
        }
        if (string.IsNullOrWhiteSpace(html))
        {
            reason = "the page is empty";
            return null;
        }
        if (HtmlShape.Refusal(html) is { } tooBig)
        {
            reason = tooBig;
            return null;
        }
        var document = new HtmlParser().ParseDocument(html);
        var baseUri = FeedParser.Absolute(document.QuerySelector("base[href]")?.GetAttribute("href"), location) is { } b ? new Uri(b) : location;
        var ld = LinkedData(document);
        var canonical = Canonical(document, baseUri, location);
        var language = Blank(document.DocumentElement.GetAttribute("lang"))
            ?? Meta(document, "http-equiv", "content-language") ?? Meta(document, "property", "og:locale");
        var author = Meta(document, "name", "author") is { } a && !a.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? a
            : Meta(document, "property", "article:author") is { } pa && !pa.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? pa
            : ld.Author;
        var published = FeedDates.Parse(Meta(document, "property", "article:published_time"))
            ?? FeedDates.Parse(ld.Published)
            ?? FeedDates.Parse(document.QuerySelector("[itemprop=datePublished]") is { } item ? item.GetAttribute("content") ?? item.GetAttribute("datetime") : null)
            ?? FeedDates.Parse(Meta(document, "name", "pubdate") ?? Meta(document, "name", "publish-date") ?? Meta(document, "name", "date"))
            ?? FeedDates.Parse(document.QuerySelector("article time[datetime]")?.GetAttribute("datetime"))
            ?? FeedDates.Parse(document.QuerySelector("time[datetime]")?.GetAttribute("datetime"));
        var metaTitle = Meta(document, "property", "og:title") ?? Blank(document.Title);

        RemoveChrome(document);
        Article article;
        try
        {
            using var reader = new Reader(location.AbsoluteUri, document) { CharThreshold = MinTextChars };
            article = reader.GetArticle();
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            reason = $"readability failed on the page: {error.Message}";
            return null;
        }
        var text = article.IsReadable ? HtmlText.ToPlainText(article.Content) : "";
        if (text.Length < MinTextChars)
        {
            reason = $"no article text on the page ({text.Length} characters of main text; at least {MinTextChars} needed)";
            return null;
        }
        author ??= Blank(article.Author) ?? Blank(article.Byline);
        // SmartReader decodes entities in titles once more, so "&amp;#0;" in a page's <title> arrives here as NUL.
        return new ExtractedPage(HtmlText.Storable(Blank(article.Title) ?? metaTitle), text, HtmlText.Storable(author), published ?? NotDefault(article.PublicationDate),
            canonical, language ?? Blank(article.Language));
    }

    private static DateTimeOffset? NotDefault(DateTime? value) =>
        value is { } v && v != default ? new DateTimeOffset(DateTime.SpecifyKind(v, v.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : v.Kind)) : null;

    private static string? Canonical(IHtmlDocument document, Uri baseUri, Uri location)
    {
        foreach (var link in document.QuerySelectorAll("link[rel][href]"))
        {
            var rel = link.GetAttribute("rel")!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (rel.Any(r => r.Equals("canonical", StringComparison.OrdinalIgnoreCase))
                && FeedParser.Absolute(link.GetAttribute("href"), baseUri) is { } href)
                return SameSite(href, location) ? href : null;
        }
        return FeedParser.Absolute(Meta(document, "property", "og:url"), baseUri) is { } og && SameSite(og, location) ? og : null;
    }

    /// <summary>
    /// Whether a page at <paramref name="location"/> may name <paramref name="canonical"/> as its URL: the same host once
    /// a leading <c>www.</c>, <c>m.</c>, <c>mobile.</c> or <c>amp.</c> is dropped (amp.site.com → www.site.com). Ingestion
    /// keys articles by URL, so a page must not claim a URL it does not own (it would take that article's place and turn
    /// the real one into a duplicate). Other subdomains are refused too: on shared hosts (user.blogspot.com) a subdomain
    /// is someone else's site. A refused canonical costs little: the page's own address is used, and the same text
    /// under two addresses is still one article (ingestion's exact-text duplicates).
    /// </summary>
    internal static bool SameSite(string canonical, Uri location)
    {
        if (!Uri.TryCreate(canonical, UriKind.Absolute, out var uri)) return false;
        var a = Site(uri.IdnHost);
        var b = Site(location.IdnHost);
        return a == b;
    }

    private static string Site(string host)
    {
        host = host.ToLowerInvariant().TrimEnd('.');
        foreach (var prefix in (string[])["www.", "m.", "mobile.", "amp."])
            if (host.StartsWith(prefix, StringComparison.Ordinal) && host.Length > prefix.Length) return host[prefix.Length..];
        return host;
    }

    private static string? Meta(IHtmlDocument document, string attribute, string name)
    {
        foreach (var meta in document.QuerySelectorAll("meta"))
            if (string.Equals(meta.GetAttribute(attribute), name, StringComparison.OrdinalIgnoreCase) && Blank(meta.GetAttribute("content")) is { } content)
                return content;
        return null;
    }

    private static (string? Author, string? Published) LinkedData(IHtmlDocument document)
    {
        string? author = null, published = null;
        foreach (var script in document.QuerySelectorAll("script[type='application/ld+json']"))
        {
            try
            {
                using var json = JsonDocument.Parse(script.TextContent, new JsonDocumentOptions { MaxDepth = 32, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
                Visit(json.RootElement, 0, ref author, ref published);
            }
            catch (JsonException)
            {
                // Broken JSON-LD is common; the other metadata sources still apply.
            }
        }
        return (author, published);
    }

    private static void Visit(JsonElement element, int depth, ref string? author, ref string? published)
    {
        if (depth > 8) return;
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var child in element.EnumerateArray()) Visit(child, depth + 1, ref author, ref published);
            return;
        }
        if (element.ValueKind != JsonValueKind.Object) return;
        if (published is null && element.TryGetProperty("datePublished", out var date) && date.ValueKind == JsonValueKind.String)
            published = date.GetString();
        if (author is null && element.TryGetProperty("author", out var who)) author = NameOf(who);
        if (element.TryGetProperty("@graph", out var graph)) Visit(graph, depth + 1, ref author, ref published);
    }

    private static string? NameOf(JsonElement who) => who.ValueKind switch
    {
        JsonValueKind.String => Blank(who.GetString()),
        JsonValueKind.Object => who.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? Blank(name.GetString()) : null,
        JsonValueKind.Array => who.EnumerateArray().Select(NameOf).FirstOrDefault(n => n is not null),
        _ => null,
    };

    private static void RemoveChrome(IHtmlDocument document)
    {
        var body = document.Body;
        if (body is null) return;
        var pageText = ParagraphText(body);
        foreach (var element in document.QuerySelectorAll(ChromeSelector).ToList())
            if (element.LocalName is not ("article" or "main")) element.Remove();
        foreach (var element in body.QuerySelectorAll("[class], [id]").ToList())
        {
            if (element.Parent is null || element.LocalName is "article" or "main" or "body") continue;
            var names = $"{element.GetAttribute("class")} {element.GetAttribute("id")}";
            if (!Junk().IsMatch(names)) continue;
            // A class name is a hint, not proof: never drop the element that holds most of the page's paragraphs.
            if (pageText > 0 && ParagraphText(element) * 2 > pageText) continue;
            element.Remove();
        }
    }

    private static int ParagraphText(IElement root) => root.QuerySelectorAll("p").Sum(p => p.TextContent.Length);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    // Class and id words of page chrome, matched as whole words between -, _ or spaces.
    [GeneratedRegex(@"(^|[\s_\-])(cookies?|consent|gdpr|cmp|banner|ads?|advert|advertisement|adslot|dfp|sponsor(ed)?|promo|related|recommended|read-?more|more-?news|comments?|disqus|share|sharing|social|newsletter|subscribe|breadcrumbs?|popup|modal|outbrain|taboola|sidebar|widget|most-?read|trending|tags|navbar|menu|footer|header-?nav)($|[\s_\-])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Junk();
}
