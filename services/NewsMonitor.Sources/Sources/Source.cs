namespace NewsMonitor.Sources.Sources;

/// <summary>
/// Inline snapshot of a source's stream: its settings, health and poll state (the scheduler reads only this). Mutable
/// with public setters because Marten builds it by applying events and stores it as JSON.
/// </summary>
public sealed class Source : NewsMonitor.ServiceDefaults.IVersionedAggregate
{
    /// <summary>The version of the source's stream this state is folded up to (set by Marten): the write path checks it against the version it appends at.</summary>
    public long Version { get; set; }

    /// <summary>Stream id.</summary>
    public Guid Id { get; set; }

    /// <summary>The feed URL polled (moves after repeated permanent redirects).</summary>
    public string Url { get; set; } = "";

    /// <summary>Display name, also the articles' <c>source</c>; the feed's host when not given.</summary>
    public string? Name { get; set; }

    /// <summary><c>auto</c>, <c>rss</c>, <c>atom</c> or <c>sitemap</c>.</summary>
    public string Kind { get; set; } = "auto";

    /// <summary>Poll interval in seconds.</summary>
    public int IntervalSeconds { get; set; }

    /// <summary>Language declared by the operator, used when neither item, feed nor page declares one.</summary>
    public string? Language { get; set; }

    /// <summary><c>auto</c>, <c>always</c> or <c>never</c>.</summary>
    public string FetchPages { get; set; } = "auto";

    /// <summary><c>active</c>, <c>paused</c>, <c>failing</c> or <c>disabled</c>.</summary>
    public string Status { get; set; } = SourceStatus.Active;

    /// <summary>Whether an operator paused it.</summary>
    public bool Paused { get; set; }

    /// <summary>Whether an operator removed it.</summary>
    public bool Removed { get; set; }

    /// <summary>When it was added.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When its settings last changed.</summary>
    public DateTimeOffset ChangedAt { get; set; }

    /// <summary>End of the last poll.</summary>
    public DateTimeOffset? LastPolledAt { get; set; }

    /// <summary>End of the last poll that did not fail (a 304 counts).</summary>
    public DateTimeOffset? LastSuccessAt { get; set; }

    /// <summary>Reason of the last failure, or the trouble a successful poll reported (items whose page failed, child sitemaps); cleared by a clean poll.</summary>
    public string? LastError { get; set; }

    /// <summary>Failed polls in a row.</summary>
    public int ConsecutiveFailures { get; set; }

    /// <summary>New items seen over all polls.</summary>
    public long ItemsSeen { get; set; }

    /// <summary>Items ingestion accepted as new articles (near-duplicates included: they are stored).</summary>
    public long ArticlesAccepted { get; set; }

    /// <summary>Items ingestion found already stored (or near copies of stored articles).</summary>
    public long Duplicates { get; set; }

    /// <summary>Items refused (by ingestion, or whose page could not be read).</summary>
    public long Rejected { get; set; }

    /// <summary>Polls answered 304 Not Modified.</summary>
    public long NotModified { get; set; }

    /// <summary>When the source is next due.</summary>
    public DateTimeOffset NextPollAt { get; set; }

    /// <summary>ETag of the last full response, sent as <c>If-None-Match</c>.</summary>
    public string? ETag { get; set; }

    /// <summary>Last-Modified of the last full response, sent as <c>If-Modified-Since</c>.</summary>
    public string? LastModified { get; set; }

    /// <summary>End of the current poll's lease; null when no poll runs.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>Target of the permanent redirect seen on the last polls.</summary>
    public string? RedirectTo { get; set; }

    /// <summary>Polls in a row that saw the permanent redirect to <see cref="RedirectTo"/>.</summary>
    public int RedirectCount { get; set; }

    /// <summary>Starts or restarts the source.</summary>
    public void Apply(SourceAdded added)
    {
        Id = added.SourceId;
        Url = added.Url;
        Name = added.Name;
        Kind = added.Kind;
        IntervalSeconds = added.IntervalSeconds;
        Language = added.Language;
        FetchPages = added.FetchPages;
        CreatedAt = ChangedAt = added.At;
        NextPollAt = added.At;
        Removed = Paused = false;
        ConsecutiveFailures = 0;
        LastError = null;
        ETag = LastModified = RedirectTo = null;
        RedirectCount = 0;
        LeaseUntil = null;
        Status = SourceStatus.Active;
    }

    /// <summary>New settings; a new URL forgets the old feed's validators and redirect count and is due now.</summary>
    public void Apply(SourceChanged changed)
    {
        if (!string.Equals(Url, changed.Url, StringComparison.Ordinal))
        {
            ETag = LastModified = RedirectTo = null;
            RedirectCount = 0;
            NextPollAt = changed.At;
        }
        Url = changed.Url;
        Name = changed.Name;
        Kind = changed.Kind;
        IntervalSeconds = changed.IntervalSeconds;
        Language = changed.Language;
        FetchPages = changed.FetchPages;
        ChangedAt = changed.At;
    }

    /// <summary>Paused by an operator.</summary>
    public void Apply(SourcePaused paused)
    {
        Paused = true;
        Status = SourceStatus.Paused;
        ChangedAt = paused.At;
    }

    /// <summary>Resumed: failures forgotten, due now.</summary>
    public void Apply(SourceResumed resumed)
    {
        Paused = false;
        ConsecutiveFailures = 0;
        Status = SourceStatus.Active;
        NextPollAt = resumed.At;
        ChangedAt = resumed.At;
    }

