using System.Globalization;
using JasperFx.Events;
using Marten.Events.Projections;
using NewsMonitor.Entities.Extraction;

namespace NewsMonitor.Entities.Profiles;

/// <summary>Mentions of one entity in one UTC hour: the series trending compares against the entity's own past.</summary>
public sealed class EntityMentionHour
{
    /// <summary><c>{entity id}|{yyyyMMddHH}</c>.</summary>
    public string Id { get; set; } = "";

    /// <summary>The entity.</summary>
    public string EntityId { get; set; } = "";

    /// <summary>Start of the hour (UTC).</summary>
    public DateTimeOffset Hour { get; set; }

    /// <summary>Mentions in articles extracted that hour.</summary>
    public int Mentions { get; set; }

    /// <summary>Articles extracted that hour that name the entity.</summary>
    public int Articles { get; set; }

    /// <summary>Bucket id of an entity and an instant.</summary>
    public static string IdOf(string entityId, DateTimeOffset at) => entityId + "|" + HourOf(at).ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    /// <summary>The start of the UTC hour holding <paramref name="at"/>.</summary>
    public static DateTimeOffset HourOf(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }
}

/// <summary>Folds extractions into hourly mention counts per entity (async daemon).</summary>
public sealed class EntityMentionHourProjection : MultiStreamProjection<EntityMentionHour, string>
{
    /// <summary>Routes each extraction to the hour buckets of its entities.</summary>
    public EntityMentionHourProjection() =>
        Identities<ArticleEntitiesExtracted>(extracted => extracted.Entities
            .Where(entity => EntityProfileProjection.IsProfiled(entity.Type))
            .Select(entity => EntityMentionHour.IdOf(entity.Id, extracted.At)).Distinct().ToList());

    /// <summary>Counts the entity's mentions of one extraction in its hour.</summary>
    public override EntityMentionHour? Evolve(EntityMentionHour? snapshot, string id, IEvent e)
    {
        if (e.Data is not ArticleEntitiesExtracted extracted) return snapshot;
        var entityId = id[..id.LastIndexOf('|')];
        var entity = extracted.Entities.FirstOrDefault(candidate => candidate.Id == entityId);
        if (entity is null) return snapshot;
        snapshot ??= new EntityMentionHour { Id = id, EntityId = entityId, Hour = EntityMentionHour.HourOf(extracted.At) };
        snapshot.Mentions += entity.Mentions.Count;
        snapshot.Articles++;
        return snapshot;
    }
}
