using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
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

    /// <summary>Whether the issued key <paramref name="id"/> is still valid (not revoked).</summary>
    public async Task<bool> IsLiveAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<ApiKeyRecord>(id, cancellationToken) is { RevokedAt: null };
    }
}

/// <summary>
/// The <see cref="ApiKeysExtensions.Scheme"/> handler: one <c>X-Api-Key</c> header naming a live key makes the caller
/// (its role and tenant as claims, the key in <see cref="HttpContext.Items"/> for the rate limiter). Whether a request
/// needs a caller, and which role, is decided by the policy of the endpoint the router selected (<see cref="Access"/>).
/// </summary>
public sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeys keys)
    : ProblemAuthenticationHandler(options, logger, encoder)
{
    /// <inheritdoc />
    protected override string MissingDetail => "Send your API key in the X-Api-Key header.";

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers[ApiKeys.Header];
        if (presented.Count == 0 || presented.Count == 1 && string.IsNullOrEmpty(presented[0])) return AuthenticateResult.NoResult();
        var key = presented.Count == 1 ? await keys.AuthenticateAsync(presented[0]!, Context.RequestAborted) : null;
        if (key is null) return AuthenticateResult.Fail("The API key is not valid (unknown or revoked).");
        Context.Items[ApiKeys.CallerItem] = key;
        var principal = Access.PrincipalOf(key.Caller, Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    /// <inheritdoc />
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "ApiKey header=\"X-Api-Key\"";
        return base.HandleChallengeAsync(properties);
    }
}

/// <summary>Wiring of <see cref="ApiKeys"/>, the key authentication and the access policies.</summary>
public static class ApiKeysExtensions
{
    /// <summary>The authentication scheme of API keys.</summary>
    public const string Scheme = "apikey";

    /// <summary>Registers the key store and the key authentication; fails at start when no operator key is configured.</summary>
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
        builder.Services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(Scheme, null);
        builder.Services.AddAccessPolicies(Scheme);
        return builder;
    }

    /// <summary>
    /// Routes, then authenticates and authorises on the endpoint the router selected: the public ones are marked
    /// anonymous, every other (and a path no endpoint serves) needs a key, and the endpoint's policy decides the role.
    /// </summary>
    public static WebApplication UseApiKeys(this WebApplication app)
    {
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>
    /// Ends a request still open when its key is revoked (an alert stream, say): every
    /// <see cref="DoorOptions.RecheckKeySeconds"/> a long request's key is looked up again, and the connection is aborted
    /// once it is no longer valid.
    /// </summary>
    public static WebApplication UseKeyRevocationWatch(this WebApplication app)
    {
        var interval = TimeSpan.FromSeconds(app.Services.GetRequiredService<DoorOptions>().RecheckKeySeconds);
        app.Use(async (context, next) =>
        {
            if (KeyOf(context) is not { } key || key.Id == Guid.Empty)
            {
                await next(context);
                return;
            }
            using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            var watch = WatchAsync(context, key, interval, done.Token);
            try
            {
                await next(context);
            }
            finally
            {
                await done.CancelAsync();
                await watch;
            }
        });
        return app;
    }

    private static async Task WatchAsync(HttpContext context, AuthenticatedKey key, TimeSpan interval, CancellationToken cancellationToken)
    {
        var keys = context.RequestServices.GetRequiredService<ApiKeys>();
        try
        {
            while (true)
            {
                await Task.Delay(interval, cancellationToken);
                if (await keys.IsLiveAsync(key.Id, cancellationToken)) continue;
                context.RequestServices.GetRequiredService<ILogger<ApiKeys>>()
                    .LogInformation("Closed a request of key {KeyId} ({Name}): the key was revoked", key.Id, key.Name);
                context.Abort();
                return;
            }
        }
        catch (OperationCanceledException)
        {
            // The request ended first.
        }
    }

    /// <summary>The authenticated key of the request, if any.</summary>
    public static AuthenticatedKey? KeyOf(HttpContext context) => context.Items[ApiKeys.CallerItem] as AuthenticatedKey;
}
