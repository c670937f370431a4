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
    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Postgres", TestInfrastructure.Postgres);
        builder.UseSetting("NewsMonitor:Schema", schema);
        builder.UseSetting("RabbitMq:Host", "127.0.0.1");
        builder.UseSetting("RabbitMq:Port", TestInfrastructure.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("RabbitMq:VirtualHost", virtualHost);
        builder.UseSetting("RabbitMq:Username", TestInfrastructure.RabbitUserOf(virtualHost));
        builder.UseSetting("RabbitMq:Password", TestInfrastructure.RabbitPassword);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) builder.UseSetting(key, value);
    }
}
