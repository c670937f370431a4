using Marten;
using JasperFx;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Text.NearDuplicates;
using Npgsql;

namespace NewsMonitor.Ingestion.Articles;

/// <summary>What happened to one submitted article.</summary>
/// <param name="Id">The stored article; for a duplicate, the one stored earlier.</param>
/// <param name="Status"><c>accepted</c>, <c>duplicate</c> or <c>nearDuplicate</c> (see docs/api.md).</param>
/// <param name="DuplicateOf">For a near copy and a duplicate by text: the original article.</param>
/// <param name="Similarity">For a near copy: its similarity to the original in [0, 1].</param>
public sealed record IntakeOutcome(Guid Id, string Status, Guid? DuplicateOf = null, double? Similarity = null)
{
    /// <summary>Stored now; <c>ArticleReceived</c> follows through the relay.</summary>
    public static IntakeOutcome Accepted(Guid id) => new(id, "accepted");

    /// <summary>Already stored earlier (or earlier in the same batch); nothing new is published.</summary>
    public static IntakeOutcome Duplicate(Guid id) => new(id, "duplicate");

    /// <summary>The same normalised text is stored under another URL as <paramref name="original"/>; nothing new is stored.</summary>
    public static IntakeOutcome SameText(Guid original) => new(original, "duplicate", original);

    /// <summary>Stored now as a near copy of <paramref name="match"/>'s original.</summary>
    public static IntakeOutcome NearDuplicate(Guid id, NearDuplicateMatch match) => new(id, "nearDuplicate", match.Original, match.Similarity);
}

/// <summary>
/// Stores valid articles as new streams. Duplicates: a stream that already exists (same URL, or same text without URL),
/// the same normalised text under another URL (<see cref="ArticleText"/>), and near copies, which are stored and marked
/// (<see cref="ArticleFingerprint"/>). The lookups are written in the same transaction as the stream.
/// </summary>
public sealed class ArticleIntake(IDocumentStore store, TimeProvider clock, LanguageDetection languages, NearDuplicateSettings nearDuplicates)
{
    private sealed record Pending(ValidArticle Article, Guid TextId, TextFingerprint Fingerprint);

    /// <summary>Stores every article that is new, in one transaction when no other writer races us.</summary>
    public async Task<IReadOnlyList<IntakeOutcome>> SubmitAsync(IReadOnlyList<ValidArticle> submitted, CancellationToken cancellationToken)
    {
        // Detection and fingerprints are CPU work on the caller's thread, before any session or transaction is open.
        var pending = submitted.Select(WithLanguage)
            .Select(article => new Pending(article, ArticleIdentity.TextId(article.Title, article.Body), TextFingerprint.Of(article.Body)))
            .ToList();
        var now = clock.GetUtcNow();
        try
        {
            return await DecideAndSaveAsync(pending, now, cancellationToken);
        }
        catch (Exception exception) when (IsCollision(exception))
        {
            // Another request stored one of these articles or texts between our check and our commit: nothing of this
            // transaction was kept, so store them one by one and let each decide again on what is stored now.
            var outcomes = new IntakeOutcome[pending.Count];
            for (var i = 0; i < pending.Count; i++) outcomes[i] = await SubmitOneAsync(pending[i], now, cancellationToken);
            return outcomes;
        }
    }

