using NewsMonitor.Sources.Sources;

namespace NewsMonitor.Sources.Tests;

/// <summary>The pure decisions of the sources service, without I/O.</summary>
public sealed class SourceRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("HTTP://Example.COM:80/feed.xml#top", "http://example.com/feed.xml")]
    [InlineData("https://example.com:443/rss?cat=1", "https://example.com/rss?cat=1")]
    [InlineData("https://example.com:8443/rss", "https://example.com:8443/rss")]
    [InlineData(" https://example.com/ ", "https://example.com/")]
    public void Canonical_urls_differ_only_where_feeds_differ(string given, string expected) =>
        Assert.Equal(expected, SourceRules.Canonical(given));

    [Theory]
    [InlineData("ftp://example.com/feed")]
    [InlineData("/feed.xml")]
    [InlineData("javascript:alert(1)")]
    [InlineData("https://user:pw@example.com/feed")]
    [InlineData("file:///etc/passwd")]
    public void Urls_that_are_not_absolute_http_are_refused(string given) => Assert.Null(SourceRules.Canonical(given));

    [Fact]
    public void The_same_feed_gets_the_same_id_whatever_its_spelling() =>
        Assert.Equal(SourceRules.IdOf(SourceRules.Canonical("HTTPS://Example.com:443/feed#x")!), SourceRules.IdOf(SourceRules.Canonical("https://example.com/feed")!));

    [Fact]
    public void Validation_fills_defaults() {
        var (valid, errors) = SourceRules.Validate("https://example.com/feed", null, null, null, null, null, 60, 600);
        Assert.Empty(errors);
        Assert.Equal(new SourceRules.ValidSource("https://example.com/feed", null, "auto", 600, null, "auto"), valid);
    }

    [Theory]
    [InlineData(null, null, null, 600, null, null, "url")]
    [InlineData("not a url", null, null, 600, null, null, "url")]
    [InlineData("https://example.com/feed", "a\nb", null, 600, null, null, "name")]
    [InlineData("https://example.com/feed", "  ", null, 600, null, null, "name")]
    [InlineData("https://example.com/feed", "x\u202Ey", null, 600, null, null, "name")]
    [InlineData("https://example.com/feed", null, "json", 600, null, null, "kind")]
    [InlineData("https://example.com/feed", null, null, 59, null, null, "intervalSeconds")]
    [InlineData("https://example.com/feed", null, null, 604801, null, null, "intervalSeconds")]
    [InlineData("https://example.com/feed", null, null, 600, "arabic!", null, "language")]
    [InlineData("https://example.com/feed", null, null, 600, null, "sometimes", "fetchPages")]
    public void Each_invalid_field_is_named(string? url, string? name, string? kind, int interval, string? language, string? fetchPages, string field)
    {
        var (valid, errors) = SourceRules.Validate(url, name, kind, interval, language, fetchPages, 60, 600);
        Assert.Null(valid);
        Assert.Equal([field], errors.Keys);
    }

    [Fact]
    public void A_url_over_2048_characters_is_refused()
    {
        var (_, errors) = SourceRules.Validate("https://example.com/" + new string('a', 2048), null, null, null, null, null, 60, 600);
        Assert.Contains("2,048", errors["url"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Next_poll_takes_the_longest_of_interval_ttl_max_age_and_retry_after()
    {
        Assert.Equal(Now.AddSeconds(600), SourceRules.NextPoll(Now, 600, null, null, null));
        Assert.Equal(Now.AddMinutes(30), SourceRules.NextPoll(Now, 600, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(5), null));
        Assert.Equal(Now.AddMinutes(20), SourceRules.NextPoll(Now, 600, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(20), null));
        Assert.Equal(Now.AddHours(2), SourceRules.NextPoll(Now, 600, TimeSpan.FromMinutes(30), null, TimeSpan.FromHours(2)));
        // A server cannot make us poll more often than the interval.
        Assert.Equal(Now.AddSeconds(600), SourceRules.NextPoll(Now, 600, TimeSpan.FromSeconds(5), TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        // A broken ttl of a year is read as a day.
        Assert.Equal(Now.AddDays(1), SourceRules.NextPoll(Now, 600, TimeSpan.FromDays(365), null, null));
    }

    [Fact]
    public void Failures_back_off_exponentially_with_jitter_up_to_the_cap()
    {
        var cap = TimeSpan.FromHours(6);
        Assert.Equal(Now.AddSeconds(600), SourceRules.NextPollAfterFailure(Now, 600, 1, cap, null, 0.5));
        Assert.Equal(Now.AddSeconds(1200), SourceRules.NextPollAfterFailure(Now, 600, 2, cap, null, 0.5));
        Assert.Equal(Now.AddSeconds(4800), SourceRules.NextPollAfterFailure(Now, 600, 4, cap, null, 0.5));
        Assert.Equal(Now.AddSeconds(480), SourceRules.NextPollAfterFailure(Now, 600, 1, cap, null, 0));
        Assert.True(SourceRules.NextPollAfterFailure(Now, 600, 1, cap, null, 0.999) < Now.AddSeconds(721));
        // Never beyond the cap, even with jitter, even after 50 failures.
        Assert.Equal(Now + cap, SourceRules.NextPollAfterFailure(Now, 600, 50, cap, null, 0.999));
        Assert.True(SourceRules.NextPollAfterFailure(Now, 600, 50, cap, null, 0) >= Now + cap * 0.8);
        // Retry-After wins when longer.
        Assert.Equal(Now.AddHours(1), SourceRules.NextPollAfterFailure(Now, 60, 1, cap, TimeSpan.FromHours(1), 0.5));
    }

    [Theory]
    [InlineData(false, 0, "active")]
    [InlineData(false, 4, "active")]
    [InlineData(false, 5, "failing")]
    [InlineData(false, 49, "failing")]
    [InlineData(false, 50, "disabled")]
    [InlineData(true, 0, "paused")]
    [InlineData(true, 60, "paused")]
    public void Status_follows_failures_in_a_row(bool paused, int failures, string status) =>
        Assert.Equal(status, SourceRules.StatusOf(paused, failures));

    [Fact]
    public void A_permanent_redirect_moves_the_url_only_on_three_polls_in_a_row()
    {
        var (to, count) = SourceRules.CountRedirect(null, 0, "https://new/feed");
        Assert.Equal(("https://new/feed", 1), (to, count));
        (to, count) = SourceRules.CountRedirect(to, count, "https://new/feed");
        Assert.Equal(2, count);
        // A poll without the redirect starts over.
        (to, count) = SourceRules.CountRedirect(to, count, null);
        Assert.Equal((null, 0), (to, count));
        (to, count) = SourceRules.CountRedirect(to, count, "https://new/feed");
        (to, count) = SourceRules.CountRedirect(to, count, "https://other/feed");
        Assert.Equal(("https://other/feed", 1), (to, count));
        (to, count) = SourceRules.CountRedirect(to, count, "https://other/feed");
        (to, count) = SourceRules.CountRedirect(to, count, "https://other/feed");
        Assert.Equal(SourceRules.RedirectsToMove, count);
    }

    [Fact]
    public void The_snapshot_counts_polls_and_moves_between_states()
    {
        var id = Guid.NewGuid();
        var source = new Source();
        source.Apply(new SourceAdded(id, "https://example.com/feed", null, "auto", 60, null, "auto", Now));
        Assert.True(SourceRules.IsDue(source, Now));
        source.Apply(new SourcePollStarted(id, Now, Now.AddMinutes(10)));
        Assert.False(SourceRules.IsDue(source, Now.AddMinutes(1)));
        Assert.True(SourceRules.IsDue(source, Now.AddMinutes(11)));
        for (var i = 0; i < 5; i++) source.Apply(Failed(id, "HTTP 500"));
        Assert.Equal("failing", source.Status);
        Assert.Equal("HTTP 500", source.LastError);
        source.Apply(new SourcePolled(id, Now, PollOutcome.NotModified, null, null, 0, 0, 0, 0, 0, true, null, Now.AddMinutes(1)));
        Assert.Equal(("active", 0, 1L, (string?)null), (source.Status, source.ConsecutiveFailures, source.NotModified, source.LastError));
        source.Apply(new SourcePolled(id, Now, PollOutcome.Ok, "\"v1\"", "Sun, 29 Nov 2026 11:00:00 GMT", 3, 1, 1, 1, 0, false, null, Now.AddMinutes(1)));
        Assert.Equal((3L, 2L, 1L, "\"v1\""), (source.ItemsSeen, source.ArticlesAccepted, source.Duplicates, source.ETag));
        // A poll deferred because the host backs off is no failure and changes no counter.
        source.Apply(new SourcePolled(id, Now, PollOutcome.Deferred, null, null, 0, 0, 0, 0, 0, false, "host backing off", Now.AddSeconds(30)));
        Assert.Equal((0, "active", Now.AddSeconds(30), "\"v1\""), (source.ConsecutiveFailures, source.Status, source.NextPollAt, source.ETag));
        for (var i = 0; i < 50; i++) source.Apply(Failed(id, "timeout"));
        Assert.Equal("disabled", source.Status);
        Assert.False(SourceRules.IsDue(source, Now.AddDays(30)));
        source.Apply(new SourceResumed(id, Now));
        Assert.Equal(("active", 0), (source.Status, source.ConsecutiveFailures));
        Assert.Equal("\"v1\"", source.ETag);
    }

    private static SourcePolled Failed(Guid id, string error) => new(id, Now, PollOutcome.Failed, null, null, 0, 0, 0, 0, 0, false, error, Now.AddMinutes(1));
}
