using NewsMonitor.Entities.Recognition;

namespace NewsMonitor.Entities.Catalog;

/// <summary>An operator defined an entity (or redefined one: type, canonical name, more aliases).</summary>
public sealed record EntityDefined(string Id, string Type, string Name, string[] Aliases, DateTimeOffset At);

/// <summary>An operator added an alias to an entity.</summary>
public sealed record EntityAliasAdded(string EntityId, string Alias, DateTimeOffset At);

/// <summary>An operator merged one entity into another: from now on its names and mentions are the other's.</summary>
public sealed record EntitiesMerged(string FromId, string IntoId, DateTimeOffset At);

/// <summary>The operators' catalog edits, one stream, folded inline into one document.</summary>
public sealed record CatalogEdits(Guid Id, long Version, Dictionary<string, DefinedEntity> Defined, Dictionary<string, string[]> AddedAliases, Dictionary<string, string> Merges)
{
    /// <summary>The one stream all catalog edits go to.</summary>
    public static readonly Guid StreamId = new("6e0b7c1e-2f53-4c1a-9a53-0e4a3c9d5a01");

    /// <summary>Starts the document.</summary>
    public static CatalogEdits Create(EntityDefined defined) => Empty.Apply(defined);

    /// <summary>Starts the document.</summary>
    public static CatalogEdits Create(EntityAliasAdded added) => Empty.Apply(added);

    /// <summary>Starts the document.</summary>
    public static CatalogEdits Create(EntitiesMerged merged) => Empty.Apply(merged);

    private static CatalogEdits Empty => new(StreamId, 0, [], [], []);

    /// <summary>Folds a definition.</summary>
    public CatalogEdits Apply(EntityDefined defined) =>
        this with { Version = Version + 1, Defined = new(Defined) { [defined.Id] = new DefinedEntity(defined.Id, defined.Type, defined.Name, defined.Aliases) } };

    /// <summary>Folds an added alias.</summary>
    public CatalogEdits Apply(EntityAliasAdded added) => this with
    {
        Version = Version + 1,
        AddedAliases = new(AddedAliases) { [added.EntityId] = [.. AddedAliases.GetValueOrDefault(added.EntityId) ?? [], added.Alias] },
    };

    /// <summary>Folds a merge.</summary>
    public CatalogEdits Apply(EntitiesMerged merged) => this with { Version = Version + 1, Merges = new(Merges) { [merged.FromId] = merged.IntoId } };

    /// <summary>The edits as the catalog builder takes them.</summary>
    public CatalogEditsState ToState() => new(Version, Defined, AddedAliases, Merges);
}
