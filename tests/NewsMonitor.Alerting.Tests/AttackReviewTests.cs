using System.Text;
using System.Xml.Linq;
using NewsMonitor.Alerting.Alerts;
using NewsMonitor.Alerting.Delivery;
using NewsMonitor.Alerting.Feeds;

namespace NewsMonitor.Alerting.Tests;

/// <summary>Hostile input found by the issue 15 attack review, against the pure builders directly.</summary>
public sealed class AttackReviewTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-11-29T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    // U+FFFE/U+FFFF and lone surrogates pass the input rules of some paths (InputText allows noncharacters) but are not XML
    // characters: one such title must not turn the whole feed into a 500 for its subscriber.
    [Theory]
    [InlineData("Breaking \uFFFF news")]
    [InlineData("Breaking \uFFFE news")]
    [InlineData("Broken \uD800 surrogate")]
    [InlineData("Lone low \uDC00 surrogate")]
    [InlineData("Bell \u0007 and NUL \u0000")]
    public void Atom_feed_survives_titles_with_characters_xml_cannot_carry(string title)
    {
        var bytes = AtomFeed.Write(Guid.NewGuid(), "name \uFFFF", At, [new FeedEntry(Guid.NewGuid(), title, ["term\uFFFE"], At, "https://news.example/a", "en", At)]);
        var document = XDocument.Parse(Encoding.UTF8.GetString(bytes));
        XNamespace atom = "http://www.w3.org/2005/Atom";
        var written = document.Root!.Element(atom + "entry")!.Element(atom + "title")!.Value;
        Assert.StartsWith(title[..5], written, StringComparison.Ordinal);
    }

    // Teams renders Markdown in TextBlocks: a hostile title must not become a link (phishing inside the team's channel).
    [Fact]
    public void Teams_card_does_not_turn_a_hostile_title_into_a_link()
    {
        var alert = new ChatAlert("[Your account is locked, click here](https://evil.example/login)", ["[x](https://evil.example)"], At, null);
        foreach (var heading in new string?[] { null, "3 alerts" })
        {
            // The card's body is what Teams renders as Markdown (the summary is a plain notification text).
            var text = WebhookPayloads.Teams("[sub](https://evil.example)", heading, [alert])["attachments"]![0]!["content"]!.ToJsonString();
            Assert.DoesNotContain("](https://evil.example", text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("1e3")]
    [InlineData(" 5")]
    [InlineData("5 ")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData("99999999999999999999")]
    [InlineData("٣")]
    [InlineData("0x10")]
    public void Hostile_positions_are_refused(string text)
    {
        Assert.False(AlertCursor.TryParse(text, out _));
        AlertCursor.ResumeFrom(text, "5", out var valid);
        Assert.False(valid);
    }
}
