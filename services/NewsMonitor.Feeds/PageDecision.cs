namespace NewsMonitor.Feeds;

/// <summary>Whether the poller should fetch an item's page to get the article text the feed did not carry.</summary>
public static class PageDecision
{
    /// <summary>Below this many characters of plain text a feed item is a teaser, not an article.</summary>
    public const int ShortTextChars = 600;

    // Endings that mean the feed cut the text short: an ellipsis, or a "read more" link's text (English and Arabic).
    private static readonly string[] Ellipses = ["…", "...", "[…]", "[...]", "(…)", "(...)"];
    private static readonly string[] ReadMore = ["read more", "continue reading", "read the full story", "اقرأ المزيد", "للمزيد", "المزيد"];

    /// <summary>
    /// <paramref name="fetchPages"/> is the source's setting: <c>never</c> → false; <c>always</c> → true; <c>auto</c> →
    /// true for sitemap items (they carry no text) and for items whose text (content, else summary, as plain text) is
    /// shorter than <see cref="ShortTextChars"/> or visibly truncated. Always false for an item without a link.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="fetchPages"/> is not auto, always or never.</exception>
    public static bool NeedsPage(FeedItem item, FeedKind kind, string fetchPages)
    {
        ArgumentNullException.ThrowIfNull(item);
        var mode = fetchPages?.Trim().ToLowerInvariant();
        if (mode is not ("auto" or "always" or "never"))
            throw new ArgumentException($"fetchPages must be auto, always or never, not '{fetchPages}'.", nameof(fetchPages));
        if (item.Link is null || mode == "never") return false;
        if (mode == "always" || kind is FeedKind.Sitemap or FeedKind.NewsSitemap or FeedKind.SitemapIndex) return true;
        var text = HtmlText.ToPlainText(string.IsNullOrWhiteSpace(item.Content) ? item.Summary : item.Content);
        return text.Length < ShortTextChars || LooksTruncated(text);
    }

    /// <summary>True when the text ends with an ellipsis or a "read more" link text.</summary>
    public static bool LooksTruncated(string text)
    {
        var tail = text.AsSpan().TrimEnd();
        foreach (var mark in Ellipses)
            if (tail.EndsWith(mark, StringComparison.Ordinal)) return true;
        var words = tail.TrimEnd(".:»>›→ ".AsSpan());
        foreach (var mark in ReadMore)
            if (words.EndsWith(mark, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
