using NewsMonitor.Text;

namespace NewsMonitor.Entities.Recognition;

/// <summary>A canonical entity: stable id, type and display name.</summary>
public sealed record CanonicalEntity(string Id, string Type, string Name);

/// <summary>A name the catalog knows: the entity it names, and whether it names it only in context (<c>~الحلف</c>).</summary>
public sealed record CatalogName(CanonicalEntity Entity, bool Contextual);

/// <summary>
/// The curated entities with every alias: the shipped alias table plus what operators defined, added and
/// merged. Immutable once built; a change of the operators' edits builds a new catalog.
/// </summary>
public sealed class EntityCatalog
{
    private readonly Dictionary<string, CatalogName> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CanonicalEntity> _entities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _mergedInto = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _aliases = new(StringComparer.Ordinal);

    /// <summary>Builds a catalog from curated entities and the operators' edits.</summary>
    public EntityCatalog(IEnumerable<(CanonicalEntity Entity, string[] Aliases)> curated, CatalogEditsState? edits = null)
    {
        var entries = curated.ToDictionary(entry => entry.Entity.Id, entry => (entry.Entity, Aliases: entry.Aliases.ToList()), StringComparer.Ordinal);
        if (edits is not null)
        {
            foreach (var defined in edits.Defined.Values)
            {
                var aliases = entries.TryGetValue(defined.Id, out var existing) ? existing.Aliases : [];
                entries[defined.Id] = (new CanonicalEntity(defined.Id, defined.Type, defined.Name), aliases.Concat(defined.Aliases).ToList());
            }
            foreach (var (id, aliases) in edits.AddedAliases)
            {
                if (entries.TryGetValue(id, out var entry)) entry.Aliases.AddRange(aliases);
            }
            foreach (var (from, into) in edits.Merges) _mergedInto[from] = into;
        }
        foreach (var (id, (entity, aliases)) in entries)
        {
            // A merged entity's names all point at the entity it was merged into.
            var target = entries.GetValueOrDefault(Resolve(id)).Entity ?? entity;
            if (target.Id == id) _entities[id] = entity;
            foreach (var alias in aliases.Append(entity.Name)) AddName(alias, target);
        }
        Version = edits?.Version ?? 0;
    }

    /// <summary>The version of the edits the catalog was built from (0: the shipped table alone).</summary>
    public long Version { get; }

    /// <summary>Entities by id (merged-away ids excluded).</summary>
    public IReadOnlyDictionary<string, CanonicalEntity> Entities => _entities;

    /// <summary>Every name key with what it names, for the phrase matcher.</summary>
    public IEnumerable<KeyValuePair<string, CatalogName>> Names => _byKey;

    /// <summary>The id an entity is known by now: follows merges (a → b → c gives c).</summary>
    public string Resolve(string id)
    {
        for (var hops = 0; hops < 32 && _mergedInto.TryGetValue(id, out var into); hops++) id = into;
        return id;
    }

    /// <summary>Ids merged into <paramref name="id"/>, directly or through others.</summary>
    public IReadOnlyList<string> MergedInto(string id) => _mergedInto.Keys.Where(from => from != id && Resolve(from) == id).Order(StringComparer.Ordinal).ToList();

    /// <summary>The name keys an entity is known by.</summary>
    public IReadOnlyList<string> AliasesOf(string entityId) => _aliases.TryGetValue(entityId, out var aliases) ? aliases : [];

    /// <summary>The entity a name (any spelling the matcher folds) names outright, or null.</summary>
    public CanonicalEntity? FindByName(string name) =>
        _byKey.TryGetValue(Tokenizer.PhraseKey(name), out var found) && !found.Contextual ? found.Entity : null;

    /// <summary>What a name key (already a phrase key) names, or null.</summary>
    public CatalogName? Lookup(string key) => _byKey.GetValueOrDefault(key);

    /// <summary>The catalog shipped with the service (aliases.tsv), with <paramref name="edits"/> applied.</summary>
    public static EntityCatalog BuiltIn(CatalogEditsState? edits = null) => new(BuiltInData.CuratedEntities(), edits);

    private void AddName(string alias, CanonicalEntity entity)
    {
        var contextual = alias.StartsWith('~');
        var key = Tokenizer.PhraseKey(contextual ? alias[1..] : alias);
        if (key.Length == 0) return;
        _byKey[key] = new CatalogName(entity, contextual);
        if (!_aliases.TryGetValue(entity.Id, out var aliases)) _aliases[entity.Id] = aliases = [];
        if (!aliases.Contains(key)) aliases.Add(key);
    }
}

/// <summary>What operators changed in the catalog, folded from their events (see Catalog/CatalogEdits).</summary>
/// <param name="Version">Number of edits so far.</param>
/// <param name="Defined">Entities operators defined or redefined, by id.</param>
/// <param name="AddedAliases">Aliases operators added, by entity id.</param>
/// <param name="Merges">Merged entity id → the id it was merged into.</param>
public sealed record CatalogEditsState(long Version, IReadOnlyDictionary<string, DefinedEntity> Defined, IReadOnlyDictionary<string, string[]> AddedAliases, IReadOnlyDictionary<string, string> Merges);

/// <summary>An entity an operator defined.</summary>
public sealed record DefinedEntity(string Id, string Type, string Name, string[] Aliases);
