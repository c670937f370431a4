using System.Text;

namespace NewsMonitor.Feeds;

/// <summary>
/// The identity of a feed item: its canonical link, else its GUID. Links win because some feeds regenerate GUIDs on
/// every build; the canonical form makes the same article found through a tracking link count once.
/// </summary>
public static class ItemIdentity
{
    // Click-tracking parameters that vary per share or campaign but never change the article.
    private static readonly HashSet<string> TrackingParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
    };

    /// <summary>
    /// The item key: <see cref="CanonicalLink"/> of <paramref name="link"/> when it is an absolute http(s) URL, else
    /// <c>"guid:" + guid</c> (trimmed), else <c>"link:" + link</c> (trimmed) for a link that is not a URL.
    /// </summary>
    /// <exception cref="ArgumentException">Neither a link nor a GUID was given.</exception>
    public static string Key(string? link, string? guid)
    {
        if (CanonicalLink(link) is { } canonical) return canonical;
        if (!string.IsNullOrWhiteSpace(guid)) return "guid:" + guid.Trim();
        if (!string.IsNullOrWhiteSpace(link)) return "link:" + link.Trim();
        throw new ArgumentException("An item needs a link or a GUID to have an identity.", nameof(link));
    }

    /// <summary>
    /// The canonical form of an absolute http(s) URL: lower-case scheme and host (IDN as punycode), no default port, no
    /// fragment, path and query percent-encoded, tracking parameters (<c>utm_*</c>, <c>fbclid</c>, <c>gclid</c>, …)
    /// removed, other parameters in their order. Null for anything else.
    /// </summary>
    public static string? CanonicalLink(string? link)
    {
        if (string.IsNullOrWhiteSpace(link) || !Uri.TryCreate(link.Trim(), UriKind.Absolute, out var uri)) return null;
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) return null;
        var builder = new StringBuilder(link.Length);
        builder.Append(uri.Scheme).Append("://").Append(uri.IdnHost.ToLowerInvariant());
        if (!uri.IsDefaultPort) builder.Append(':').Append(uri.Port);
        builder.Append(uri.AbsolutePath);
        var first = true;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = Uri.UnescapeDataString(pair.Split('=', 2)[0]);
            if (name.StartsWith("utm_", StringComparison.OrdinalIgnoreCase) || TrackingParameters.Contains(name)) continue;
            builder.Append(first ? '?' : '&').Append(pair);
            first = false;
        }
        return builder.ToString();
    }
}
