using NewsMonitor.Sources.Sources;

namespace NewsMonitor.Sources.Tests;

/// <summary>The source decisions of the one write path, given/when/then: given events, when a command, then events or a refusal.</summary>
public sealed class SourceDecisionsTests
{
    private static readonly Guid Id = Guid.NewGuid();
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T1 = T0.AddMinutes(1);
    private static readonly SourceAdded Added = new(Id, "https://news.example/feed.xml", "News", "auto", 600, "ar", "auto", T0);
    private static readonly SourceRules.ValidSource Settings = new("https://news.example/other.xml", "Other", "rss", 900, null, "never");

    private static Source Given(params object[] events)
    {
        var source = new Source();
        source.Apply(Added);
        return SourceRules.Evolve(source, events);
    }

    [Fact]
    public void Change_of_a_source_stores_its_new_settings() =>
        Assert.Equal([new SourceChanged(Id, Settings.Url, "Other", "rss", 900, null, "never", T1)], SourceRules.DecideChange(Given(), Settings, T1).Events);

    [Fact]
    public void Change_remove_pause_and_poll_of_a_removed_or_missing_source_are_refused()
    {
        var removed = Given(new SourceRemoved(Id, T0));
        foreach (var source in new[] { removed, null })
        {
            Assert.Equal(SourceRefusal.NotFound, SourceRules.DecideChange(source, Settings, T1).Refusal);
            Assert.Equal(SourceRefusal.NotFound, SourceRules.DecideRemove(source, T1).Refusal);
            Assert.Equal(SourceRefusal.NotFound, SourceRules.DecidePaused(source, true, T1).Refusal);
            Assert.Equal(SourceRefusal.NotFound, SourceRules.DecidePaused(source, false, T1).Refusal);
            Assert.Equal(SourceRefusal.NotFound, SourceRules.DecidePollNow(source, T1).Refusal);
        }
    }

    [Fact]
    public void Remove_removes() => Assert.Equal([new SourceRemoved(Id, T1)], SourceRules.DecideRemove(Given(), T1).Events);

    [Fact]
    public void Pause_pauses_once()
    {
        Assert.Equal([new SourcePaused(Id, T1)], SourceRules.DecidePaused(Given(), true, T1).Events);
        var paused = SourceRules.DecidePaused(Given(new SourcePaused(Id, T0)), true, T1);
        Assert.Equal((SourceRefusal.None, 0), (paused.Refusal, paused.Events.Count));
    }

    [Fact]
    public void Resume_resumes_a_paused_source_and_changes_nothing_on_an_active_one()
    {
        Assert.Equal([new SourceResumed(Id, T1)], SourceRules.DecidePaused(Given(new SourcePaused(Id, T0)), false, T1).Events);
        var active = SourceRules.DecidePaused(Given(), false, T1);
        Assert.Equal((SourceRefusal.None, 0), (active.Refusal, active.Events.Count));
    }

    [Fact]
    public void Poll_now_is_requested_on_an_active_source_and_refused_on_a_paused_one()
    {
        Assert.Equal([new SourcePollRequested(Id, T1)], SourceRules.DecidePollNow(Given(), T1).Events);
        Assert.Equal(SourceRefusal.NotPollable, SourceRules.DecidePollNow(Given(new SourcePaused(Id, T0)), T1).Refusal);
    }

    [Fact]
    public void A_poll_is_recorded_and_the_third_permanent_redirect_in_a_row_moves_the_url()
    {
        SourcePolled Polled(DateTimeOffset at, string? redirect) =>
            new(Id, at, PollOutcome.Ok, null, null, 0, 0, 0, 0, 0, false, null, at.AddMinutes(10), PermanentRedirect: redirect);
        var moved = "https://news.example/moved.xml";
        var first = Polled(T1, moved);
        Assert.Equal([first], SourceRules.DecidePolled(Given(), first).Events);
        var third = Polled(T1.AddMinutes(20), moved);
        Assert.Equal([third, new SourceUrlMoved(Id, Added.Url, moved, third.At)],
            SourceRules.DecidePolled(Given(Polled(T0, moved), Polled(T0.AddMinutes(10), moved)), third).Events);
    }
}
