using Microsoft.AspNetCore.DataProtection;
using MimeKit;
using NewsMonitor.Alerting.Delivery;

namespace NewsMonitor.Alerting.Tests;

/// <summary>The pure parts of email delivery: the message as MimeKit writes it, the address check and the unsubscribe token.</summary>
public sealed class EmailMessageTests
{
    private const string HostileTitle = "عاجل: <script>alert(1)</script> & \"قمة\" الناتو";

    private static EmailLetter Letter(string title, string? url, (DateTimeOffset, DateTimeOffset)? period = null, int items = 1) => new(
        Guid.Parse("0197a0c5-1c1e-7a3b-9c2d-6f1f5d3e2b0a"), "الناتو <b>", period is null ? "immediate" : "hourly",
        new MailboxAddress("NewsMonitor", "alerts@newsmonitor.test"), new MailboxAddress("", "reader@example.org"),
        Enumerable.Range(0, items).Select(i => new EmailItem(Guid.NewGuid(), title, url, ["الناتو"], DateTimeOffset.Parse("2026-11-29T10:15:00Z", System.Globalization.CultureInfo.InvariantCulture))).ToList(),
        period, "https://news.example.org/unsubscribe/tok-en_1", DateTimeOffset.Parse("2026-11-29T10:16:00Z", System.Globalization.CultureInfo.InvariantCulture));

    // What a receiver sees: the bytes MimeKit writes, parsed again.
    private static (MimeMessage Message, string Raw) RoundTrip(EmailLetter letter)
    {
        using var stream = new MemoryStream();
        EmailMessages.Compose(letter).WriteTo(stream);
        var raw = System.Text.Encoding.ASCII.GetString(stream.ToArray());
        stream.Position = 0;
        return (MimeMessage.Load(stream), raw);
    }

