using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using NewsMonitor.Contracts;
using NewsMonitor.Entities.Catalog;
using NewsMonitor.Entities.Profiles;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Entities.Extraction;

/// <summary>Article endpoints of this service: an article's entities, an entity's articles.</summary>
public static class EntitiesApi
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapEntitiesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/articles/{id:guid}/entities", GetArticleEntitiesAsync).RequireAuthorization(Access.Integrators);
        app.MapGet("/api/v1/entities/{id}/articles", GetArticlesAsync).RequireAuthorization(Access.Integrators);
        return app;
    }

    private static async Task<Results<Ok<ArticleEntitiesView>, ProblemHttpResult>> GetArticleEntitiesAsync(Guid id, IQuerySession session, CancellationToken cancellationToken)
    {
        var entities = await session.LoadAsync<ArticleEntities>(id, cancellationToken);
        return entities is not { Entities: { } found }
            ? Problems.NotFound($"Article {id} has no entities yet: it is unknown or still being processed.", new Dictionary<string, object?> { ["complete"] = false })
            : TypedResults.Ok(new ArticleEntitiesView(id, found, entities.ExtractorVersion!, true));
    }

    private static async Task<Ok<EntityArticlesView>> GetArticlesAsync(string id, IQuerySession session, EntityDirectory directory, CancellationToken cancellationToken, int limit = 50)
    {
        limit = Math.Clamp(limit, 1, 500);
        var catalog = (await directory.CurrentAsync(session, cancellationToken)).Catalog;
        var target = catalog.Resolve(id);
        var ids = catalog.MergedInto(target).Append(target).ToArray();
        // One indexed query per id (merges make a handful at most).
        var articles = new List<ArticleEntities>();
        foreach (var entityId in ids)
        {
            articles.AddRange(await session.Query<ArticleEntities>()
                .Where(article => article.EntityIds.Contains(entityId))
                .OrderByDescending(article => article.ExtractedAt)
                .Take(limit)
                .ToListAsync(cancellationToken));
        }
        articles = articles.DistinctBy(article => article.Id).OrderByDescending(article => article.ExtractedAt).Take(limit).ToList();
        return TypedResults.Ok(new EntityArticlesView(target, articles.Select(article => new EntityArticleView(
            article.Id, article.Entities!.Where(entity => ids.Contains(entity.Id)).Sum(entity => entity.Mentions.Count), article.ExtractedAt!.Value)).ToList()));
    }
}

/// <summary>Answer of <c>GET /api/v1/articles/{id}/entities</c>.</summary>
public sealed record ArticleEntitiesView(Guid ArticleId, IReadOnlyList<ExtractedEntity> Entities, string ExtractorVersion, bool Complete);

/// <summary>An article mentioning an entity.</summary>
public sealed record EntityArticleView(Guid ArticleId, int Mentions, DateTimeOffset ExtractedAt);

/// <summary>Answer of <c>GET /api/v1/entities/{id}/articles</c>, newest first.</summary>
public sealed record EntityArticlesView(string EntityId, IReadOnlyList<EntityArticleView> Articles);
