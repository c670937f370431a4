using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Ingestion.Articles;

/// <summary>
/// <c>POST /api/v1/ops/replay?from=&amp;to=&amp;limit=</c> (operator): publishes <see cref="ArticleReceived"/> again
/// for stored articles received in a range, oldest first, so that services re-run their analysis — a new topic model
/// re-classifies history this way. Consumers are idempotent: what is already done for the same version is skipped.
/// A page at a time; <c>next</c> is the <c>from</c> of the next page, null after the last.
/// </summary>
public static class ReplayApi
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapReplayApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/ops/replay", ReplayAsync).RequireAuthorization(Access.Operators);
        return app;
    }

    private static async Task<Results<Ok<ReplayView>, ProblemHttpResult>> ReplayAsync(HttpContext http, IQuerySession session, IPublishEndpoint publish, CancellationToken cancellationToken,
        DateTimeOffset? from = null, DateTimeOffset? to = null, int limit = 1_000)
    {
        if (Problems.CheckPagedRange(from, to, limit, 10_000, out var start, out var end) is { } problem) return problem;

        var articles = await session.Query<Article>()
            .Where(article => article.ReceivedAt >= start && article.ReceivedAt <= end)
            .OrderBy(article => article.ReceivedAt).ThenBy(article => article.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);
        foreach (var article in articles)
        {
            await publish.Publish(new ArticleReceived(article.Id, article.Title, article.Body, article.Url, article.Language, article.Source,
                article.PublishedAt, article.ReceivedAt, article.ReceivedAt, article.LanguageConfidence, article.DuplicateOf, article.Similarity), cancellationToken);
        }
        // A page ends inside a run of equal times at most by the articles sharing its last instant; they are replayed twice, harmlessly.
        var next = articles.Count == limit ? articles[^1].ReceivedAt : (DateTimeOffset?)null;
        return TypedResults.Ok(new ReplayView(articles.Count, next));
    }
}

/// <summary>Answer of the replay endpoint.</summary>
public sealed record ReplayView(int Replayed, DateTimeOffset? Next);