    [Fact]
    public void An_alert_message_has_an_encoded_arabic_subject_two_escaped_parts_and_one_click_unsubscribe()
    {
        var (message, raw) = RoundTrip(Letter(HostileTitle, "https://news.example/a?x=1&y=2"));

        Assert.Equal($"[الناتو <b>] {HostileTitle}", message.Subject);
        // The subject travels as RFC 2047 encoded words: the raw message is 7-bit.
        Assert.Contains("Subject: =?utf-8?", raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("الناتو", raw, StringComparison.Ordinal);
        Assert.Equal("0197a0c51c1e7a3b9c2d6f1f5d3e2b0a.alerts@newsmonitor.test", message.MessageId);
        Assert.Equal("<https://news.example.org/unsubscribe/tok-en_1>", message.Headers[HeaderId.ListUnsubscribe]);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);

        var alternative = Assert.IsType<MultipartAlternative>(message.Body);
        Assert.Equal(["text/plain", "text/html"], alternative.Select(part => part.ContentType.MimeType));
        Assert.Contains(HostileTitle, message.TextBody, StringComparison.Ordinal);
        Assert.Contains("https://news.example/a?x=1&y=2", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("https://news.example.org/unsubscribe/tok-en_1", message.TextBody, StringComparison.Ordinal);

        var html = message.HtmlBody;
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;قمة&quot;", html, StringComparison.Ordinal);
        Assert.Contains("<p dir=\"rtl\" lang=\"ar\"><a href=\"https://news.example/a?x=1&amp;y=2\">", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://news.example.org/unsubscribe/tok-en_1\">Unsubscribe</a>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_latin_title_is_not_marked_arabic_and_a_script_url_is_no_link()
    {
        var html = EmailMessages.Html(Letter("Summit in Brussels", "javascript:alert(1)"));
        Assert.DoesNotContain("lang=\"ar\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript:", html, StringComparison.Ordinal);
        Assert.Contains("<p dir=\"auto\">Summit in Brussels</p>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_digest_counts_its_alerts_and_names_its_period()
    {
        var start = DateTimeOffset.Parse("2026-11-29T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var letter = Letter("قمة الناتو", null, (start, start.AddHours(1)), items: 3);
        Assert.Equal("[الناتو <b>] 3 alerts, hourly 2026-11-29 10:00 to 2026-11-29 11:00 UTC", EmailMessages.Subject(letter));
        Assert.Equal(3, EmailMessages.PlainText(letter).Split("قمة الناتو").Length - 1);
    }

    [Fact]
    public void A_title_with_line_breaks_makes_no_extra_header()
    {
        var (message, _) = RoundTrip(Letter("قمة\r\nBcc: victim@example.org", null));
        Assert.Empty(message.Bcc);
        Assert.Null(message.Headers["Bcc"]);
        Assert.Equal("[الناتو <b>] قمة  Bcc: victim@example.org", message.Subject);
    }

    [Theory]
    [InlineData("الناتو: NATO summit in Vilnius", true)]
    [InlineData("«قمة» الحلف", true)]
    [InlineData("NATO: قمة الحلف", false)]
    [InlineData("2026: ", false)]
    public void The_first_letter_decides_whether_a_title_reads_right_to_left(string title, bool arabic) => Assert.Equal(arabic, EmailMessages.IsArabic(title));

    [Theory]
    [InlineData("reader@example.org")]
    [InlineData("first.last+alerts@sub.example.co.uk")]
    public void Bare_addresses_are_accepted(string address) => Assert.Null(EmailTargets.Check(address));

    [Theory]
    [InlineData("")]
    [InlineData("no-at-sign")]
    [InlineData("@example.org")]
    [InlineData("reader@")]
    [InlineData("a@example.org, b@example.org")]
    [InlineData("a@example.org; b@example.org")]
    [InlineData("Reader <reader@example.org>")]
    [InlineData("<reader@example.org>")]
    [InlineData("reader@example.org\r\nBcc: victim@example.org")]
    [InlineData("reader@example.org\nX: y")]
    [InlineData("group: a@example.org;")]
    public void Anything_but_one_bare_address_is_refused(string address) => Assert.NotNull(EmailTargets.Check(address));

    [Fact]
    public void Long_addresses_are_refused() => Assert.Contains("longer", EmailTargets.Check(new string('a', 250) + "@example.org"), StringComparison.Ordinal);

    [Fact]
    public void An_unsubscribe_token_opens_only_unchanged_and_under_its_purpose()
    {
        var provider = new EphemeralDataProtectionProvider();
        var tokens = new EmailLinkTokens(provider);
        var id = Guid.NewGuid();
        var token = tokens.Issue(EmailLink.Unsubscribe, id, "reader@example.org");

        Assert.Equal((id, "reader@example.org"), tokens.Open(EmailLink.Unsubscribe, token));
        Assert.Null(tokens.Open(EmailLink.Unsubscribe, token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1]));
        Assert.Null(tokens.Open(EmailLink.Unsubscribe, "not-a-token"));
        Assert.Null(tokens.Open(EmailLink.Unsubscribe, ""));
        // A confirmation token does not unsubscribe, nor the other way round.
        Assert.Null(tokens.Open(EmailLink.Confirm, token));
        Assert.Null(tokens.Open(EmailLink.Unsubscribe, tokens.Issue(EmailLink.Confirm, id, "reader@example.org")));
        // A payload protected for another purpose (a sealed webhook secret, say) is no token.
        Assert.Null(tokens.Open(EmailLink.Unsubscribe, provider.CreateProtector(WebhookSecrets.Purpose).Protect($"{id:N}\nreader@example.org")));
    }

    [Fact]
    public void A_confirmation_request_has_a_fixed_subject_the_link_and_the_name_escaped()
    {
        var message = EmailMessages.Confirmation(new MailboxAddress("NewsMonitor", "alerts@newsmonitor.test"), new MailboxAddress("", "reader@example.org"),
            "<b>Win</b>\r\nBcc: x@example.org", "https://news.example.org/email/confirm/abc", DateTimeOffset.UnixEpoch);
        Assert.Equal("Confirm NewsMonitor alert email", message.Subject);
        Assert.Empty(message.Bcc);
        Assert.Contains("https://news.example.org/email/confirm/abc", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://news.example.org/email/confirm/abc\">", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;Win&lt;/b&gt;", message.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", message.HtmlBody, StringComparison.Ordinal);
    }
}
