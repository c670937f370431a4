using NewsMonitor.ServiceDefaults;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace NewsMonitor.Gateway.Health;

/// <summary>Answer of <c>POST /api/v1/ops/errors/{queue}/replay</c>.</summary>
public sealed record ReplayedErrors(string Queue, string ErrorQueue, long Replayed);

/// <summary>
/// <c>POST /api/v1/ops/errors/{queue}/replay?limit=</c> (operators): moves the messages parked in a work queue's
/// MassTransit error queue back to the work queue, once the cause of their failure is fixed. At least once, never
/// lost: each message is taken unacknowledged, published to the work queue with a publisher confirm (mandatory, so a
/// message no queue takes is refused rather than dropped), and only then acknowledged in the error queue; a crash in
/// between leaves it in the error queue and, at worst, delivers it twice (consumers are idempotent). The fault
/// headers are removed (<see cref="ErrorQueues.IsFaultHeader"/>); message id, body, content type, type and the other
/// headers are kept. It moves at most the messages that were there when it started, so a message that fails again at
/// once returns to the error queue and waits for the next replay instead of looping.
/// </summary>
public static class ErrorQueueReplay
{
    /// <summary>Maps the endpoint.</summary>
    public static WebApplication MapErrorQueueReplay(this WebApplication app)
    {
        app.MapPost("/api/v1/ops/errors/{queue}/replay", async (string queue, int? limit, IConfiguration configuration, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        {
            if (!ErrorQueues.TryParse(queue, out var workQueue, out var errorQueue))
                return Problems.BadRequest("Invalid queue", "queue names a work queue or its error queue: lower-case letters, digits, '.' and '-', optionally ending in _error, not amq.*.",
                    new Dictionary<string, string[]> { ["queue"] = ["^[a-z0-9][a-z0-9.-]{0,200}(_error)?$"] });
            if (limit is < 1)
                return Problems.BadRequest("Invalid limit", "limit is how many messages to replay, at least 1 (default: all that wait).", new Dictionary<string, string[]> { ["limit"] = [">= 1"] });
            var rabbit = configuration.GetSection("RabbitMq");
            if (rabbit["Username"] is not { Length: > 0 } username || rabbit["Password"] is not { Length: > 0 } password)
                return Problems.Of(StatusCodes.Status503ServiceUnavailable, "RabbitMQ not configured", "RabbitMq:Username and RabbitMq:Password are not configured.");
            var factory = new ConnectionFactory
            {
                HostName = rabbit["Host"] ?? "127.0.0.1",
                Port = int.Parse(rabbit["Port"] ?? "5672", System.Globalization.CultureInfo.InvariantCulture),
                VirtualHost = rabbit["VirtualHost"] ?? "/",
                UserName = username,
                Password = password,
                ClientProvidedName = "gateway error-queue replay",
                AutomaticRecoveryEnabled = false,
            };
            IConnection connection;
            try
            {
                connection = await factory.CreateConnectionAsync(cancellationToken);
            }
            catch (BrokerUnreachableException exception)
            {
                return Problems.Of(StatusCodes.Status503ServiceUnavailable, "RabbitMQ unreachable", $"Could not connect to RabbitMQ: {exception.InnerException?.Message ?? exception.Message}");
            }
            await using (connection)
            {
                // Both queues must exist in our virtual host (a passive declare names no other vhost and creates
                // nothing): without the work queue, the default exchange would have nowhere to put the messages.
                var waiting = await MessageCountAsync(connection, errorQueue, cancellationToken);
                if (waiting is null) return Problems.NotFound($"There is no error queue {errorQueue} in this virtual host.", new Dictionary<string, object?> { ["queue"] = queue });
                if (await MessageCountAsync(connection, workQueue, cancellationToken) is null)
                    return Problems.NotFound($"There is no work queue {workQueue} to replay {errorQueue} into.", new Dictionary<string, object?> { ["queue"] = queue });
                var toMove = Math.Min(waiting.Value, limit ?? long.MaxValue);
                var replayed = await MoveAsync(connection, errorQueue, workQueue, toMove, cancellationToken);
                loggers.CreateLogger(typeof(ErrorQueueReplay)).LogInformation("Replayed {Replayed} of {Waiting} messages from {ErrorQueue} to {Queue}",
                    replayed.Moved, waiting, errorQueue, workQueue);
                return replayed.Failure is { } failure
                    ? Problems.Of(StatusCodes.Status502BadGateway, "Replay interrupted",
                        $"RabbitMQ refused a publish to {workQueue} after {replayed.Moved} messages were replayed ({failure}); the rest stay in {errorQueue}.")
                    : (IResult)TypedResults.Ok(new ReplayedErrors(workQueue, errorQueue, replayed.Moved));
            }
        }).RequireAuthorization(Access.Operators);
        return app;
    }

    /// <summary>Messages ready in <paramref name="queue"/>, or null when it does not exist or is not ours (exclusive, refused).</summary>
    private static async Task<long?> MessageCountAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        // A failed passive declare closes its channel, so each gets a channel of its own.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException exception) when (exception.ShutdownReason?.ReplyCode is Constants.NotFound or Constants.ResourceLocked or Constants.AccessRefused)
        {
            return null;
        }
    }

    private static async Task<(long Moved, string? Failure)> MoveAsync(IConnection connection, string errorQueue, string workQueue, long count, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        long moved = 0;
        while (moved < count && !cancellationToken.IsCancellationRequested)
        {
            var parked = await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken);
            if (parked is null) break; // another replay took the rest
            var properties = new BasicProperties(parked.BasicProperties) { Headers = ErrorQueues.WithoutFaultHeaders(parked.BasicProperties.Headers) };
            try
            {
                // Not cancelled from here to the ack: a caller that goes away mid-message must not turn a confirmed
                // publish into a second copy (the unacknowledged original would return to the error queue).
                await channel.BasicPublishAsync("", workQueue, mandatory: true, properties, parked.Body, CancellationToken.None);
            }
            catch (PublishException exception)
            {
                await channel.BasicNackAsync(parked.DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
                return (moved, exception.IsReturn ? "returned: no queue took it" : "not confirmed");
            }
            await channel.BasicAckAsync(parked.DeliveryTag, multiple: false, CancellationToken.None);
            moved++;
        }
        return (moved, null);
    }
}
