using NewsMonitor.Contracts;

namespace NewsMonitor.Entities.Extraction;

/// <summary>Entities were extracted from an article; first event of the article's stream in this service.</summary>
public sealed record ArticleEntitiesExtracted(Guid ArticleId, IReadOnlyList<ExtractedEntity> Entities, string ExtractorVersion, DateTimeOffset At);

/// <summary>Read model of an article's entities with mention offsets, projected inline.</summary>
public sealed record ArticleEntities(Guid Id, IReadOnlyList<ExtractedEntity> Entities, string[] EntityIds, string ExtractorVersion, DateTimeOffset ExtractedAt)
{
    /// <summary>Starts the read model.</summary>
    public static ArticleEntities Create(ArticleEntitiesExtracted extracted) => new(
        extracted.ArticleId, extracted.Entities, extracted.Entities.Select(entity => entity.Id).ToArray(), extracted.ExtractorVersion, extracted.At);
}
