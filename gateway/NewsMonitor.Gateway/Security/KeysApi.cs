using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Text;

namespace NewsMonitor.Gateway.Security;

/// <summary><c>/api/v1/keys</c> (operators): issue a key (its secret is shown once), list keys, revoke one. Each change is an event.</summary>
public static class KeysApi
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/v1/keys").RequireAuthorization(Access.Operators);
        keys.MapPost("/", IssueAsync);
        keys.MapGet("/", ListAsync);
        keys.MapDelete("/{id:guid}", RevokeAsync);
        // Any key may ask who it is (the dashboard's sign-in).
        app.MapGet("/api/v1/keys/me", (HttpContext http) =>
        {
            var key = ApiKeysExtensions.KeyOf(http)!;
            return TypedResults.Ok(new CallerView(key.Id, key.Name, key.Caller.Role, key.Caller.Tenant));
        }).RequireAuthorization();
        return app;
    }

    private static async Task<Results<Created<IssuedKeyView>, ProblemHttpResult>> IssueAsync(IssueKeyRequest? request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        // The name is shown in lists and logs: no control or bidirectional override characters (InputText).
        InputText.Refuse(errors, "name", request?.Name, TextKind.Name);
        var role = request?.Role?.Trim().ToLowerInvariant();
        if (role is null || !Access.IsRole(role)) errors["role"] = ["required: operator, integrator or subscriber"];
        var name = request?.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100) errors.TryAdd("name", ["required: 1 to 100 characters saying whose key it is"]);
        var tenant = string.IsNullOrWhiteSpace(request?.Tenant) ? Caller.DefaultTenant : request.Tenant.Trim();
        if (!Access.IsTenant(tenant)) errors["tenant"] = ["lower-case letters, digits, '-' and '_', 1 to 64 characters"];
        // A subscriber sees its tenant's subscriptions and alerts; the default tenant holds the operators' own, so a
        // subscriber key needs a tenant of its own (one issued without one would share the operators' data).
        else if (role == "subscriber" && tenant == Caller.DefaultTenant)
            errors["tenant"] = [$"required for a subscriber key, and not '{Caller.DefaultTenant}' (the operators' tenant)"];
        if (errors.Count > 0) return Problems.BadRequest("Invalid key request", string.Join("; ", errors.Select(error => $"{error.Key}: {error.Value[0]}")), errors);

        var secret = ApiKeyRecord.NewSecret();
        var issued = new ApiKeyIssued(Guid.NewGuid(), name!, role!, tenant, ApiKeyRecord.HashOf(secret), ApiKeyRecord.PrefixOf(secret), clock.GetUtcNow());
        session.Events.StartStream<ApiKeyRecord>(issued.KeyId, issued);
        await session.SaveChangesInCommitOrderAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/keys/{issued.KeyId}", new IssuedKeyView(issued.KeyId, secret, issued.Name, issued.Role, issued.Tenant, issued.Prefix, issued.At));
    }

    private static async Task<Results<Ok<KeyListView>, ProblemHttpResult>> ListAsync(HttpContext http, IQuerySession session, CancellationToken cancellationToken)
    {
        var keys = await session.Query<ApiKeyRecord>().OrderBy(key => key.IssuedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(new KeyListView(keys.Select(key => new KeyView(key.Id, key.Name, key.Role, key.Tenant, key.Prefix, key.IssuedAt, key.RevokedAt)).ToList()));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(Guid id, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken cancellationToken)
    {
        // No key has the empty id, and Marten refuses it as a stream id.
        if (id == Guid.Empty) return NoSuchKey(id);
        var stream = await session.Events.FetchForWriting<ApiKeyRecord>(id, cancellationToken);
        if (stream.Aggregate is null) return NoSuchKey(id);
        if (stream.Aggregate.RevokedAt is not null) return TypedResults.NoContent();
        stream.AppendOne(new ApiKeyRevoked(id, clock.GetUtcNow()));
        await session.SaveChangesInCommitOrderAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult NoSuchKey(Guid id) => Problems.NotFound($"No key {id} was issued (the key from configuration cannot be revoked here: change NEWSMONITOR_ADMIN_KEY).");
}

/// <summary>Body of <c>POST /api/v1/keys</c>.</summary>
public sealed record IssueKeyRequest(string? Role, string? Tenant, string? Name);

/// <summary>A key just issued: <c>key</c> is the secret, shown this once and never stored.</summary>
public sealed record IssuedKeyView(Guid Id, string Key, string Name, string Role, string Tenant, string Prefix, DateTimeOffset IssuedAt);

/// <summary>A key as listed: no secret, its first characters.</summary>
public sealed record KeyView(Guid Id, string Name, string Role, string Tenant, string Prefix, DateTimeOffset IssuedAt, DateTimeOffset? RevokedAt);

/// <summary>Answer of <c>GET /api/v1/keys/me</c> (any key): who the key says the caller is.</summary>
public sealed record CallerView(Guid KeyId, string Name, string Role, string Tenant);

/// <summary>Answer of <c>GET /api/v1/keys</c>, oldest first.</summary>
public sealed record KeyListView(IReadOnlyList<KeyView> Items);
