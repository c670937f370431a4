using NewsMonitor.Contracts;

namespace NewsMonitor.Entities.Extraction;

/// <summary>
/// Entities were extracted from an article. <paramref name="Topics"/> are the article's topic labels when the
/// classifier's verdict arrived first (see <see cref="ArticleTopicsNoted"/>), so that each pairing of entities
/// and topics is recorded by exactly one event.
/// </summary>
public sealed record ArticleEntitiesExtracted(Guid ArticleId, IReadOnlyList<ExtractedEntity> Entities, string ExtractorVersion, DateTimeOffset At, string[]? Topics = null);

/// <summary>
/// The classifier's labels for an article reached this service. <paramref name="EntityIds"/> are the article's
/// entities when extraction happened first (empty otherwise), for the entity profiles' topic mix.
/// </summary>
public sealed record ArticleTopicsNoted(Guid ArticleId, string[] Topics, string[] EntityIds, DateTimeOffset At);

/// <summary>Read model of an article's entities with mention offsets, and its topics; projected inline.</summary>
public sealed record ArticleEntities(Guid Id, IReadOnlyList<ExtractedEntity>? Entities, string[] EntityIds, string? ExtractorVersion, DateTimeOffset? ExtractedAt, string[]? Topics)
    : NewsMonitor.ServiceDefaults.IVersionedAggregate
{
    /// <summary>The version of the article's stream this state is folded up to (set by Marten), checked by the write path.</summary>
    public long Version { get; set; }

    /// <summary>Whether entities were extracted (topics may arrive first).</summary>
    public bool Extracted => Entities is not null;

    /// <summary>Starts the read model from extraction.</summary>
    public static ArticleEntities Create(ArticleEntitiesExtracted extracted) => new ArticleEntities(extracted.ArticleId, null, [], null, null, extracted.Topics).Apply(extracted);

    /// <summary>Starts the read model from topics that arrived first.</summary>
    public static ArticleEntities Create(ArticleTopicsNoted noted) => new(noted.ArticleId, null, [], null, null, noted.Topics);

    /// <summary>Records extraction.</summary>
    public ArticleEntities Apply(ArticleEntitiesExtracted extracted) => this with
    {
        Entities = extracted.Entities,
        EntityIds = extracted.Entities.Select(entity => entity.Id).ToArray(),
        ExtractorVersion = extracted.ExtractorVersion,
        ExtractedAt = extracted.At,
    };

    /// <summary>Records topics.</summary>
    public ArticleEntities Apply(ArticleTopicsNoted noted) => this with { Topics = noted.Topics };
}
