using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using NewsMonitor.Entities.Catalog;
using NewsMonitor.Entities.Recognition;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Text;

namespace NewsMonitor.Entities.Profiles;

/// <summary>Entity search, profiles and trending.</summary>
public static class ProfilesApi
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapProfilesApi(this IEndpointRouteBuilder app)
    {
        var entities = app.MapGroup("/api/v1/entities").RequireAuthorization(Access.Integrators);
        entities.MapGet("/", SearchAsync);
        entities.MapGet("/trending", TrendingAsync);
        entities.MapGet("/{id}", GetProfileAsync);
        return app;
    }

    private static async Task<Ok<EntitySearchView>> SearchAsync(IQuerySession session, EntityDirectory directory, CancellationToken cancellationToken, string? q = null, string? type = null, int limit = 20)
    {
        limit = Math.Clamp(limit, 1, 200);
        var catalog = (await directory.CurrentAsync(session, cancellationToken)).Catalog;
        var key = string.IsNullOrWhiteSpace(q) ? null : Tokenizer.PhraseKey(q);
        var found = new Dictionary<string, EntitySummary>(StringComparer.Ordinal);
        foreach (var group in catalog.Names
                     .Where(pair => !pair.Value.Contextual && (key is null || pair.Key.Contains(key, StringComparison.Ordinal)))
                     .Where(pair => type is null || string.Equals(pair.Value.Entity.Type, type, StringComparison.OrdinalIgnoreCase))
                     .GroupBy(pair => pair.Value.Entity.Id)
                     .OrderBy(group => group.Key, StringComparer.Ordinal)
                     .Take(limit))
        {
            var entity = group.First().Value.Entity;
            found[entity.Id] = new EntitySummary(entity.Id, entity.Type, entity.Name, catalog.AliasesOf(entity.Id), true);
        }
        if (found.Count < limit)
        {
            var query = session.Query<EntityProfile>().AsQueryable();
            if (key is not null) query = query.Where(profile => profile.SearchText.Contains(key));
            var upperType = type?.ToUpperInvariant();
            if (upperType is not null) query = query.Where(profile => profile.Type == upperType);
            foreach (var profile in await query.OrderByDescending(profile => profile.Articles).Take(limit).ToListAsync(cancellationToken))
            {
                var id = catalog.Resolve(profile.Id);
                if (found.Count < limit && !found.ContainsKey(id))
                    found[id] = new EntitySummary(id, profile.Type, profile.Name, profile.SearchText.Split('|'), catalog.Entities.ContainsKey(id));
            }
        }
        return TypedResults.Ok(new EntitySearchView(found.Values.ToList()));
    }

    private static async Task<Results<Ok<EntityProfileView>, ProblemHttpResult>> GetProfileAsync(string id, IQuerySession session, EntityDirectory directory, CancellationToken cancellationToken)
    {
        var catalog = (await directory.CurrentAsync(session, cancellationToken)).Catalog;
        var target = catalog.Resolve(id);
        var mergedFrom = catalog.MergedInto(target);
        var profiles = await session.LoadManyAsync<EntityProfile>(cancellationToken, mergedFrom.Append(target));
        catalog.Entities.TryGetValue(target, out var canonical);
        if (profiles.Count == 0 && canonical is null) return Problems.NotFound($"No entity {id} is known: not in the catalog and never seen in an article.");

        var combined = ProfileView.Combine(target, canonical, profiles, catalog);
        var partnerIds = combined.CoMentioned.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal).Take(10).ToList();
        var nameOf = await NamesAsync(session, catalog, partnerIds.Select(pair => pair.Key), cancellationToken);
        var coMentioned = partnerIds.Select(pair =>
        {
            var (name, type) = nameOf(pair.Key);
            return new CoMentionView(pair.Key, type, name, pair.Value);
        }).ToList();
        return TypedResults.Ok(combined.ToView(catalog.AliasesOf(target), coMentioned, mergedFrom));
    }

    // Name and type of entities by id: the catalog's for curated ones, the profile's for the rest (id and "" if neither).
    private static async Task<Func<string, (string Name, string Type)>> NamesAsync(IQuerySession session, EntityCatalog catalog, IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        var profiles = (await session.LoadManyAsync<EntityProfile>(cancellationToken, ids.Where(id => !catalog.Entities.ContainsKey(id))))
            .ToDictionary(profile => profile.Id, StringComparer.Ordinal);
        return id => catalog.Entities.TryGetValue(id, out var known) ? (known.Name, known.Type)
            : profiles.TryGetValue(id, out var profile) ? (profile.Name, profile.Type) : (id, "");
    }

    private static async Task<Results<Ok<TrendingView>, ProblemHttpResult>> TrendingAsync(IQuerySession session, EntityDirectory directory, TimeProvider clock, CancellationToken cancellationToken,
        string window = "24h", int baseline = 7, int limit = 20, int minimum = 2, string? type = null)
    {
        if (TrendScorer.ParseWindow(window) is not { } span)
            return Problems.BadRequest("Invalid window", $"window '{window}' is not a duration like 90m, 24h or 7d between 1 minute and 30 days.", new Dictionary<string, string[]> { ["window"] = ["expected <number>m|h|d"] });
        if (baseline is < 1 or > 30)
            return Problems.BadRequest("Invalid baseline", "baseline is the number of earlier windows to compare with, 1 to 30.", new Dictionary<string, string[]> { ["baseline"] = ["expected 1..30"] });
        limit = Math.Clamp(limit, 1, 100);
        var now = clock.GetUtcNow();
        var from = EntityMentionHour.HourOf(now - span * (baseline + 1));
        var hours = await session.Query<EntityMentionHour>().Where(hour => hour.Hour >= from).ToListAsync(cancellationToken);
        var catalog = (await directory.CurrentAsync(session, cancellationToken)).Catalog;
        // Merged entities trend as one.
        foreach (var hour in hours) hour.EntityId = catalog.Resolve(hour.EntityId);
        var trends = TrendScorer.Rank(hours, now, span, baseline, Math.Max(1, minimum));
        var nameOf = await NamesAsync(session, catalog, trends.Take(limit * 3).Select(trend => trend.EntityId), cancellationToken);
        var items = trends
            .Select(trend =>
            {
                var (name, entityType) = nameOf(trend.EntityId);
                return new TrendView(trend.EntityId, entityType, name, trend.Mentions, trend.Articles, Math.Round(trend.Expected, 2), Math.Round(trend.Score, 3));
            })
            .Where(item => type is null || string.Equals(item.Type, type, StringComparison.OrdinalIgnoreCase))
            .Take(limit)
            .ToList();
        return TypedResults.Ok(new TrendingView(window, now - span, now, baseline, items));
    }
}

