using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using NewsMonitor.Entities.Profiles;
using NewsMonitor.Entities.Recognition;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Text;

namespace NewsMonitor.Entities.Catalog;

/// <summary>Operators' catalog edits: define an entity, add an alias, merge two entities. Each is an event.</summary>
public static class CatalogApi
{
    private static readonly string[] Types = ["PERSON", "ORG", "LOC"];

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapCatalogApi(this IEndpointRouteBuilder app)
    {
        var entities = app.MapGroup("/api/v1/entities").RequireAuthorization(Access.Operators);
        entities.MapPost("/", DefineAsync);
        entities.MapPost("/{id}/aliases", AddAliasAsync);
        entities.MapPost("/{id}/merge", MergeAsync);
        return app;
    }

    private static async Task<Results<Created<EntityRef>, ProblemHttpResult>> DefineAsync(DefineEntityRequest? request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        // Names and aliases are shown and matched: no control or bidirectional override characters (InputText).
        InputText.Refuse(errors, "name", request?.Name, TextKind.Name);
        for (var i = 0; i < (request?.Aliases?.Length ?? 0); i++) InputText.Refuse(errors, $"aliases[{i}]", request!.Aliases![i], TextKind.Name);
        var type = request?.Type?.Trim().ToUpperInvariant();
        if (type is null || !Types.Contains(type)) errors["type"] = ["required: PERSON, ORG or LOC"];
        var name = request?.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200 || Tokenizer.PhraseKey(name).Length == 0) errors.TryAdd("name", ["required: 1 to 200 characters with at least one word"]);
        var aliases = (request?.Aliases ?? []).Select(alias => alias?.Trim() ?? "").ToArray();
        if (aliases.Length > 100 || aliases.Any(alias => alias.Length is 0 or > 200 || alias.StartsWith('~') && alias.Length == 1)) errors["aliases"] = ["at most 100 aliases of 1 to 200 characters"];
        var id = request?.Id?.Trim();
        if (id is not null && !IsValidId(id)) errors["id"] = ["lower-case letters, digits and '-', 2 to 80 characters"];
        if (errors.Count > 0) return Problems.BadRequest("Invalid entity", string.Join("; ", errors.Select(error => $"{error.Key}: {error.Value[0]}")), errors);
        id ??= Slug(name!) ?? EntityRecognizer.LocalId(type!, Tokenizer.PhraseKey(name!));

        var stream = await session.Events.FetchForWriting<CatalogEdits>(CatalogEdits.StreamId, cancellationToken);
        stream.AppendOne(new EntityDefined(id, type!, name!, aliases, clock.GetUtcNow()));
        await session.SaveChangesInCommitOrderAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/entities/{id}", new EntityRef(id));
    }

    private static async Task<Results<Ok<EntityAliasesView>, ProblemHttpResult>> AddAliasAsync(string id, AddAliasRequest? request, HttpContext http, IDocumentSession session, EntityDirectory directory, TimeProvider clock, CancellationToken cancellationToken)
    {
        var alias = request?.Alias?.Trim();
        if (InputText.Check(alias, TextKind.Name) is { } refused)
            return Problems.BadRequest("Invalid alias", $"alias {refused}", new Dictionary<string, string[]> { ["alias"] = [$"alias {refused}"] });
        if (string.IsNullOrEmpty(alias) || alias.Length > 200 || Tokenizer.PhraseKey(alias.TrimStart('~')).Length == 0)
            return Problems.BadRequest("Invalid alias", "alias: required, 1 to 200 characters with at least one word (prefix ~ for a contextual alias).", new Dictionary<string, string[]> { ["alias"] = ["required"] });
        var catalog = (await directory.CurrentAsync(session, cancellationToken)).Catalog;
        var target = catalog.Resolve(id);
        var stream = await session.Events.FetchForWriting<CatalogEdits>(CatalogEdits.StreamId, cancellationToken);
        if (!catalog.Entities.ContainsKey(target))
        {
            // An entity the tagger found becomes curated when an operator gives it an alias.
            var profile = await session.LoadAsync<EntityProfile>(target, cancellationToken);
            if (profile is null) return Problems.NotFound($"No entity {id} is known: define it first with POST /api/v1/entities.");
            stream.AppendOne(new EntityDefined(target, profile.Type, profile.Name, [], clock.GetUtcNow()));
        }
        stream.AppendOne(new EntityAliasAdded(target, alias, clock.GetUtcNow()));
        await session.SaveChangesInCommitOrderAsync(cancellationToken);
        var updated = (await directory.CurrentAsync(session, cancellationToken)).Catalog;
        return TypedResults.Ok(new EntityAliasesView(target, updated.AliasesOf(target)));
    }

    private static async Task<Results<Ok<EntityMergeView>, ProblemHttpResult>> MergeAsync(string id, MergeRequest? request, HttpContext http, IDocumentSession session, EntityDirectory directory, TimeProvider clock, CancellationToken cancellationToken)
    {
        var into = request?.Into?.Trim();
        if (InputText.Check(into, TextKind.Name) is { } refused)
            return Problems.BadRequest("Invalid merge", $"into {refused}", new Dictionary<string, string[]> { ["into"] = [$"into {refused}"] });
        if (string.IsNullOrEmpty(into)) return Problems.BadRequest("Invalid merge", "into: required, the id of the entity to merge into.", new Dictionary<string, string[]> { ["into"] = ["required"] });
        var catalog = (await directory.CurrentAsync(session, cancellationToken)).Catalog;
        var from = catalog.Resolve(id);
        var target = catalog.Resolve(into);
        if (from == target) return Problems.Conflict($"{id} and {into} are already the same entity ({target}).");
        foreach (var entityId in new[] { from, target })
        {
            if (!catalog.Entities.ContainsKey(entityId) && await session.LoadAsync<EntityProfile>(entityId, cancellationToken) is null)
                return Problems.NotFound($"No entity {entityId} is known: not in the catalog and never seen in an article.");
        }
        var stream = await session.Events.FetchForWriting<CatalogEdits>(CatalogEdits.StreamId, cancellationToken);
        stream.AppendOne(new EntitiesMerged(from, target, clock.GetUtcNow()));
        await session.SaveChangesInCommitOrderAsync(cancellationToken);
        return TypedResults.Ok(new EntityMergeView(from, target));
    }

    private static bool IsValidId(string id) => id.Length is >= 2 and <= 80 && id.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-');

    // A Latin canonical name gives a readable id (mark-rutte); other scripts get a hashed one.
    private static string? Slug(string name)
    {
        var slug = new string(name.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-').ToArray());
        slug = string.Join('-', slug.Split('-', StringSplitOptions.RemoveEmptyEntries));
        return IsValidId(slug) ? slug : null;
    }
}

/// <summary>Body of <c>POST /api/v1/entities</c>.</summary>
public sealed record DefineEntityRequest(string? Id, string? Type, string? Name, string?[]? Aliases);

/// <summary>Body of <c>POST /api/v1/entities/{id}/aliases</c>.</summary>
public sealed record AddAliasRequest(string? Alias);

/// <summary>Body of <c>POST /api/v1/entities/{id}/merge</c>.</summary>
public sealed record MergeRequest(string? Into);

/// <summary>An entity id.</summary>
public sealed record EntityRef(string Id);

/// <summary>An entity's alias keys after an edit.</summary>
public sealed record EntityAliasesView(string Id, IReadOnlyList<string> Aliases);

/// <summary>A merge that was recorded.</summary>
public sealed record EntityMergeView(string From, string Into);
