using NewsMonitor.Sources.Fetching;
using NewsMonitor.Testing;
using static NewsMonitor.Sources.Tests.Fetching.FetchTestKit;

namespace NewsMonitor.Sources.Tests.Fetching;

/// <summary>Attacks on the fetcher from a hostile network (issue 14's attack review).</summary>
public sealed class AttackFetchTests
{
    [Theory]
    [InlineData("http://127.1:{0}/feed.xml")]
    [InlineData("http://2130706433:{0}/feed.xml")]
    [InlineData("http://0x7f.1:{0}/feed.xml")]
    [InlineData("http://0177.0.0.1:{0}/feed.xml")]
    [InlineData("http://[::ffff:127.0.0.1]:{0}/feed.xml")]
    [InlineData("http://[::1]:{0}/feed.xml")]
    [InlineData("http://localhost:{0}/feed.xml")]
    [InlineData("http://LOCALHOST.:{0}/feed.xml")]
    [InlineData("http://0.0.0.0:{0}/feed.xml")]
    [InlineData("http://0:{0}/feed.xml")]
    [InlineData("http://user:pass@127.0.0.1:{0}/feed.xml")]
    public async Task Loopback_in_any_spelling_is_refused_when_private_targets_are_not_allowed(string spelling)
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/feed.xml", FeedFixture.Text("<rss/>"));
        using var fetcher = Fetcher(o => o.AllowPrivateTargets = false);
        var url = new Uri(string.Format(System.Globalization.CultureInfo.InvariantCulture, spelling, server.BaseAddress.Port));
        var result = await fetcher.FetchAsync(Feed(url), Token);
        Assert.Equal(FetchStatus.Failed, result.Status);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://2852039166/latest/meta-data/")]
    [InlineData("http://0xa9.0xfe.0xa9.0xfe/latest/meta-data/")]
    [InlineData("http://[::ffff:169.254.169.254]/latest/meta-data/")]
    [InlineData("http://[::ffff:a9fe:a9fe]/latest/meta-data/")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/")]
    [InlineData("http://[fe80::1]/")]
    [InlineData("http://[fd00:ec2::254]/latest/meta-data/")]
    [InlineData("http://100.100.100.200/latest/meta-data/")]
    [InlineData("http://[2002:a9fe:a9fe::1]/")]
    public async Task A_redirect_to_metadata_or_link_local_is_refused_even_where_the_local_network_is_allowed(string target)
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/feed.xml", FeedFixture.Redirect(target, 301));
        // Loopback allowed so the first hop can reach the test server; link-local, mapped and tunnel forms never are.
        using var fetcher = Fetcher(o => o.ConnectTimeout = TimeSpan.FromSeconds(2));
        var result = await fetcher.FetchAsync(Feed(server.Url("/feed.xml")), Token);
        Assert.Equal(FetchStatus.Failed, result.Status);
        Assert.Null(result.PermanentRedirect);
        if (!target.Contains("fd00", StringComparison.Ordinal) && !target.Contains("100.100", StringComparison.Ordinal))
            Assert.Contains("not allowed", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://example.com/feed.xml")]
    [InlineData("gopher://127.0.0.1:6379/_INFO")]
    [InlineData("javascript:alert(1)")]
    [InlineData("data:text/xml,<rss/>")]
    public async Task A_redirect_to_another_scheme_is_refused(string target)
    {
        await using var server = await FeedServer.StartAsync(Token);
        server.Map("/feed.xml", FeedFixture.Redirect(target));
        using var fetcher = Fetcher();
        var result = await fetcher.FetchAsync(Feed(server.Url("/feed.xml")), Token);
        Assert.Equal(FetchStatus.Failed, result.Status);
        Assert.Contains("not an http or https URL", result.Error, StringComparison.Ordinal);
    }
}
