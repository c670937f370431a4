using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// Whether the RabbitMQ node currently blocks publishers because of a memory or disk alarm (its <c>connection.blocked</c>
/// notification). While it does, what this service publishes waits (the outbox relay keeps it in PostgreSQL), so work that
/// would only grow that backlog is refused with 503 and <c>Retry-After</c> instead (<see cref="RefuseWhileBrokerBlocked"/>).
/// </summary>
public sealed class BrokerPressure(IConfiguration configuration, TimeProvider clock)
{
    private volatile Blocked? _blocked;

    private sealed record Blocked(string Reason, DateTimeOffset Since);

    /// <summary>True while the broker blocks publishing.</summary>
    public bool IsBlocked => _blocked is not null;

    /// <summary>The broker's reason (for example <c>low on memory</c>), null while it does not block.</summary>
    public string? Reason => _blocked?.Reason;

    /// <summary>When the current block began.</summary>
    public DateTimeOffset? Since => _blocked?.Since;

    /// <summary>Seconds a refused client is asked to wait (<c>RabbitMq:BlockedRetryAfterSeconds</c>, 30 unless set).</summary>
    public int RetryAfterSeconds { get; } = int.TryParse(configuration["RabbitMq:BlockedRetryAfterSeconds"], out var seconds) && seconds > 0 ? seconds : 30;

    /// <summary>Notes that the broker blocks publishing, for <paramref name="reason"/>.</summary>
    public void Block(string reason) => _blocked = new Blocked(reason, clock.GetUtcNow());

    /// <summary>Notes that the broker publishes again (or that the connection is gone, and with it what was known).</summary>
    public void Unblock() => _blocked = null;

    /// <summary>The readiness check: degraded (still answering 200, the service itself is fine) while publishing is blocked.</summary>
    public HealthCheckResult Check() => _blocked is { } blocked
        ? HealthCheckResult.Degraded($"RabbitMQ resource alarm since {blocked.Since:O}: publishing blocked ({blocked.Reason}); article submissions are refused with 503")
        : HealthCheckResult.Healthy();

    /// <summary>
    /// An endpoint filter that answers 503 problem+json with <c>Retry-After</c> while the broker blocks publishing, before the
    /// handler stores anything.
    /// </summary>
    public static RouteHandlerBuilder RefuseWhileBrokerBlocked(RouteHandlerBuilder endpoint) => endpoint
        .AddEndpointFilter(async (context, next) =>
        {
            var pressure = context.HttpContext.RequestServices.GetService<BrokerPressure>();
            if (pressure is not { IsBlocked: true }) return await next(context);
            context.HttpContext.Response.Headers.RetryAfter = pressure.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.Of(StatusCodes.Status503ServiceUnavailable, "Service unavailable",
                $"The message broker is short of memory or disk and holds back new work ({pressure.Reason}); nothing was stored. Try again in {pressure.RetryAfterSeconds} s.");
        })
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}

/// <summary>
/// Keeps a small connection of its own to the broker and turns its <c>connection.blocked</c> / <c>unblocked</c>
/// notifications into <see cref="BrokerPressure"/>. RabbitMQ sends them only to connections that publish, so the watch
/// publishes an empty, unroutable message (default exchange, no such queue: dropped by the broker) every
/// <see cref="ProbeInterval"/> while it is not blocked.
/// </summary>
public sealed class BrokerAlarmWatch(BrokerConnections broker, BrokerPressure pressure, IHostEnvironment environment, ILogger<BrokerAlarmWatch> logger) : BackgroundService
{
    /// <summary>How often the watch publishes its probe.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await broker.ConnectAsync($"{environment.ApplicationName} alarm watch", stoppingToken);
                connection.ConnectionBlockedAsync += (_, blocked) =>
                {
                    if (!pressure.IsBlocked) logger.LogWarning("RabbitMQ blocks publishing: {Reason}", blocked.Reason);
                    pressure.Block(blocked.Reason);
                    return Task.CompletedTask;
                };
                connection.ConnectionUnblockedAsync += (_, _) =>
                {
                    if (pressure.IsBlocked) logger.LogWarning("RabbitMQ publishes again");
                    pressure.Unblock();
                    return Task.CompletedTask;
                };
                connection.ConnectionShutdownAsync += (_, _) =>
                {
                    pressure.Unblock();
                    return Task.CompletedTask;
                };
                await using var channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!pressure.IsBlocked && connection.IsOpen)
                    {
                        try
                        {
                            await channel.BasicPublishAsync("", "newsmonitor.alarm-probe", ReadOnlyMemory<byte>.Empty, stoppingToken);
                        }
                        catch (Exception exception) when (exception is RabbitMQ.Client.Exceptions.AlreadyClosedException or IOException)
                        {
                            // The connection recovers by itself; the next probe goes out once it has.
                        }
                    }
                    await Task.Delay(ProbeInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is RabbitMQ.Client.Exceptions.BrokerUnreachableException or RabbitMQ.Client.Exceptions.OperationInterruptedException
                                                  or RabbitMQ.Client.Exceptions.AlreadyClosedException or IOException)
            {
                pressure.Unblock();
                logger.LogDebug("The alarm watch could not reach RabbitMQ ({Error}); trying again", exception.Message);
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
    }
}

/// <summary>Readiness shows a broker alarm (<see cref="BrokerPressure.Check"/>).</summary>
public sealed class BrokerAlarmHealthCheck(BrokerPressure pressure) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) => Task.FromResult(pressure.Check());
}
