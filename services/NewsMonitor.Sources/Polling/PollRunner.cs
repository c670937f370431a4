using MassTransit;
using Marten;
using Microsoft.Extensions.Options;
using NewsMonitor.Contracts;
using NewsMonitor.Feeds;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Sources.Fetching;
using NewsMonitor.Sources.Sources;

namespace NewsMonitor.Sources.Polling;

/// <summary>
/// One poll of one leased source: conditional fetch, parse, for each item not seen before (up to
/// <see cref="SourcesOptions.MaxItemsPerPoll"/>) the page when the item carries too little text, the article sent to
/// ingestion (<see cref="SubmitArticle"/>) and its outcome recorded on the item's stream, then <see cref="SourcePolled"/>
/// with health, counters and the next poll time. Every failure ends as a recorded reason, never as an exception out of
/// <see cref="PollAsync"/>.
/// </summary>
public sealed partial class PollRunner(
    IDocumentStore store, PoliteFetcher fetcher, IServiceScopeFactory scopes, IOptions<SourcesOptions> options, TimeProvider clock, ILogger<PollRunner> logger)
{
    /// <summary>How far ahead of our clock a publication date may be (feeds in other zones, clock skew).</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromDays(1);

    /// <summary>Polls <paramref name="source"/>, which this instance holds the lease of, and records the outcome.</summary>
    public async Task PollAsync(Source source, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        SourcePolled polled;
        try
        {
            polled = await RunAsync(source, settings, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: give the source back, due now, so another instance (or this one, restarted) polls it
            // without waiting for the lease to expire. Items already recorded stay recorded; nothing is counted.
            polled = new SourcePolled(source.Id, clock.GetUtcNow(), PollOutcome.Deferred, source.ETag, source.LastModified, 0, 0, 0, 0, 0, false, null, clock.GetUtcNow());
        }
        catch (Exception exception)
        {
            LogPollFailed(logger, source.Id, exception);
            polled = Failure(source, settings, $"internal error while polling: {exception.GetType().Name}: {exception.Message}", null);
        }

        try
        {
            await using var session = store.LightweightSession();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            // Appended at the version read, decided on the source as it is now: an operator's edit during the poll stands,
            // and the redirect count goes on from what is stored. A conflict decides again; one that persists is logged below.
            await session.DecideAndAppendWithRetriesAsync<Source, bool>(source.Id, current => (SourceRules.DecidePolled(current, polled).Events, true),
                () => throw new InvalidOperationException($"Source {source.Id} kept changing while its poll was recorded."), timeout.Token);
        }
        catch (Exception exception)
        {
            // The lease expires and the source is polled again; its items already recorded are not submitted twice.
            LogRecordFailed(logger, source.Id, exception);
        }
    }

    private async Task<SourcePolled> RunAsync(Source source, SourcesOptions settings, CancellationToken cancellationToken)
    {
        // The lease is not renewed: a poll must end well inside it, or another instance takes the source and polls it
        // at the same time. Half the lease goes to fetching and items; the item or child sitemap under way when it runs
        // out (each bounded by the fetch and submit timeouts) finishes, the rest waits for the next poll.
        var budgetEnds = clock.GetUtcNow() + settings.Lease / 2;
        var feedUrl = new Uri(source.Url);
        var fetched = await fetcher.FetchAsync(new FetchRequest(feedUrl, FetchPurpose.Feed, source.ETag, source.LastModified), cancellationToken);
        var redirect = fetched.PermanentRedirect is { } moved ? SourceRules.Canonical(moved.AbsoluteUri) : null;
        switch (fetched.Status)
        {
            // The fetcher refuses at once, without a request (no HTTP status), while the host backs off after a 429/503
            // (RetryAfter: the time left); that is the host's state, not this feed's failure.
            case FetchStatus.Failed when fetched.HttpStatus is null && fetched.RetryAfter is { } wait:
                return new SourcePolled(source.Id, clock.GetUtcNow(), PollOutcome.Deferred, source.ETag, source.LastModified, 0, 0, 0, 0, 0, false,
                    fetched.Error, clock.GetUtcNow() + (wait > TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromSeconds(1)));
            case FetchStatus.Failed:
                return Failure(source, settings, fetched.Error ?? "the feed could not be fetched", fetched.RetryAfter);
            case FetchStatus.NotModified:
                return new SourcePolled(source.Id, clock.GetUtcNow(), PollOutcome.NotModified, source.ETag, source.LastModified, 0, 0, 0, 0, 0, true, null,
                    SourceRules.NextPoll(clock.GetUtcNow(), source.IntervalSeconds, null, fetched.MaxAge, fetched.RetryAfter), redirect);
        }

        FeedDocument document;
        try
        {
            document = FeedParser.Parse(fetched.Body ?? [], fetched.ContentType, fetched.FinalUrl);
        }
        catch (FeedFormatException exception)
        {
            return Failure(source, settings, $"{fetched.FinalUrl} is not a feed: {exception.Reason}", fetched.RetryAfter);
        }
        if (KindMismatch(source.Kind, document.Kind) is { } mismatch) return Failure(source, settings, mismatch, fetched.RetryAfter);

        var problems = new List<string>();
        var items = new List<(FeedItem Item, FeedKind Kind, string? Language)>();
        Collect(document, items);
        if (document.Kind == FeedKind.SitemapIndex)
        {
            foreach (var child in document.Sitemaps.Take(settings.MaxChildSitemaps))
            {
                if (clock.GetUtcNow() >= budgetEnds)
                {
                    problems.Add($"the poll used half its lease ({settings.Lease}) before reading child sitemap {child}; the rest are read on the next poll");
                    break;
                }
                var childFetch = await fetcher.FetchAsync(new FetchRequest(child, FetchPurpose.Feed), cancellationToken);
                if (childFetch.Status != FetchStatus.Ok)
                {
                    problems.Add($"child sitemap {child}: {childFetch.Error ?? "not fetched"}");
                    continue;
                }
                try
                {
                    var childDocument = FeedParser.Parse(childFetch.Body ?? [], childFetch.ContentType, childFetch.FinalUrl);
                    Collect(childDocument, items);
                }
                catch (FeedFormatException exception)
                {
                    problems.Add($"child sitemap {child}: {exception.Reason}");
                }
            }
            if (document.Sitemaps.Count > settings.MaxChildSitemaps)
                problems.Add($"the sitemap index lists {document.Sitemaps.Count} sitemaps; {settings.MaxChildSitemaps} are read per poll");
        }

        var counts = new Counts();
        var (fresh, unseen) = await NewItemsAsync(source.Id, items, settings.MaxItemsPerPoll, cancellationToken);
        // Items left for a later poll (over the cap, a page or ingestion that did not answer): the next poll must read
        // the whole feed again, so this poll's validators are not kept (a 304 would hide those items).
        var leftOver = unseen > fresh.Count;
        using (var scope = scopes.CreateScope())
        {
            var client = scope.ServiceProvider.GetRequiredService<IRequestClient<SubmitArticle>>();
            foreach (var (item, kind, language) in fresh)
            {
                if (clock.GetUtcNow() >= budgetEnds)
                {
                    problems.Add($"the poll used half its lease ({settings.Lease}); the remaining items wait for the next poll");
                    leftOver = true;
                    break;
                }
                var outcome = await ProcessItemAsync(source, item, kind, language, client, cancellationToken);
                if (outcome.Problem is not null) problems.Add(outcome.Problem);
                if (outcome.Recorded is { } recorded) counts.Add(recorded.Outcome);
                else if (outcome.Deferred) leftOver = true;
                if (outcome.StopPoll)
                {
                    leftOver = true;
                    break;
                }
            }
        }
        if (document.Skipped.Count > 0) problems.Add($"{document.Skipped.Count} item(s) left out by the parser (first: {document.Skipped[0].Reason})");

        var now = clock.GetUtcNow();
        if (leftOver) problems.Add($"{unseen - counts.Seen} new item(s) left for the next poll");
        return new SourcePolled(source.Id, now, PollOutcome.Ok, leftOver ? null : fetched.ETag, leftOver ? null : fetched.LastModified,
            counts.Seen, counts.Accepted, counts.Duplicates, counts.NearDuplicates, counts.Rejected, false,
            problems.Count == 0 ? null : Summarise(problems),
            SourceRules.NextPoll(now, source.IntervalSeconds, document.Ttl, fetched.MaxAge, fetched.RetryAfter), redirect);
    }

    private static void Collect(FeedDocument document, List<(FeedItem, FeedKind, string?)> items)
    {
        foreach (var item in document.Items) items.Add((item, document.Kind, item.Language ?? document.Language));
    }

    private async Task<(List<(FeedItem Item, FeedKind Kind, string? Language)> Fresh, int Unseen)> NewItemsAsync(
        Guid sourceId, List<(FeedItem Item, FeedKind Kind, string? Language)> items, int max, CancellationToken cancellationToken)
    {
        // The same item may appear twice in one document (or in two child sitemaps): once is enough.
        var unique = items.GroupBy(entry => entry.Item.Key, StringComparer.Ordinal).Select(group => group.First()).ToList();
        var ids = unique.Select(entry => SourceRules.ItemIdOf(sourceId, entry.Item.Key)).ToArray();
        await using var query = store.QuerySession();
        var seen = new HashSet<Guid>();
        foreach (var chunk in ids.Chunk(1000))
            foreach (var item in await query.LoadManyAsync<SourceItem>(cancellationToken, chunk)) seen.Add(item.Id);
        var unseen = unique.Where((_, i) => !seen.Contains(ids[i])).ToList();
        return (unseen.Take(max).ToList(), unseen.Count);
    }

    private sealed record ItemOutcome(SourceItemRecorded? Recorded, string? Problem, bool StopPoll = false, bool Deferred = false);

    private async Task<ItemOutcome> ProcessItemAsync(Source source, FeedItem item, FeedKind kind, string? language, IRequestClient<SubmitArticle> client, CancellationToken cancellationToken)
    {
        var title = item.Title;
        var text = HtmlText.ToPlainText(item.Content ?? item.Summary);
        var url = item.Link;
        var author = item.Author;
        var published = item.PublishedAt;
        string? pageLanguage = null;

        if (item.Link is { } link && PageDecision.NeedsPage(item, kind, source.FetchPages) && Uri.TryCreate(link, UriKind.Absolute, out var pageUrl))
        {
            var page = await fetcher.FetchAsync(new FetchRequest(pageUrl, FetchPurpose.Page), cancellationToken);
            if (page.Status != FetchStatus.Ok)
            {
                var reason = $"page {link}: {page.Error ?? "not fetched"}";
                // A page that is gone (4xx other than 429) will not come back; anything else may, so the item waits for the next poll.
                if (page.HttpStatus is >= 400 and < 500 and not 429 && text.Length == 0)
                    return await RecordAsync(source, item, url, title, null, "rejected", null, null, reason, cancellationToken) with { Problem = reason };
                if (text.Length == 0) return new ItemOutcome(null, reason, Deferred: true);
            }
            else
            {
                var html = TextDecoder.Decode(page.Body ?? [], page.ContentType, html: true);
                var extracted = PageExtractor.Extract(html, page.FinalUrl, out var why);
                if (extracted is not null)
                {
                    text = extracted.Text;
                    title ??= extracted.Title;
                    url = extracted.CanonicalUrl ?? url; // only ever the page's own site (PageExtractor.SameSite)
                    author ??= extracted.Author;
                    published ??= extracted.PublishedAt;
                    pageLanguage = extracted.Language;
                }
                else if (text.Length == 0)
                {
                    var reason = $"page {link} has no article text: {why ?? "nothing extracted"}";
                    return await RecordAsync(source, item, url, title, null, "rejected", null, null, reason, cancellationToken) with { Problem = reason };
                }
            }
        }

        if (string.IsNullOrWhiteSpace(title) && text.Length > 0) title = FirstWords(text);
        // A date more than a day ahead is a broken or hostile feed, not news from the future: an article "published" in
        // 9999 would sort first in every list for ever. The item is kept without it.
        if (published > clock.GetUtcNow() + MaxFutureSkew) published = null;
        // A feed's or page's language header is not trusted to be a tag (og:locale is "en_US"): ingestion refuses an
        // article whose language is no tag, so an unreadable one is dropped rather than losing every item of the feed.
        var command = new SubmitArticle(source.Id, item.Key, url, title ?? "", text,
            SourceRules.LanguageTagOf(language) ?? SourceRules.LanguageTagOf(pageLanguage) ?? source.Language,
            SourceRules.DisplayName(source), published, author);
        ArticleSubmissionResult answer;
        try
        {
            var response = await client.GetResponse<ArticleSubmissionResult>(command, cancellationToken);
            answer = response.Message;
        }
        catch (RequestTimeoutException)
        {
            // Not recorded: the item is submitted again on the next poll. The rest would time out too.
            return new ItemOutcome(null, "ingestion did not answer in time; the remaining items wait for the next poll", StopPoll: true);
        }
        return await RecordAsync(source, item, url, title, answer.ArticleId, answer.Outcome, answer.DuplicateOf, answer.Similarity, answer.Reason, cancellationToken);
    }

    private async Task<ItemOutcome> RecordAsync(Source source, FeedItem item, string? link, string? title, Guid? articleId, string outcome, Guid? duplicateOf, double? similarity, string? reason, CancellationToken cancellationToken)
    {
        var id = SourceRules.ItemIdOf(source.Id, item.Key);
        var recorded = new SourceItemRecorded(id, source.Id, item.Key, link, Truncate(title, 1000), articleId, outcome, duplicateOf, similarity, Truncate(reason, 2000), clock.GetUtcNow());
        await using var session = store.LightweightSession();
        session.Events.StartStream<SourceItem>(id, recorded);
        try
        {
            await session.SaveChangesInCommitOrderAsync(cancellationToken);
        }
        catch (Exception exception) when (EventStoreSessions.IsStreamCollision(exception))
        {
            // Already recorded (a poll that lost its lease got here first): counted once, by that poll.
            return new ItemOutcome(null, null);
        }
        return new ItemOutcome(recorded, null);
    }

    private static string? KindMismatch(string expected, FeedKind found) => (expected, found) switch
    {
        ("auto", _) => null,
        ("rss", FeedKind.Rss) or ("atom", FeedKind.Atom) => null,
        ("sitemap", FeedKind.Sitemap or FeedKind.SitemapIndex or FeedKind.NewsSitemap) => null,
        _ => $"the source is set to kind {expected}, but the document is {found}",
    };

    private SourcePolled Failure(Source source, SourcesOptions settings, string error, TimeSpan? retryAfter)
    {
        var now = clock.GetUtcNow();
        var next = SourceRules.NextPollAfterFailure(now, source.IntervalSeconds, source.ConsecutiveFailures + 1, settings.MaxBackoff, retryAfter, Random.Shared.NextDouble());
        return new SourcePolled(source.Id, now, PollOutcome.Failed, source.ETag, source.LastModified, 0, 0, 0, 0, 0, false, Truncate(error, 2000), next);
    }

    private static string Summarise(List<string> problems) =>
        Truncate(problems.Count == 1 ? problems[0] : $"{problems.Count} problems; first: {problems[0]}", 2000)!;

    private static string FirstWords(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length <= 120 ? line : line[..120].TrimEnd() + "…";
    }

    private static string? Truncate(string? value, int max) => value is null || value.Length <= max ? value : value[..max] + "…";

    private sealed class Counts
    {
        public int Seen, Accepted, Duplicates, NearDuplicates, Rejected;

        public void Add(string outcome)
        {
            Seen++;
            switch (outcome)
            {
                case "accepted": Accepted++; break;
                case "duplicate": Duplicates++; break;
                case "nearDuplicate": NearDuplicates++; break;
                default: Rejected++; break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Polling source {SourceId} failed unexpectedly; recorded on the source")]
    private static partial void LogPollFailed(ILogger logger, Guid sourceId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording the poll of source {SourceId} failed; its lease will expire and it is polled again")]
    private static partial void LogRecordFailed(ILogger logger, Guid sourceId, Exception exception);
}
