using System.Text;

namespace NewsMonitor.Feeds.Tests;

/// <summary>Probes from the fresh-eyed attack on issue 14 (hostile feeds and pages).</summary>
public class AttackItemKeyTests
{
    private static readonly Uri Location = new("https://feeds.example.com/rss.xml");

    [Fact]
    public void A_huge_guid_does_not_become_a_huge_item_key()
    {
        var guid = new string('g', 2_000_000);
        var xml = $"<rss version=\"2.0\"><channel><title>t</title><item><title>x</title><guid isPermaLink=\"false\">{guid}</guid></item></channel></rss>";
        var document = FeedParser.Parse(Encoding.UTF8.GetBytes(xml), null, Location);
        foreach (var item in document.Items) Assert.True(item.Key.Length <= 4096, $"key of {item.Key.Length} characters");
    }

    [Fact]
    public void A_huge_link_does_not_become_a_huge_item_key()
    {
        var link = "https://example.com/" + new string('a', 2_000_000);
        var xml = $"<rss version=\"2.0\"><channel><title>t</title><item><title>x</title><link>{link}</link></item></channel></rss>";
        var document = FeedParser.Parse(Encoding.UTF8.GetBytes(xml), null, Location);
        foreach (var item in document.Items) Assert.True(item.Key.Length <= 4096, $"key of {item.Key.Length} characters");
    }
}
