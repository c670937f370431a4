using System.Security.Cryptography;
using System.Text;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Gateway.Security;

/// <summary>
/// API-key authentication at the door: every <c>/api</c> request needs <c>X-Api-Key</c>. The walking skeleton
/// knows one key, the operator key from configuration (<c>NEWSMONITOR_ADMIN_KEY</c>); it is kept only as a hash.
/// </summary>
public sealed class ApiKeys
{
    /// <summary>Request header carrying the key.</summary>
    public const string Header = "X-Api-Key";

    /// <summary><see cref="HttpContext.Items"/> key of the authenticated <see cref="Caller"/>.</summary>
    public const string CallerItem = "newsmonitor.caller";

    private readonly byte[] _operatorKeyHash;

    /// <summary>Creates the key check for <paramref name="operatorKey"/>.</summary>
    public ApiKeys(string operatorKey) => _operatorKeyHash = Hash(operatorKey);

    /// <summary>The caller a presented key stands for, or null for a wrong key.</summary>
    public Caller? Authenticate(string presented) =>
        CryptographicOperations.FixedTimeEquals(Hash(presented), _operatorKeyHash) ? new Caller("operator", Caller.DefaultTenant) : null;

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

/// <summary>Wiring of <see cref="ApiKeys"/>.</summary>
public static class ApiKeysExtensions
{
    /// <summary>Registers the key check; fails at start when no operator key is configured.</summary>
    public static WebApplicationBuilder AddApiKeys(this WebApplicationBuilder builder)
    {
        var key = builder.Configuration["NEWSMONITOR_ADMIN_KEY"] ?? builder.Configuration["NewsMonitor:AdminKey"];
        if (string.IsNullOrWhiteSpace(key) || key.Length < 16)
            throw new InvalidOperationException("Set NEWSMONITOR_ADMIN_KEY (at least 16 characters): it is the first operator key. deploy/local/up generates one.");
        builder.Services.AddSingleton(new ApiKeys(key));
        return builder;
    }

    /// <summary>Answers 401 problem+json to <c>/api</c> requests without a valid key.</summary>
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
            var caller = presented.Length == 0 ? null : context.RequestServices.GetRequiredService<ApiKeys>().Authenticate(presented);
            if (caller is null)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "ApiKey header=\"X-Api-Key\"";
                await TypedResults.Problem(
                        title: "Unauthorized",
                        detail: presented.Length == 0 ? "Send your API key in the X-Api-Key header." : "The API key is not valid.",
                        statusCode: StatusCodes.Status401Unauthorized)
                    .ExecuteAsync(context);
                return;
            }
            context.Items[ApiKeys.CallerItem] = caller;
            await next(context);
        });
        return app;
    }
}
