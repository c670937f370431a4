using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using NewsMonitor.Contracts;
using NewsMonitor.Entities.Recognition;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Text;

namespace NewsMonitor.Entities.Extraction;

/// <summary>Entity endpoints: an article's entities, search, an entity's articles.</summary>
public static class EntitiesApi
{
    /// <summary>Maps the entity endpoints.</summary>
    public static IEndpointRouteBuilder MapEntitiesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/articles/{id:guid}/entities", GetArticleEntitiesAsync);
        var entities = app.MapGroup("/api/v1/entities");
        entities.MapGet("/", Search);
        entities.MapGet("/{id}/articles", GetArticlesAsync);
        return app;
    }

    private static async Task<Results<Ok<ArticleEntitiesView>, ProblemHttpResult>> GetArticleEntitiesAsync(Guid id, IQuerySession session, CancellationToken cancellationToken)
    {
        var entities = await session.LoadAsync<ArticleEntities>(id, cancellationToken);
        return entities is null
            ? Problems.NotFound($"Article {id} has no entities yet: it is unknown or still being processed.", new Dictionary<string, object?> { ["complete"] = false })
            : TypedResults.Ok(new ArticleEntitiesView(id, entities.Entities, entities.ExtractorVersion, true));
    }

    private static Ok<EntitySearchView> Search(EntityCatalog catalog, string? q = null, string? type = null, int limit = 20)
    {
        limit = Math.Clamp(limit, 1, 200);
        var key = q is null ? null : ArabicNormalizer.Normalize(q.Trim());
        var found = catalog.Names
            .Where(pair => (key is null || pair.Key.Contains(key, StringComparison.Ordinal))
                           && (type is null || string.Equals(pair.Value.Type, type, StringComparison.OrdinalIgnoreCase)))
            .GroupBy(pair => pair.Value.Id)
            .Select(group => new EntitySummary(group.First().Value.Id, group.First().Value.Type, group.First().Value.Name, group.Select(pair => pair.Key).ToList()))
            .Take(limit)
            .ToList();
        return TypedResults.Ok(new EntitySearchView(found));
    }

    private static async Task<Ok<EntityArticlesView>> GetArticlesAsync(string id, IQuerySession session, CancellationToken cancellationToken, int limit = 50)
    {
        limit = Math.Clamp(limit, 1, 500);
        var articles = await session.Query<ArticleEntities>()
            .Where(article => article.EntityIds.Contains(id))
            .OrderByDescending(article => article.ExtractedAt)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new EntityArticlesView(id, articles.Select(article => new EntityArticleView(
            article.Id, article.Entities.First(entity => entity.Id == id).Mentions.Count, article.ExtractedAt)).ToList()));
    }
}

/// <summary>Answer of <c>GET /api/v1/articles/{id}/entities</c>.</summary>
public sealed record ArticleEntitiesView(Guid ArticleId, IReadOnlyList<ExtractedEntity> Entities, string ExtractorVersion, bool Complete);

/// <summary>An entity with the name keys it is known by.</summary>
public sealed record EntitySummary(string Id, string Type, string Name, IReadOnlyList<string> Aliases);

/// <summary>Answer of <c>GET /api/v1/entities?q=&amp;type=</c>.</summary>
public sealed record EntitySearchView(IReadOnlyList<EntitySummary> Items);

/// <summary>An article mentioning an entity.</summary>
public sealed record EntityArticleView(Guid ArticleId, int Mentions, DateTimeOffset ExtractedAt);

/// <summary>Answer of <c>GET /api/v1/entities/{id}/articles</c>, newest first.</summary>
public sealed record EntityArticlesView(string EntityId, IReadOnlyList<EntityArticleView> Articles);
