namespace NewsMonitor.Sources.Sources;

/// <summary>Why a command to a source was refused.</summary>
public enum SourceRefusal
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>No such source, or it was removed (404).</summary>
    NotFound,

    /// <summary>The source is paused or disabled and cannot be polled now (409).</summary>
    NotPollable,
}

/// <summary>The events a command appends to a source's stream (none: nothing changes), or why it was refused.</summary>
public sealed record SourceDecision(IReadOnlyList<object> Events, SourceRefusal Refusal = SourceRefusal.None)
{
    /// <summary>Refused: no source, or a removed one.</summary>
    public static SourceDecision NotFound { get; } = new([], SourceRefusal.NotFound);

    /// <summary>Stores these events.</summary>
    public static SourceDecision Of(params object[] events) => new(events);
}

public static partial class SourceRules
{
    // The decisions of the source endpoints and the poll runner, on the state read at the version appended at (the one
    // write path, EventStoreSessions.DecideAndAppendWithRetriesAsync). Pure: tested directly.

    /// <summary>New settings for <paramref name="source"/>; a removed source is refused (a late PUT never brings it back).</summary>
    public static SourceDecision DecideChange(Source? source, ValidSource valid, DateTimeOffset now) => source is null or { Removed: true }
        ? SourceDecision.NotFound
        : SourceDecision.Of(new SourceChanged(source.Id, valid.Url, valid.Name, valid.Kind, valid.IntervalSeconds, valid.Language, valid.FetchPages, now));

    /// <summary>Removes <paramref name="source"/>; removing a removed one is refused.</summary>
    public static SourceDecision DecideRemove(Source? source, DateTimeOffset now) => source is null or { Removed: true }
        ? SourceDecision.NotFound
        : SourceDecision.Of(new SourceRemoved(source.Id, now));

    /// <summary>
    /// Pauses or resumes <paramref name="source"/>: pausing a paused source, or resuming an active one, changes nothing;
    /// resuming a failing or disabled one forgets its failures.
    /// </summary>
    public static SourceDecision DecidePaused(Source? source, bool paused, DateTimeOffset now) => source switch
    {
        null or { Removed: true } => SourceDecision.NotFound,
        _ when (paused ? source.Paused : source.Status == SourceStatus.Active) => new SourceDecision([]),
        _ => paused ? SourceDecision.Of(new SourcePaused(source.Id, now)) : SourceDecision.Of(new SourceResumed(source.Id, now)),
    };

    /// <summary>Asks for a poll now; a paused or disabled source is refused until resumed.</summary>
    public static SourceDecision DecidePollNow(Source? source, DateTimeOffset now) => source switch
    {
        null or { Removed: true } => SourceDecision.NotFound,
        { Status: SourceStatus.Paused or SourceStatus.Disabled } => new SourceDecision([], SourceRefusal.NotPollable),
        _ => SourceDecision.Of(new SourcePollRequested(source.Id, now)),
    };

    /// <summary>
    /// Records a poll's outcome on the source as it is now (an operator may have changed it while it was polled), and
    /// moves its URL once the same permanent redirect was seen <see cref="RedirectsToMove"/> polls in a row. Recorded even
    /// on a removed source: the outcome happened, and it ends the poll's lease.
    /// </summary>
    public static SourceDecision DecidePolled(Source? source, SourcePolled polled)
    {
        if (source is null) return SourceDecision.NotFound;
        var (to, count) = CountRedirect(source.RedirectTo, source.RedirectCount, polled.PermanentRedirect);
        return to is not null && count >= RedirectsToMove && !string.Equals(to, source.Url, StringComparison.Ordinal)
            ? SourceDecision.Of(polled, new SourceUrlMoved(source.Id, source.Url, to, polled.At))
            : SourceDecision.Of(polled);
    }

    /// <summary>Applies <paramref name="events"/> to <paramref name="source"/> (the read model's own Apply methods), for an answer that shows the result.</summary>
    public static Source Evolve(Source source, IEnumerable<object> events)
    {
        foreach (var @event in events)
        {
            switch (@event)
            {
                case SourceChanged changed: source.Apply(changed); break;
                case SourceRemoved removed: source.Apply(removed); break;
                case SourcePaused paused: source.Apply(paused); break;
                case SourceResumed resumed: source.Apply(resumed); break;
                case SourcePollRequested requested: source.Apply(requested); break;
                case SourcePolled polled: source.Apply(polled); break;
                case SourceUrlMoved moved: source.Apply(moved); break;
                default: throw new ArgumentException($"Not a source event this evolves: {@event.GetType().Name}.", nameof(events));
            }
        }
        return source;
    }
}