    private async Task<IntakeOutcome> SubmitOneAsync(Pending item, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await DecideAndSaveAsync([item], now, cancellationToken))[0];
            }
            catch (Exception exception) when (IsCollision(exception) && attempt < 3)
            {
                // The winner is committed now: deciding again finds it and answers duplicate.
            }
        }
    }

    private async Task<IntakeOutcome[]> DecideAndSaveAsync(IReadOnlyList<Pending> items, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var outcomes = new IntakeOutcome[items.Count];
        await using var session = store.LightweightSession();
        session.KeepTraceContext();
        var ids = items.Select(item => item.Article.Id).Distinct().ToArray();
        var stored = (await session.Query<Article>().Where(article => article.Id.IsOneOf(ids)).Select(article => article.Id).ToListAsync(cancellationToken)).ToHashSet();
        var textIds = items.Select(item => item.TextId).Distinct().ToArray();
        var texts = (await session.Query<ArticleText>().Where(text => text.Id.IsOneOf(textIds)).ToListAsync(cancellationToken))
            .ToDictionary(text => text.Id, text => text.ArticleId);
        var index = await CandidatesAsync(session, items.Select(item => item.Fingerprint).Where(fingerprint => fingerprint.Comparable).ToList(), cancellationToken);

        var started = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var (article, textId, fingerprint) = items[i];
            if (stored.Contains(article.Id))
            {
                outcomes[i] = IntakeOutcome.Duplicate(article.Id);
                continue;
            }
            if (texts.TryGetValue(textId, out var original))
            {
                outcomes[i] = IntakeOutcome.SameText(original);
                continue;
            }

            // Earlier items of this batch are in the index too: a batch may carry copies of its own articles.
            var match = index.Find(fingerprint);
            session.Events.StartStream<Article>(article.Id, Submitted(article, now, match));
            session.Insert(new ArticleText(textId, article.Id));
            session.Insert(ArticleFingerprint.Of(article.Id, match?.Original ?? article.Id, now, fingerprint));
            index.Add(article.Id, match?.Original ?? article.Id, fingerprint);
            stored.Add(article.Id);
            texts[textId] = article.Id;
            outcomes[i] = match is null ? IntakeOutcome.Accepted(article.Id) : IntakeOutcome.NearDuplicate(article.Id, match);
            started++;
        }
        if (started > 0) await session.SaveChangesInCommitOrderAsync(cancellationToken);
        return outcomes;
    }

    /// <summary>The stored articles sharing a SimHash or MinHash band with any of <paramref name="fingerprints"/>, newest first, in an index.</summary>
    private async Task<NearDuplicateIndex> CandidatesAsync(IQuerySession session, IReadOnlyList<TextFingerprint> fingerprints, CancellationToken cancellationToken)
    {
        var index = new NearDuplicateIndex(nearDuplicates.Threshold);
        if (fingerprints.Count == 0) return index;
        var s = Enumerable.Range(0, SimHash.BandCount).Select(band => fingerprints.Select(f => f.SimHashBands()[band]).Distinct().ToArray()).ToArray();
        var m = Enumerable.Range(0, MinHash.BandCount).Select(band => fingerprints.Select(f => f.MinHashBands()[band]).Distinct().ToArray()).ToArray();
        var candidates = await session.Query<ArticleFingerprint>()
            .Where(f => f.S0.IsOneOf(s[0]) || f.S1.IsOneOf(s[1]) || f.S2.IsOneOf(s[2]) || f.S3.IsOneOf(s[3])
                || f.M0.IsOneOf(m[0]) || f.M1.IsOneOf(m[1]) || f.M2.IsOneOf(m[2]) || f.M3.IsOneOf(m[3]) || f.M4.IsOneOf(m[4]) || f.M5.IsOneOf(m[5])
                || f.M6.IsOneOf(m[6]) || f.M7.IsOneOf(m[7]) || f.M8.IsOneOf(m[8]) || f.M9.IsOneOf(m[9]) || f.M10.IsOneOf(m[10]) || f.M11.IsOneOf(m[11]))
            .OrderByDescending(f => f.ReceivedAt)
            .Take(NearDuplicateSettings.MaxCandidates)
            .ToListAsync(cancellationToken);
        // Oldest first, so that on equal similarity the earlier article is the original.
        foreach (var candidate in candidates.OrderBy(f => f.ReceivedAt)) index.Add(candidate.Id, candidate.Root, candidate.ToFingerprint());
        return index;
    }

    // A stream or a lookup document that another writer committed first (primary key or unique index).
    private static bool IsCollision(Exception exception)
    {
        if (EventStoreSessions.IsStreamCollision(exception)) return true;
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DocumentAlreadyExistsException) return true;
            if (current is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }) return true;
            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(IsCollision)) return true;
        }
        return false;
    }

    private ValidArticle WithLanguage(ValidArticle article)
    {
        if (article.LanguageDeclared) return article;
        var (language, confidence) = languages.Detect(article.Title, article.Body);
        return article with { Language = language, LanguageConfidence = confidence };
    }

    private static ArticleSubmitted Submitted(ValidArticle article, DateTimeOffset now, NearDuplicateMatch? match) =>
        new(article.Id, article.Title, article.Body, article.Url, article.Language, article.Source, article.PublishedAt, now, article.Author,
            article.LanguageConfidence, match?.Original, match?.Similarity);
}
