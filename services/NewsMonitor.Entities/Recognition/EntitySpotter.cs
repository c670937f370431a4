using NewsMonitor.Contracts;
using NewsMonitor.Text;

namespace NewsMonitor.Entities.Recognition;

/// <summary>
/// First entity extractor: finds every catalog name in the text (leftmost-longest, morphology-aware through
/// the text core's phrase matcher) and groups the mentions by canonical entity. Pure; the trained tagger
/// of a later issue adds names the catalog lacks.
/// </summary>
public sealed class EntitySpotter
{
    /// <summary>Version recorded in events.</summary>
    public const string Version = "gazetteer-1";

    private readonly PhraseMatcher<CanonicalEntity> _matcher = new();
    private readonly EntityCatalog _catalog;

    /// <summary>Builds the matcher over every name of <paramref name="catalog"/>.</summary>
    public EntitySpotter(EntityCatalog catalog)
    {
        _catalog = catalog;
        foreach (var (name, entity) in catalog.Names) _matcher.Add(name, entity);
    }

    /// <summary>Number of names the spotter looks for.</summary>
    public int NameCount => _matcher.Count;

    /// <summary>Entities of <paramref name="text"/> in order of first mention, with offsets into <paramref name="text"/>.</summary>
    public IReadOnlyList<ExtractedEntity> Extract(string text)
    {
        var mentions = new Dictionary<string, (CanonicalEntity Entity, List<EntityMention> Mentions)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var match in _matcher.FindLongest(text))
        {
            if (!mentions.TryGetValue(match.Payload.Id, out var found))
            {
                found = (match.Payload, []);
                mentions[match.Payload.Id] = found;
                order.Add(match.Payload.Id);
            }
            if (found.Mentions.Count > 0 && found.Mentions[^1].Start == match.Start) continue;
            found.Mentions.Add(new EntityMention(text.Substring(match.Start, match.Length), match.Start, match.Length));
        }
        return order.Select(id => new ExtractedEntity(id, mentions[id].Entity.Type, mentions[id].Entity.Name, mentions[id].Mentions, _catalog.AliasesOf(id))).ToList();
    }
}
