using System.Security.Cryptography;
using System.Text;
using Marten;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Gateway.Security;

/// <summary>The key a request was authenticated with: its id (the rate limit's partition), name, role and tenant.</summary>
public sealed record AuthenticatedKey(Guid Id, string Name, Caller Caller);

/// <summary>
/// API-key authentication at the door: every <c>/api</c> request needs <c>X-Api-Key</c>. Keys are issued and revoked
/// over <c>/api/v1/keys</c> and stored hashed as events in the gateway's schema; the operator key from configuration
/// (<c>NEWSMONITOR_ADMIN_KEY</c>) is the first key, kept only as a hash in memory.
/// </summary>
public sealed class ApiKeys(IDocumentStore store, string bootstrapOperatorKey)
{
    /// <summary>Request header carrying the key.</summary>
    public const string Header = "X-Api-Key";

    /// <summary><see cref="HttpContext.Items"/> key of the <see cref="AuthenticatedKey"/>.</summary>
    public const string CallerItem = "newsmonitor.caller";

    /// <summary>Longest key looked at; anything longer cannot be one of ours.</summary>
    public const int MaxKeyLength = 200;

    private readonly byte[] _bootstrapHash = Encoding.ASCII.GetBytes(ApiKeyRecord.HashOf(bootstrapOperatorKey));

    /// <summary>The key <paramref name="presented"/> stands for, or null for an unknown or revoked key.</summary>
    public async Task<AuthenticatedKey?> AuthenticateAsync(string presented, CancellationToken cancellationToken)
    {
        if (presented.Length is 0 or > MaxKeyLength) return null;
        var hash = ApiKeyRecord.HashOf(presented);
        if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(hash), _bootstrapHash))
            return new AuthenticatedKey(Guid.Empty, "operator key from configuration", new Caller("operator", Caller.DefaultTenant));
        await using var session = store.QuerySession();
        var record = await session.Query<ApiKeyRecord>().Where(key => key.Hash == hash).FirstOrDefaultAsync(cancellationToken);
        return record is { RevokedAt: null } ? new AuthenticatedKey(record.Id, record.Name, new Caller(record.Role, record.Tenant)) : null;
    }
}

/// <summary>Wiring of <see cref="ApiKeys"/> and the role check.</summary>
public static class ApiKeysExtensions
{
    /// <summary>Registers the key store; fails at start when no operator key is configured.</summary>
    public static WebApplicationBuilder AddApiKeys(this WebApplicationBuilder builder)
    {
        var key = builder.Configuration["NEWSMONITOR_ADMIN_KEY"] ?? builder.Configuration["NewsMonitor:AdminKey"];
        if (string.IsNullOrWhiteSpace(key) || key.Length < 16)
            throw new InvalidOperationException("Set NEWSMONITOR_ADMIN_KEY (at least 16 characters): it is the first operator key. deploy/local/up generates one.");
        builder.AddEventStore("gateway", options =>
        {
            options.Projections.Snapshot<ApiKeyRecord>(JasperFx.Events.Projections.SnapshotLifecycle.Inline);
            options.Schema.For<ApiKeyRecord>().UniqueIndex(record => record.Hash);
            options.Events.AddEventType<ApiKeyIssued>();
            options.Events.AddEventType<ApiKeyRevoked>();
        });
        builder.Services.AddSingleton(services => new ApiKeys(services.GetRequiredService<IDocumentStore>(), key));
        return builder;
    }

    /// <summary>Answers 401 problem+json to <c>/api</c> requests without a valid key; records the caller of the others.</summary>
    public static WebApplication UseApiKeys(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
            {
                await next(context);
                return;
            }
            var presented = context.Request.Headers[ApiKeys.Header].ToString();
            var caller = presented.Length == 0 ? null : await context.RequestServices.GetRequiredService<ApiKeys>().AuthenticateAsync(presented, context.RequestAborted);
            if (caller is null)
            {
                context.Response.Headers.WWWAuthenticate = "ApiKey header=\"X-Api-Key\"";
                await Problems.Unauthorized(presented.Length == 0 ? "Send your API key in the X-Api-Key header." : "The API key is not valid (unknown or revoked).")
                    .ExecuteAsync(context);
                return;
            }
            context.Items[ApiKeys.CallerItem] = caller;
            await next(context);
        });
        return app;
    }

    /// <summary>Answers 403 problem+json when the caller's role may not use the route (<see cref="RouteAccess"/>).</summary>
    public static WebApplication UseRouteAccess(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.Items[ApiKeys.CallerItem] is AuthenticatedKey key && !RouteAccess.Allows(key.Caller.Role, context.Request.Method, context.Request.Path.Value ?? ""))
            {
                await Problems.Forbidden($"A {key.Caller.Role} key may not {context.Request.Method} {context.Request.Path}.").ExecuteAsync(context);
                return;
            }
            await next(context);
        });
        return app;
    }

    /// <summary>The authenticated key of the request, if any.</summary>
    public static AuthenticatedKey? KeyOf(HttpContext context) => context.Items[ApiKeys.CallerItem] as AuthenticatedKey;
}
