namespace NewsMonitor.Sources.Sources;

/// <summary>
/// An operator added a source (first event of its stream, or the first after <see cref="SourceRemoved"/> when the same
/// feed is added again). The stream id is <see cref="SourceRules.IdOf"/> of the canonical feed URL.
/// </summary>
public sealed record SourceAdded(Guid SourceId, string Url, string? Name, string Kind, int IntervalSeconds, string? Language, string FetchPages, DateTimeOffset At);

/// <summary>An operator changed a source's settings (<c>PUT</c>); the poll state (ETag, counters, schedule) is kept.</summary>
public sealed record SourceChanged(Guid SourceId, string Url, string? Name, string Kind, int IntervalSeconds, string? Language, string FetchPages, DateTimeOffset At);

/// <summary>An operator paused the source: it is not polled until resumed.</summary>
public sealed record SourcePaused(Guid SourceId, DateTimeOffset At);

/// <summary>An operator resumed the source (also the way out of <c>disabled</c>): failures are forgotten and it is due now.</summary>
public sealed record SourceResumed(Guid SourceId, DateTimeOffset At);

/// <summary>An operator removed the source; its stream stays (history), the API no longer shows it.</summary>
public sealed record SourceRemoved(Guid SourceId, DateTimeOffset At);

/// <summary>An operator asked for a poll now (<c>POST /poll</c>): the source becomes due.</summary>
public sealed record SourcePollRequested(Guid SourceId, DateTimeOffset At);

/// <summary>
/// A poller took the source until <paramref name="LeaseUntil"/>. Appended with the stream's expected version, so of two
/// pollers racing for the same source only one append succeeds; an expired lease may be taken over.
/// </summary>
public sealed record SourcePollStarted(Guid SourceId, DateTimeOffset At, DateTimeOffset LeaseUntil);

/// <summary>
/// A poll ended (and its lease with it). <paramref name="Outcome"/> is <c>ok</c>, <c>notModified</c> or <c>failed</c>
/// (then <paramref name="Error"/> says why). Counts are of this poll's new items. <paramref name="PermanentRedirect"/> is
/// where a permanent redirect led on this poll, if any (counted towards <see cref="SourceUrlMoved"/>).
/// </summary>
public sealed record SourcePolled(
    Guid SourceId,
    DateTimeOffset At,
    string Outcome,
    string? ETag,
    string? LastModified,
    int ItemsSeen,
    int Accepted,
    int Duplicates,
    int NearDuplicates,
    int Rejected,
    bool NotModified,
    string? Error,
    DateTimeOffset NextPollAt,
    string? PermanentRedirect = null);

/// <summary>The feed moved: a permanent redirect to <paramref name="To"/> was seen on <see cref="SourceRules.RedirectsToMove"/> polls in a row.</summary>
public sealed record SourceUrlMoved(Guid SourceId, string From, string To, DateTimeOffset At);

/// <summary>
/// What became of one item of a source (first and only event of the item's stream, id <see cref="SourceRules.ItemIdOf"/>):
/// recorded once ingestion answered, so an item is submitted once. <paramref name="Outcome"/> is <c>accepted</c>,
/// <c>duplicate</c>, <c>nearDuplicate</c> or <c>rejected</c> (ingestion refused it, or the page could not be read: <paramref name="Reason"/>).
/// </summary>
public sealed record SourceItemRecorded(
    Guid ItemId,
    Guid SourceId,
    string ItemKey,
    string? Link,
    string? Title,
    Guid? ArticleId,
    string Outcome,
    Guid? DuplicateOf,
    double? Similarity,
    string? Reason,
    DateTimeOffset SeenAt);
