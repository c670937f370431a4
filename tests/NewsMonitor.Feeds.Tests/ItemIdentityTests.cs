namespace NewsMonitor.Feeds.Tests;

public class ItemIdentityTests
{
    [Theory]
    [InlineData("HTTPS://News.Example.COM/a/b?id=1#frag", "https://news.example.com/a/b?id=1")]
    [InlineData("https://news.example.com/a?utm_source=rss&id=2&UTM_Medium=x&fbclid=abc&gclid=def", "https://news.example.com/a?id=2")]
    [InlineData("https://news.example.com:443/a?utm_campaign=x", "https://news.example.com/a")]
    [InlineData("http://news.example.com:8080/a", "http://news.example.com:8080/a")]
    [InlineData("https://news.example.com/عالم/قمة", "https://news.example.com/%D8%B9%D8%A7%D9%84%D9%85/%D9%82%D9%85%D8%A9")]
    [InlineData("https://news.example.com/%D8%B9%D8%A7%D9%84%D9%85/%D9%82%D9%85%D8%A9", "https://news.example.com/%D8%B9%D8%A7%D9%84%D9%85/%D9%82%D9%85%D8%A9")]
    [InlineData(" https://news.example.com/Case/Kept ", "https://news.example.com/Case/Kept")]
    public void A_link_is_its_canonical_form(string link, string key) => Assert.Equal(key, ItemIdentity.Key(link, "ignored-guid"));

    [Fact]
    public void Without_a_usable_link_the_guid_is_the_identity()
    {
        Assert.Equal("guid:abc-123", ItemIdentity.Key(null, " abc-123 "));
        Assert.Equal("guid:abc-123", ItemIdentity.Key("javascript:void(0)", "abc-123"));
        Assert.Equal("guid:abc-123", ItemIdentity.Key("/relative", "abc-123"));
        Assert.Equal("link:/relative", ItemIdentity.Key("/relative", null));
        Assert.Throws<ArgumentException>(() => ItemIdentity.Key(null, " "));
    }

    [Fact]
    public void A_feed_that_changes_its_guids_keeps_its_keys()
    {
        Assert.Equal(ItemIdentity.Key("https://news.example.com/a?utm_source=rss", "build-1"), ItemIdentity.Key("https://news.example.com/a#top", "build-2"));
    }
}
