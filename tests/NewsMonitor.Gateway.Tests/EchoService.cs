using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NewsMonitor.Testing;

namespace NewsMonitor.Gateway.Tests;

/// <summary>A real HTTP server on loopback standing in for a service: it answers every request with what it received.</summary>
public sealed class EchoService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoService(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public string Name { get; }

    public string Address => LoopbackHttpServer.AddressOf(_app);

    public static async Task<EchoService> StartAsync(string name)
    {
        var app = await LoopbackHttpServer.StartAsync(app =>
        {
        app.MapGet("/health/ready", () => Results.Json(new { status = "Healthy", checks = new { self = new { status = "Healthy" } } }));
        app.Map("/{**path}", (HttpContext context) => Results.Json(new
        {
            service = name,
            method = context.Request.Method,
            path = context.Request.Path.Value + context.Request.QueryString.Value,
            headers = context.Request.Headers.ToDictionary(header => header.Key.ToLowerInvariant(), header => header.Value.ToString()),
        }));
        });
        return new EchoService(app, name);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