/// <summary>An entity found by search; <paramref name="Curated"/> when it is in the catalog.</summary>
public sealed record EntitySummary(string Id, string Type, string Name, IReadOnlyList<string> Aliases, bool Curated);

/// <summary>Answer of <c>GET /api/v1/entities?q=&amp;type=</c>.</summary>
public sealed record EntitySearchView(IReadOnlyList<EntitySummary> Items);

/// <summary>A name as written, with how often.</summary>
public sealed record NameCountView(string Text, int Count);

/// <summary>An entity named in the same articles.</summary>
public sealed record CoMentionView(string Id, string Type, string Name, int Articles);

/// <summary>A topic in an entity's articles: in how many, and the share of the entity's articles.</summary>
public sealed record TopicShareView(string Label, int Articles, double Share);

/// <summary>Answer of <c>GET /api/v1/entities/{id}</c>.</summary>
public sealed record EntityProfileView(string Id, string Type, string Name, IReadOnlyList<string> Aliases, IReadOnlyList<NameCountView> NamesSeen, int Mentions, int Articles,
    DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen, IReadOnlyList<CoMentionView> CoMentioned, IReadOnlyList<TopicShareView> Topics, IReadOnlyList<string> MergedFrom, bool Curated);

/// <summary>A trending entity.</summary>
public sealed record TrendView(string Id, string Type, string Name, int Mentions, int Articles, double Expected, double Score);

/// <summary>Answer of <c>GET /api/v1/entities/trending</c>.</summary>
public sealed record TrendingView(string Window, DateTimeOffset From, DateTimeOffset To, int BaselineWindows, IReadOnlyList<TrendView> Items);

/// <summary>One entity's profile combined over the ids merged into it. Pure.</summary>
internal sealed record ProfileView(string Id, string Type, string Name, bool Curated, Dictionary<string, int> NamesSeen, int Mentions, int Articles,
    DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen, Dictionary<string, int> CoMentioned, Dictionary<string, int> Topics)
{
    public static ProfileView Combine(string id, CanonicalEntity? canonical, IReadOnlyList<EntityProfile> profiles, EntityCatalog catalog)
    {
        var main = profiles.FirstOrDefault(profile => profile.Id == id) ?? (profiles.Count > 0 ? profiles[0] : null);
        var view = new ProfileView(id, canonical?.Type ?? main?.Type ?? "", canonical?.Name ?? main?.Name ?? id, canonical is not null, new(StringComparer.Ordinal), 0, 0, null, null,
            new(StringComparer.Ordinal), new(StringComparer.Ordinal));
        var mentions = 0;
        var articles = 0;
        DateTimeOffset? first = null, last = null;
        foreach (var profile in profiles)
        {
            mentions += profile.Mentions;
            articles += profile.Articles;
            first = first is null || profile.FirstSeen < first ? profile.FirstSeen : first;
            last = last is null || profile.LastSeen > last ? profile.LastSeen : last;
            Add(view.NamesSeen, profile.NamesSeen, key => key);
            Add(view.CoMentioned, profile.CoMentioned, catalog.Resolve);
            Add(view.Topics, profile.Topics, key => key);
        }
        view.CoMentioned.Remove(id);
        return view with { Mentions = mentions, Articles = articles, FirstSeen = first, LastSeen = last };
    }

    public EntityProfileView ToView(IReadOnlyList<string> aliases, IReadOnlyList<CoMentionView> coMentioned, IReadOnlyList<string> mergedFrom) => new(
        Id, Type, Name,
        aliases.Concat(NamesSeen.Keys.Select(Tokenizer.PhraseKey)).Distinct(StringComparer.Ordinal).ToList(),
        NamesSeen.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => new NameCountView(pair.Key, pair.Value)).ToList(),
        Mentions, Articles, FirstSeen, LastSeen, coMentioned,
        Topics.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => new TopicShareView(pair.Key, pair.Value, Articles == 0 ? 0 : Math.Round((double)pair.Value / Articles, 3))).ToList(),
        mergedFrom, Curated);

    private static void Add(Dictionary<string, int> into, Dictionary<string, int> from, Func<string, string> key)
    {
        foreach (var (name, count) in from) into[key(name)] = into.GetValueOrDefault(key(name)) + count;
    }
}
