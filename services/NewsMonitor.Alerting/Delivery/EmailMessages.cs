using System.Globalization;
using System.Net;
using System.Text;
using MimeKit;
using MimeKit.Text;
using NewsMonitor.Text;

namespace NewsMonitor.Alerting.Delivery;

/// <summary>One alert as a message lists it.</summary>
/// <param name="Title">The article's title as received (escaped when written into HTML).</param>
/// <param name="Url">The article's URL, when known; only http(s) URLs become links.</param>
public sealed record EmailItem(Guid AlertId, string Title, string? Url, IReadOnlyList<string> Matched, DateTimeOffset RaisedAt);

/// <summary>Everything one message says: an immediate alert (one item, no period) or a digest.</summary>
/// <param name="DeliveryId">The alert's or the digest's id; the Message-ID derives from it, so a re-sent message is recognisably the same.</param>
/// <param name="Period">The digest's period, null for an immediate alert.</param>
/// <param name="UnsubscribeUrl">The absolute one-click unsubscribe link.</param>
public sealed record EmailLetter(Guid DeliveryId, string SubscriptionName, string Mode, MailboxAddress From, MailboxAddress To, IReadOnlyList<EmailItem> Items,
    (DateTimeOffset Start, DateTimeOffset End)? Period, string UnsubscribeUrl, DateTimeOffset Date);

/// <summary>
/// Writes alert mail with MimeKit: <c>multipart/alternative</c> with a plain-text and an HTML part, a UTF-8 subject
/// (encoded words), a Message-ID derived from the alert or digest id, and one-click unsubscribe headers (RFC 2369,
/// RFC 8058) beside the link in both parts. Pure: no I/O.
/// </summary>
public static class EmailMessages
{
    /// <summary>Most items a digest lists; the rest are counted ("and 12 more").</summary>
    public const int MaxItems = 200;

    /// <summary>Longest title put into a subject line.</summary>
    public const int MaxSubjectTitle = 150;

    /// <summary>The Message-ID (without angle brackets) of the message for <paramref name="deliveryId"/> sent from <paramref name="from"/>.</summary>
    public static string MessageId(Guid deliveryId, MailboxAddress from)
    {
        var at = from.Address.LastIndexOf('@');
        var domain = at > 0 && at < from.Address.Length - 1 ? from.Address[(at + 1)..] : "newsmonitor.invalid";
        return $"{deliveryId:N}.alerts@{domain}";
    }

