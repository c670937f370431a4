using System.Text.RegularExpressions;
using System.Xml;

namespace NewsMonitor.Feeds;

/// <summary>
/// The one way this library opens XML: DTDs prohibited (so no external entities, no entity expansion: XXE and billion
/// laughs fail on the DOCTYPE before anything is resolved), no resolver, tiny entity budget, capped document size;
/// and the one translation of reader errors into <see cref="FeedFormatException"/> reasons a person can act on.
/// </summary>
internal static partial class SafeXml
{
    public static XmlReader Open(string text) => XmlReader.Create(new StringReader(text), new XmlReaderSettings
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        MaxCharactersInDocument = FeedLimits.MaxDocumentChars,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        CloseInput = true,
    });

    public const string DtdReason = "DTDs are not allowed (a DOCTYPE can carry external entities or entity expansion; feeds do not need one)";
    public const string HtmlReason = "an HTML page, not a feed";

    /// <summary>Refuses a document longer than <see cref="FeedLimits.MaxDocumentChars"/> before any parsing.</summary>
    public static void CheckSize(string text)
    {
        if (text.Length > FeedLimits.MaxDocumentChars)
            throw new FeedFormatException($"the document has {text.Length} characters; the limit is {FeedLimits.MaxDocumentChars}");
    }

    /// <summary>The reason for an <see cref="XmlException"/> raised while reading <paramref name="text"/>.</summary>
    public static FeedFormatException Refusal(XmlException error, string text)
    {
        if (HasDoctype(text) || error.Message.Contains("DTD", StringComparison.Ordinal))
            return new FeedFormatException(LooksLikeHtml(text) ? HtmlReason : DtdReason);
        if (error.Message.Contains("MaxCharacters", StringComparison.Ordinal))
            return new FeedFormatException($"the document is larger than {FeedLimits.MaxDocumentChars} characters or expands entities");
        if (LooksLikeHtml(text)) return new FeedFormatException(HtmlReason);
        var message = LineSuffix().Replace(error.Message, "").Trim();
        return new FeedFormatException($"malformed XML at line {error.LineNumber}, position {error.LinePosition}: {message}");
    }

    /// <summary>True when the document starts (after an XML declaration, comments and whitespace) like an HTML page.</summary>
    public static bool LooksLikeHtml(string text)
    {
        var head = text.Length > 2048 ? text[..2048] : text;
        return HtmlStart().IsMatch(head);
    }

    /// <summary>True when a DOCTYPE appears before the root element.</summary>
    public static bool HasDoctype(string text)
    {
        var head = text.Length > 4096 ? text[..4096] : text;
        return Doctype().IsMatch(head);
    }

    [GeneratedRegex(@"^\uFEFF?\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype\s+html|<html[\s>])", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex HtmlStart();

    [GeneratedRegex(@"^\uFEFF?\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*|<\?.*?\?>\s*)*<!DOCTYPE", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Doctype();

    [GeneratedRegex(@"\s*Line \d+, position \d+\.?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex LineSuffix();
}
