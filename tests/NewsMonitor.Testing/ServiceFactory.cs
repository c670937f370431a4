using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace NewsMonitor.Testing;

/// <summary>
/// Hosts one service in the test process against the real PostgreSQL (its own schema) and RabbitMQ (its own
/// virtual host). HTTP goes through the in-process test server; everything behind it is real.
/// </summary>
public sealed class ServiceFactory<TProgram>(string schema, string virtualHost, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<TProgram> where TProgram : class
{
    /// <summary>
    /// A client that calls the service as the gateway would: with the internal credential and, unless a request names
    /// another, the identity of an operator of the default tenant.
    /// </summary>
    public HttpClient CreateGatewayClient() => CreateDefaultClient(new AsGateway());

    /// <summary>A client with no credential and no identity: a caller that went around the gateway.</summary>
    public HttpClient CreateBareClient() => CreateDefaultClient();

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Postgres", TestInfrastructure.Postgres);
        builder.UseSetting("NewsMonitor:Schema", schema);
        builder.UseSetting("NEWSMONITOR_INTERNAL_KEY", AsGateway.InternalKey);
        builder.UseSetting("RabbitMq:Host", "127.0.0.1");
        builder.UseSetting("RabbitMq:Port", TestInfrastructure.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("RabbitMq:VirtualHost", virtualHost);
        builder.UseSetting("RabbitMq:Username", TestInfrastructure.RabbitUserOf(virtualHost));
        builder.UseSetting("RabbitMq:Password", TestInfrastructure.RabbitPassword);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) builder.UseSetting(key, value);
    }
}

/// <summary>Adds what the gateway adds to each request it forwards: the credential and a caller's role and tenant.</summary>
public sealed class AsGateway : DelegatingHandler
{
    /// <summary>The internal credential hosted services expect from the gateway in tests.</summary>
    public const string InternalKey = "test-internal-credential-0123456789";

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Headers.Contains("X-NewsMonitor-Gateway")) request.Headers.Add("X-NewsMonitor-Gateway", InternalKey);
        if (!request.Headers.Contains("X-NewsMonitor-Role")) request.Headers.Add("X-NewsMonitor-Role", "operator");
        if (!request.Headers.Contains("X-NewsMonitor-Tenant")) request.Headers.Add("X-NewsMonitor-Tenant", "default");
        return base.SendAsync(request, cancellationToken);
    }
}