    /// <summary>
    /// Whether <paramref name="text"/> reads as Arabic: its first letter is of the Arabic script (the first strong
    /// character decides a paragraph's direction in the Unicode bidirectional algorithm, rule P2), so a title that opens
    /// in Arabic and quotes Latin words is still right-to-left.
    /// </summary>
    public static bool IsArabic(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsLetter(c)) continue;
            return ArabicScript.Contains(c);
        }
        return false;
    }

    /// <summary>The subject: the subscription's name, then the alert's title or the digest's count and period.</summary>
    public static string Subject(EmailLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var about = letter.Period is null && letter.Items.Count > 0
            ? OneLine(letter.Items[0].Title, MaxSubjectTitle)
            : $"{Count(letter.Items.Count)}, {PeriodText(letter)}";
        return $"[{OneLine(letter.SubscriptionName, 100)}] {about}";
    }

    /// <summary>The whole message.</summary>
    public static MimeMessage Compose(EmailLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var message = new MimeMessage { Subject = Subject(letter), Date = letter.Date, MessageId = MessageId(letter.DeliveryId, letter.From) };
        message.From.Add(letter.From);
        message.To.Add(letter.To);
        message.Headers.Add(HeaderId.ListUnsubscribe, $"<{letter.UnsubscribeUrl}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        // RFC 3834: machine-made mail; auto-responders should not answer it.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add("X-NewsMonitor-Delivery", letter.DeliveryId.ToString());
        var text = new TextPart(TextFormat.Plain);
        text.SetText(Encoding.UTF8, PlainText(letter));
        var html = new TextPart(TextFormat.Html);
        html.SetText(Encoding.UTF8, Html(letter));
        message.Body = new MultipartAlternative { text, html };
        return message;
    }

    /// <summary>
    /// The confirmation request for a new address (double opt-in): a fixed subject, and a body that says who asked and
    /// that ignoring it is enough. The subscription's name is the only text a subscriber chooses here, escaped in HTML.
    /// </summary>
    public static MimeMessage Confirmation(MailboxAddress from, MailboxAddress to, string subscriptionName, string confirmUrl, DateTimeOffset date)
    {
        ArgumentNullException.ThrowIfNull(from);
        var message = new MimeMessage { Subject = "Confirm NewsMonitor alert email", Date = date };
        message.From.Add(from);
        message.To.Add(to);
        message.Headers.Add("Auto-Submitted", "auto-generated");
        var name = OneLine(subscriptionName, 200);
        var text = new TextPart(TextFormat.Plain);
        text.SetText(Encoding.UTF8, $"A NewsMonitor user asked to email the alerts of their subscription \"{name}\" to this address.\n\n"
            + $"To receive them, open this link and confirm:\n{confirmUrl}\n\nIf you did not ask for this, ignore this message: nothing more will be sent.\n");
        var html = new TextPart(TextFormat.Html);
        html.SetText(Encoding.UTF8, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Confirm NewsMonitor alert email</title></head>\n<body>\n"
            + $"<p>A NewsMonitor user asked to email the alerts of their subscription “<span dir=\"auto\">{Escape(name)}</span>” to this address.</p>\n"
            + $"<p><a href=\"{Escape(confirmUrl)}\">Confirm and receive the alerts</a></p>\n"
            + "<p>If you did not ask for this, ignore this message: nothing more will be sent.</p>\n</body></html>\n");
        message.Body = new MultipartAlternative { text, html };
        return message;
    }

    /// <summary>The plain-text part.</summary>
    public static string PlainText(EmailLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var text = new StringBuilder();
        text.Append(Heading(letter)).Append("\n\n");
        foreach (var item in letter.Items.Take(MaxItems))
        {
            text.Append("* ").Append(OneLine(item.Title, 1_000)).Append('\n');
            if (LinkOf(item.Url) is { } url) text.Append("  ").Append(url).Append('\n');
            text.Append("  ").Append(Details(item)).Append("\n\n");
        }
        if (letter.Items.Count > MaxItems) text.Append(CultureInfo.InvariantCulture, $"... and {letter.Items.Count - MaxItems} more.\n\n");
        text.Append("-- \nTo stop these emails, open: ").Append(letter.UnsubscribeUrl).Append('\n');
        return text.ToString();
    }

    /// <summary>The HTML part: every piece of text escaped, Arabic titles right-to-left, no scripts, styles or images.</summary>
    public static string Html(EmailLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").Append(Escape(Subject(letter))).Append("</title></head>\n<body>\n");
        html.Append("<p dir=\"auto\">").Append(Escape(Heading(letter))).Append("</p>\n<ul>\n");
        foreach (var item in letter.Items.Take(MaxItems))
        {
            var direction = IsArabic(item.Title) ? " dir=\"rtl\" lang=\"ar\"" : " dir=\"auto\"";
            var title = Escape(OneLine(item.Title, 1_000));
            html.Append("<li><p").Append(direction).Append('>');
            if (LinkOf(item.Url) is { } url) html.Append("<a href=\"").Append(Escape(url)).Append("\">").Append(title).Append("</a>");
            else html.Append(title);
            html.Append("</p><p dir=\"auto\">").Append(Escape(Details(item))).Append("</p></li>\n");
        }
        html.Append("</ul>\n");
        if (letter.Items.Count > MaxItems) html.Append(CultureInfo.InvariantCulture, $"<p>... and {letter.Items.Count - MaxItems} more.</p>\n");
        html.Append("<hr>\n<p><a href=\"").Append(Escape(letter.UnsubscribeUrl)).Append("\">Unsubscribe</a> from these emails.</p>\n</body></html>\n");
        return html.ToString();
    }

    private static string Heading(EmailLetter letter) => letter.Period is null
        ? $"New alert for \"{OneLine(letter.SubscriptionName, 200)}\""
        : $"{Count(letter.Items.Count)} for \"{OneLine(letter.SubscriptionName, 200)}\", {PeriodText(letter)}";

    private static string Details(EmailItem item) =>
        $"Matched: {string.Join(", ", item.Matched.Select(term => OneLine(term, 200)))}. Raised {item.RaisedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC.";

    private static string Count(int count) => count == 1 ? "1 alert" : string.Create(CultureInfo.InvariantCulture, $"{count} alerts");

    private static string PeriodText(EmailLetter letter) => letter.Period is not { } period ? "" :
        string.Create(CultureInfo.InvariantCulture, $"{letter.Mode} {period.Start.UtcDateTime:yyyy-MM-dd HH:mm} to {period.End.UtcDateTime:yyyy-MM-dd HH:mm} UTC");

    // http(s) only: a javascript: or data: URL in an article must not become a link.
    private static string? LinkOf(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.AbsoluteUri : null;

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    // Titles come from feeds: control characters (line breaks included) become spaces, and long ones are cut.
    private static string OneLine(string text, int max)
    {
        var line = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        if (line.Length <= max) return line;
        var cut = char.IsHighSurrogate(line[max - 1]) ? max - 1 : max;
        return line[..cut] + "…";
    }
}