    /// <summary>Removed by an operator.</summary>
    public void Apply(SourceRemoved removed)
    {
        Removed = true;
        ChangedAt = removed.At;
    }

    /// <summary>Due now.</summary>
    public void Apply(SourcePollRequested requested) => NextPollAt = requested.At;

    /// <summary>A poll holds the lease.</summary>
    public void Apply(SourcePollStarted started) => LeaseUntil = started.LeaseUntil;

    /// <summary>A poll ended: health, counters, validators and schedule.</summary>
    public void Apply(SourcePolled polled)
    {
        LeaseUntil = null;
        LastPolledAt = polled.At;
        NextPollAt = polled.NextPollAt;
        ItemsSeen += polled.ItemsSeen;
        ArticlesAccepted += polled.Accepted + polled.NearDuplicates;
        Duplicates += polled.Duplicates;
        Rejected += polled.Rejected;
        if (polled.Outcome == PollOutcome.Deferred)
        {
            // Not this feed's failure: its host is backing off after another source's 429/503, or the poll was
            // interrupted by a shutdown (no error: the last one stays).
            LastError = polled.Error ?? LastError;
            return;
        }
        if (polled.Outcome == PollOutcome.Failed)
        {
            ConsecutiveFailures++;
            LastError = polled.Error;
        }
        else
        {
            ConsecutiveFailures = 0;
            LastSuccessAt = polled.At;
            // A poll that read the feed may still report trouble (a child sitemap, a page): shown until a clean poll.
            LastError = polled.Error;
            if (polled.NotModified) NotModified++;
            // A 304 carries no new validators; keep the ones that earned it.
            if (polled.Outcome == PollOutcome.Ok)
            {
                ETag = polled.ETag;
                LastModified = polled.LastModified;
            }
        }
        (RedirectTo, RedirectCount) = SourceRules.CountRedirect(RedirectTo, RedirectCount, polled.PermanentRedirect);
        Status = SourceRules.StatusOf(Paused, ConsecutiveFailures);
    }

    /// <summary>The feed moved to its permanent new address.</summary>
    public void Apply(SourceUrlMoved moved)
    {
        Url = moved.To;
        RedirectTo = null;
        RedirectCount = 0;
        ETag = LastModified = null;
    }
}

/// <summary>Values of <see cref="Source.Status"/>.</summary>
public static class SourceStatus
{
    /// <summary>Polled on schedule.</summary>
    public const string Active = "active";
    /// <summary>Not polled until resumed.</summary>
    public const string Paused = "paused";
    /// <summary>Polled with backoff; several failures in a row.</summary>
    public const string Failing = "failing";
    /// <summary>Not polled until an operator resumes it; too many failures in a row.</summary>
    public const string Disabled = "disabled";
}

/// <summary>Values of <see cref="SourcePolled.Outcome"/>.</summary>
public static class PollOutcome
{
    /// <summary>The feed was read (items may have failed individually).</summary>
    public const string Ok = "ok";
    /// <summary>304 Not Modified.</summary>
    public const string NotModified = "notModified";
    /// <summary>The feed could not be fetched or parsed.</summary>
    public const string Failed = "failed";
    /// <summary>
    /// Not fetched because its host is backing off (it answered 429 or 503 to another request): rescheduled for when the
    /// host may be asked again, not counted as a failure of this source.
    /// </summary>
    public const string Deferred = "deferred";
}

/// <summary>Read model of one item of a source (projected inline from its one-event stream).</summary>
public sealed class SourceItem
{
    /// <summary>Item stream id (<see cref="SourceRules.ItemIdOf"/>).</summary>
    public Guid Id { get; set; }

    /// <summary>The source.</summary>
    public Guid SourceId { get; set; }

    /// <summary>The item's identity in its source (canonical link, else GUID).</summary>
    public string ItemKey { get; set; } = "";

    /// <summary>Link of the article (canonical URL when the page named one).</summary>
    public string? Link { get; set; }

    /// <summary>Title as submitted.</summary>
    public string? Title { get; set; }

    /// <summary>The stored article (the earlier one for a duplicate); null when rejected.</summary>
    public Guid? ArticleId { get; set; }

    /// <summary><c>accepted</c>, <c>duplicate</c>, <c>nearDuplicate</c> or <c>rejected</c>.</summary>
    public string Outcome { get; set; } = "";

    /// <summary>The original article of a duplicate or near-duplicate.</summary>
    public Guid? DuplicateOf { get; set; }

    /// <summary>Similarity to the original, for a near-duplicate.</summary>
    public double? Similarity { get; set; }

    /// <summary>Why it was rejected.</summary>
    public string? Reason { get; set; }

    /// <summary>When the outcome was recorded.</summary>
    public DateTimeOffset SeenAt { get; set; }

    /// <summary>The item's only event.</summary>
    public void Apply(SourceItemRecorded recorded)
    {
        Id = recorded.ItemId;
        SourceId = recorded.SourceId;
        ItemKey = recorded.ItemKey;
        Link = recorded.Link;
        Title = recorded.Title;
        ArticleId = recorded.ArticleId;
        Outcome = recorded.Outcome;
        DuplicateOf = recorded.DuplicateOf;
        Similarity = recorded.Similarity;
        Reason = recorded.Reason;
        SeenAt = recorded.SeenAt;
    }
}
