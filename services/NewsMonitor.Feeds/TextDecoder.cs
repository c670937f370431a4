using System.Text;
using System.Text.RegularExpressions;

namespace NewsMonitor.Feeds;

/// <summary>
/// Bytes to text with the charset a web server or document declares. Order: the Content-Type header's charset, then a
/// byte-order mark, then the document's own declaration (XML declaration, or for HTML <c>&lt;meta charset&gt;</c> /
/// <c>&lt;meta http-equiv="Content-Type" content="…charset=…"&gt;</c>), else UTF-8. Legacy code pages such as
/// windows-1256 and ISO-8859-6 (still served by Arabic sites) come from <see cref="CodePagesEncodingProvider"/>.
/// An unknown charset name is ignored (the next source is tried); undecodable bytes become U+FFFD, never an exception.
/// </summary>
public static partial class TextDecoder
{
    static TextDecoder() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    // Declarations must appear near the start; HTML's rule is the first 1024 bytes, we allow a little more for comments.
    private const int SniffBytes = 4096;

    /// <summary>Decodes <paramref name="content"/> (see the type's remarks for the order of charset sources).</summary>
    /// <param name="content">The response body.</param>
    /// <param name="contentType">The HTTP Content-Type header value, if any (e.g. <c>text/xml; charset=ISO-8859-6</c>).</param>
    /// <param name="html">True for HTML pages (look for meta charset), false for XML (look at the XML declaration).</param>
    public static string Decode(ReadOnlySpan<byte> content, string? contentType, bool html)
    {
        var encoding = Detect(content, contentType, html, out var bomLength);
        var text = encoding.GetString(content[bomLength..]);
        // A BOM the header's charset did not account for would otherwise reach the XML reader as a stray U+FEFF.
        return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
    }

    /// <summary>The encoding <see cref="Decode"/> would use, and how many BOM bytes it skips.</summary>
    public static Encoding Detect(ReadOnlySpan<byte> content, string? contentType, bool html, out int bomLength)
    {
        var bom = FromBom(content, out bomLength);
        if (FromContentType(contentType) is { } declared && !(bom is null && declared is UnicodeEncoding or UTF32Encoding && LooksAsciiCompatible(content)))
        {
            // Keep the BOM skip only when it belongs to the declared encoding; otherwise decode the bytes as declared.
            if (bom is null || bom.CodePage != declared.CodePage) bomLength = 0;
            return declared;
        }
        if (bom is not null) return bom;
        var head = Encoding.Latin1.GetString(content[..Math.Min(content.Length, SniffBytes)]);
        var name = html ? MetaCharset(head) : XmlDeclarationCharset(head);
        var sniffed = name is null ? null : ByName(name);
        // A UTF-16/32 declaration we could read as ASCII is a lie (the bytes are ASCII-compatible): use UTF-8.
        return sniffed is null or UnicodeEncoding or UTF32Encoding ? new UTF8Encoding(false) : sniffed;
    }

    /// <summary>The charset parameter of a Content-Type header, when it names an encoding we know.</summary>
    public static Encoding? FromContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType)) return null;
        var match = HeaderCharset().Match(contentType);
        return match.Success ? ByName(match.Groups[1].Value) : null;
    }

    // A document starting with '<' or ASCII whitespace followed by a non-zero byte is not UTF-16 or UTF-32 (whose ASCII
    // characters carry zero bytes), whatever a misconfigured server's header says: decoding it so would lose the feed.
    private static bool LooksAsciiCompatible(ReadOnlySpan<byte> content) =>
        content.Length >= 2 && content[0] is (byte)'<' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' && content[1] != 0;

    private static Encoding? FromBom(ReadOnlySpan<byte> content, out int length)
    {
        length = 0;
        if (content.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) { length = 3; return new UTF8Encoding(false); }
        if (content.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])) { length = 2; return Encoding.Unicode; }
        if (content.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])) { length = 2; return Encoding.BigEndianUnicode; }
        return null;
    }

    private static string? XmlDeclarationCharset(string head)
    {
        var match = XmlDeclaration().Match(head);
        return match.Success ? match.Groups[1].Value : null;
    }

    private static string? MetaCharset(string head)
    {
        var match = MetaCharsetAttribute().Match(head);
        if (match.Success) return match.Groups[1].Value;
        match = MetaHttpEquiv().Match(head);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>An encoding by its IANA name or a common alias; null when unknown.</summary>
    public static Encoding? ByName(string name)
    {
        name = name.Trim().Trim('"', '\'').ToLowerInvariant();
        name = name switch
        {
            "utf8" => "utf-8",
            "cp1256" or "win-1256" or "windows1256" => "windows-1256",
            "iso8859-6" or "iso_8859-6" or "arabic" => "iso-8859-6",
            // HTML's rule: latin1 labels mean windows-1252.
            "iso-8859-1" or "latin1" or "us-ascii" or "ascii" => "windows-1252",
            // UTF-7 is disabled in .NET (GetEncoding throws NotSupportedException) and a known XSS vector: never used.
            "utf-7" or "utf7" or "unicode-1-1-utf-7" or "csunicode11utf7" or "x-unicode20utf7" => "",
            _ => name,
        };
        try
        {
            var encoding = Encoding.GetEncoding(name);
            return encoding is UTF8Encoding ? new UTF8Encoding(false) : encoding;
        }
        catch (Exception error) when (error is ArgumentException or NotSupportedException)
        {
            // Unknown names, and encodings the runtime knows but refuses (UTF-7): the next charset source is tried.
            return null;
        }
    }

    [GeneratedRegex("""charset\s*=\s*["']?([A-Za-z0-9._:\-]+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HeaderCharset();

    [GeneratedRegex("""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:\-]+)["']""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex XmlDeclaration();

    [GeneratedRegex("""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MetaCharsetAttribute();

    [GeneratedRegex("""<meta\s[^>]*?content\s*=\s*["'][^"']*charset\s*=\s*([A-Za-z0-9._:\-]+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MetaHttpEquiv();
}
