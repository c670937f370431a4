using JasperFx.Events;
using Marten.Events.Projections;
using NewsMonitor.Entities.Extraction;

namespace NewsMonitor.Entities.Profiles;

/// <summary>
/// What the system has seen of one entity: names written, mention and article counts, first and last seen,
/// co-mentioned entities and topic mix. Folded from the article streams by the async daemon (one writer, so
/// concurrent articles never lose an update); rebuildable from events.
/// </summary>
public sealed class EntityProfile
{
    private const int MaxNames = 50;
    private const int MaxCoMentioned = 200;

    /// <summary>Entity id (as extracted; merges are applied when read).</summary>
    public string Id { get; set; } = "";

    /// <summary>PERSON, ORG, LOC.</summary>
    public string Type { get; set; } = "";

    /// <summary>Canonical name at the last mention.</summary>
    public string Name { get; set; } = "";

    /// <summary>Names as written in articles, with how often (at most 50 kept).</summary>
    public Dictionary<string, int> NamesSeen { get; set; } = [];

    /// <summary>Every alias key and name, joined, for substring search.</summary>
    public string SearchText { get; set; } = "";

    /// <summary>Mentions over all articles.</summary>
    public int Mentions { get; set; }

    /// <summary>Articles mentioning the entity.</summary>
    public int Articles { get; set; }

    /// <summary>First extraction that found it.</summary>
    public DateTimeOffset FirstSeen { get; set; }

    /// <summary>Last extraction that found it.</summary>
    public DateTimeOffset LastSeen { get; set; }

    /// <summary>Entities named in the same articles, with in how many.</summary>
    public Dictionary<string, int> CoMentioned { get; set; } = [];

    /// <summary>Topic labels of the articles that name it, with in how many.</summary>
    public Dictionary<string, int> Topics { get; set; } = [];

    internal void Add(ArticleEntitiesExtracted extracted, DateTimeOffset at)
    {
        var entity = extracted.Entities.FirstOrDefault(candidate => candidate.Id == Id);
        if (entity is null) return;
        Type = entity.Type;
        Name = entity.Name;
        Mentions += entity.Mentions.Count;
        Articles++;
        if (FirstSeen == default) FirstSeen = at;
        LastSeen = at;
        foreach (var mention in entity.Mentions) Bump(NamesSeen, mention.Text, MaxNames);
        foreach (var other in extracted.Entities)
        {
            if (other.Id != Id && EntityProfileProjection.IsProfiled(other.Type)) Bump(CoMentioned, other.Id, MaxCoMentioned);
        }
        foreach (var topic in extracted.Topics ?? []) Bump(Topics, topic, int.MaxValue);
        SearchText = string.Join('|', (entity.Aliases ?? []).Append(NewsMonitor.Text.ArabicNormalizer.Normalize(Name)).Concat(NamesSeen.Keys.Select(NewsMonitor.Text.ArabicNormalizer.Normalize)).Distinct(StringComparer.Ordinal));
    }

    internal void Add(ArticleTopicsNoted noted)
    {
        foreach (var topic in noted.Topics) Bump(Topics, topic, int.MaxValue);
    }

    // Counts a key; past the cap, a new key replaces the rarest one seen once (names and partners with a long tail).
    private static void Bump(Dictionary<string, int> counts, string key, int cap)
    {
        if (counts.TryGetValue(key, out var count)) { counts[key] = count + 1; return; }
        if (counts.Count >= cap)
        {
            var rarest = counts.MinBy(pair => pair.Value);
            if (rarest.Value > 1) return;
            counts.Remove(rarest.Key);
        }
        counts[key] = 1;
    }
}

/// <summary>Folds article streams into one <see cref="EntityProfile"/> per named entity.</summary>
public sealed class EntityProfileProjection : MultiStreamProjection<EntityProfile, string>
{
    /// <summary>Numbers (MONEY, PERCENT, DATE) are facts about an article, not entities with a profile.</summary>
    public static bool IsProfiled(string type) => type is not ("MONEY" or "PERCENT" or "DATE");

    /// <summary>Routes each event to the profiles it touches.</summary>
    public EntityProfileProjection()
    {
        Identities<ArticleEntitiesExtracted>(extracted => extracted.Entities.Where(entity => IsProfiled(entity.Type)).Select(entity => entity.Id).Distinct().ToList());
        Identities<ArticleTopicsNoted>(noted => noted.EntityIds.ToList());
    }

    /// <summary>Folds one event into the profile of <paramref name="id"/>, starting it when there is none.</summary>
    public override EntityProfile? Evolve(EntityProfile? snapshot, string id, IEvent e)
    {
        switch (e.Data)
        {
            case ArticleEntitiesExtracted extracted:
                snapshot ??= new EntityProfile { Id = id };
                snapshot.Add(extracted, e.Timestamp);
                break;
            case ArticleTopicsNoted noted when snapshot is not null:
                snapshot.Add(noted);
                break;
        }
        return snapshot;
    }
}
