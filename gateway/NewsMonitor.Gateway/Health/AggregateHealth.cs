using System.Diagnostics;
using System.Text.Json;
using NewsMonitor.Gateway.Routing;

namespace NewsMonitor.Gateway.Health;

/// <summary>One service's readiness as the gateway saw it.</summary>
public sealed record ServiceHealth(string Status, int? HttpStatus, long ElapsedMs, JsonElement? Checks, string? Error);

/// <summary>Answer of <c>GET /health</c>: Healthy only when every service is ready.</summary>
public sealed record AggregateHealthView(string Status, IReadOnlyDictionary<string, ServiceHealth> Services);

/// <summary><c>GET /health</c>: asks every service's <c>/health/ready</c> at once.</summary>
public static class AggregateHealth
{
    /// <summary>Registers the HTTP client used for the checks.</summary>
    public static WebApplicationBuilder AddAggregateHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpClient(nameof(AggregateHealth), client => client.Timeout = TimeSpan.FromSeconds(3));
        return builder;
    }

    /// <summary>Maps <c>GET /health</c>.</summary>
    public static WebApplication MapAggregateHealth(this WebApplication app)
    {
        app.MapGet("/health", async (IHttpClientFactory clients, IConfiguration configuration, CancellationToken cancellationToken) =>
        {
            var client = clients.CreateClient(nameof(AggregateHealth));
            var checks = await Task.WhenAll(ServiceRoutes.Services.Select(async service =>
                (Name: service.ToLowerInvariant(), Health: await CheckAsync(client, configuration[$"Services:{service}"]!, cancellationToken))));
            var healthy = checks.All(check => check.Health.Status == "Healthy");
            var view = new AggregateHealthView(healthy ? "Healthy" : "Unhealthy", checks.ToDictionary(check => check.Name, check => check.Health));
            return TypedResults.Json(view, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous();
        return app;
    }

    private static async Task<ServiceHealth> CheckAsync(HttpClient client, string baseAddress, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await client.GetAsync(new Uri(new Uri(baseAddress), "/health/ready"), cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonElement? checks = null;
            try { checks = JsonDocument.Parse(body).RootElement.GetProperty("checks").Clone(); }
            catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException) { }
            return new ServiceHealth(response.IsSuccessStatusCode ? "Healthy" : "Unhealthy", (int)response.StatusCode, watch.ElapsedMilliseconds, checks, null);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return new ServiceHealth("Unreachable", null, watch.ElapsedMilliseconds, null, exception.Message);
        }
    }
}
