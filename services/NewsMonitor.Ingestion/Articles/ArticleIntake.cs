using Marten;
using NewsMonitor.ServiceDefaults;

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
}

/// <summary>Stores valid articles as new streams. A stream that already exists means a duplicate.</summary>
public sealed class ArticleIntake(IDocumentStore store, TimeProvider clock)
{
    /// <summary>Stores every article that is new, in one transaction when no other writer races us.</summary>
    public async Task<IReadOnlyList<IntakeOutcome>> SubmitAsync(IReadOnlyList<ValidArticle> articles, CancellationToken cancellationToken)
    {
        var outcomes = new IntakeOutcome[articles.Count];
        var ids = articles.Select(article => article.Id).Distinct().ToArray();
        await using var session = store.LightweightSession();
        session.KeepTraceContext();
        var stored = (await session.Query<Article>().Where(article => article.Id.IsOneOf(ids)).Select(article => article.Id).ToListAsync(cancellationToken)).ToHashSet();

        var started = new List<int>();
        var now = clock.GetUtcNow();
        for (var i = 0; i < articles.Count; i++)
        {
            var article = articles[i];
            if (!stored.Add(article.Id))
            {
                outcomes[i] = IntakeOutcome.Duplicate(article.Id);
                continue;
            }
            session.Events.StartStream<Article>(article.Id, Submitted(article, now));
            outcomes[i] = IntakeOutcome.Accepted(article.Id);
            started.Add(i);
        }
        if (started.Count == 0) return outcomes;

        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (Exception exception) when (EventStoreSessions.IsStreamCollision(exception))
        {
            // Another request stored one of these articles between our check and our commit: nothing of this
            // transaction was kept, so store them one by one and let each collision speak for itself.
            foreach (var i in started) outcomes[i] = await SubmitOneAsync(articles[i], now, cancellationToken);
        }
        return outcomes;
    }

    private async Task<IntakeOutcome> SubmitOneAsync(ValidArticle article, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        session.KeepTraceContext();
        session.Events.StartStream<Article>(article.Id, Submitted(article, now));
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            return IntakeOutcome.Accepted(article.Id);
        }
        catch (Exception exception) when (EventStoreSessions.IsStreamCollision(exception))
        {
            return IntakeOutcome.Duplicate(article.Id);
        }
    }

    private static ArticleSubmitted Submitted(ValidArticle article, DateTimeOffset now) =>
        new(article.Id, article.Title, article.Body, article.Url, article.Language, article.Source, article.PublishedAt, now, article.Author);
}
