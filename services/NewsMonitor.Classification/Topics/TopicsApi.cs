using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Classification.Topics;

/// <summary>Topic endpoints: an article's topics, the taxonomy, articles by topic.</summary>
public static class TopicsApi
{
    /// <summary>Maps the topic endpoints.</summary>
    public static IEndpointRouteBuilder MapTopicsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/articles/{id:guid}/topics", GetArticleTopicsAsync).RequireAuthorization(Access.Integrators);
        var topics = app.MapGroup("/api/v1/topics").RequireAuthorization(Access.Integrators);
        topics.MapGet("/", GetTaxonomyAsync);
        topics.MapGet("/{label}/articles", GetArticlesAsync);
        return app;
    }

    private static async Task<Ok<TaxonomyView>> GetTaxonomyAsync(TopicLexicon lexicon, IQuerySession session, CancellationToken cancellationToken)
    {
        var operatorTopics = (await OperatorTopicDirectory.LoadSetAsync(session, cancellationToken)).Active;
        return TypedResults.Ok(new TaxonomyView(
            [.. lexicon.Topics.Select(topic => new TopicView(topic.Label, topic.Description, "built-in")),
             .. operatorTopics.Select(topic => new TopicView(topic.Label, topic.Description ?? "", "operator", topic.Rule))]));
    }

    private static async Task<Results<Ok<ArticleTopicsView>, ProblemHttpResult>> GetArticleTopicsAsync(Guid id, IQuerySession session, CancellationToken cancellationToken)
    {
        var topics = await session.LoadAsync<ArticleTopics>(id, cancellationToken);
        return topics is not { IsClassified: true }
            ? Problems.NotFound($"Article {id} has no topics yet: it is unknown or still being processed.", new Dictionary<string, object?> { ["complete"] = false })
            : TypedResults.Ok(new ArticleTopicsView(id, topics.Topics, topics.ModelVersion, topics.ClassifiedAt, true, topics.Scores ?? topics.Topics, topics.OperatorTopics ?? []));
    }

    private static async Task<Ok<TopicArticlesView>> GetArticlesAsync(string label, IQuerySession session, CancellationToken cancellationToken, int limit = 50)
    {
        limit = Math.Clamp(limit, 1, 500);
        var articles = await session.Query<ArticleTopics>()
            .Where(article => article.Labels.Contains(label))
            .OrderByDescending(article => article.ClassifiedAt)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new TopicArticlesView(label, articles.Select(article => new TopicArticleView(
            article.Id, article.Topics.First(topic => topic.Label == label).Score, article.ClassifiedAt)).ToList()));
    }
}

/// <summary>Answer of <c>GET /api/v1/articles/{id}/topics</c>.</summary>
/// <remarks>
/// <c>Topics</c> are the assigned labels (operator topics with score 1); <c>Scores</c> every model label's calibrated score,
/// best first; <c>OperatorTopics</c> the operator topics assigned and the terms and filters that matched.
/// </remarks>
public sealed record ArticleTopicsView(Guid ArticleId, IReadOnlyList<TopicScore> Topics, string ModelVersion, DateTimeOffset ClassifiedAt, bool Complete, IReadOnlyList<TopicScore> Scores,
    IReadOnlyList<OperatorTopicMatch> OperatorTopics);

/// <summary>One label of the taxonomy: <c>built-in</c> (the model's) or <c>operator</c> (defined by <c>Rule</c>).</summary>
public sealed record TopicView(string Label, string Description, string Kind, string? Rule = null);

/// <summary>Answer of <c>GET /api/v1/topics</c>.</summary>
public sealed record TaxonomyView(IReadOnlyList<TopicView> Topics);

/// <summary>An article under a topic.</summary>
public sealed record TopicArticleView(Guid ArticleId, double Score, DateTimeOffset ClassifiedAt);

/// <summary>Answer of <c>GET /api/v1/topics/{label}/articles</c>, newest first.</summary>
public sealed record TopicArticlesView(string Label, IReadOnlyList<TopicArticleView> Articles);
