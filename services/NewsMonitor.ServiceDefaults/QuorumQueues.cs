using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// Which of a service's queues must move from the classic to the quorum type, and how the move is named. A queue
/// declared classic cannot be declared again as quorum (the broker answers PRECONDITION_FAILED on <c>x-queue-type</c>), so
/// a node that ran an older version keeps classic queues until they are moved (<see cref="QuorumMigration"/>).
/// </summary>
public static class QuorumQueues
{
    /// <summary>Suffix of the queue that holds a queue's messages while it is declared again as quorum.</summary>
    public const string MigrationSuffix = ".quorum-migration";

    /// <summary>The queue arguments of a quorum queue, as MassTransit's <c>SetQuorumQueue()</c> declares them.</summary>
    public static Dictionary<string, object?> Arguments() => new() { ["x-queue-type"] = "quorum" };

    /// <summary>
    /// Whether an endpoint's queue should be quorum: durable work queues should; a temporary one (not durable, or deleted
    /// with its last consumer, like alerting's per-node wake-up queue) must stay classic, as quorum queues are always durable.
    /// </summary>
    public static bool ShouldBeQuorum(bool durable, bool autoDelete) => durable && !autoDelete;

    /// <summary>
    /// The classic queues of <paramref name="service"/> (named <c>&lt;service&gt;-…</c>, as its endpoints and their
    /// <c>_error</c> and <c>_skipped</c> queues are) that are durable and shared, so must become quorum.
    /// </summary>
    public static IReadOnlyList<string> ToMigrate(IEnumerable<BrokerQueue> queues, string service) =>
        queues.Where(queue => Owned(queue.Name, service) && !queue.Name.EndsWith(MigrationSuffix, StringComparison.Ordinal)
                              && queue.Type == "classic" && ShouldBeQuorum(queue.Durable, queue.AutoDelete) && !queue.Exclusive)
            .Select(queue => queue.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>Queues of <paramref name="service"/> whose move was interrupted: their messages wait in the migration queue.</summary>
    public static IReadOnlyList<string> ToResume(IEnumerable<BrokerQueue> queues, string service) =>
        queues.Where(queue => Owned(queue.Name, service) && queue.Name.EndsWith(MigrationSuffix, StringComparison.Ordinal))
            .Select(queue => queue.Name[..^MigrationSuffix.Length]).Order(StringComparer.Ordinal).ToList();

    private static bool Owned(string queue, string service) => queue.StartsWith(service + "-", StringComparison.Ordinal);
}

/// <summary>
/// Moves the service's classic queues to quorum queues before the bus starts, without losing a message:
/// <list type="number">
/// <item>declare <c>Q.quorum-migration</c> (quorum), bind it like Q, unbind Q (so new messages go to the migration queue),</item>
/// <item>move Q's messages there one by one (published with confirmation, then acknowledged), delete the empty Q,</item>
/// <item>declare Q as quorum, bind it, unbind the migration queue, move its messages back and delete it.</item>
/// </list>
/// Every step can be repeated: a crash in the middle leaves either Q (still classic) or the migration queue, and the next
/// start carries on. A message published while both are bound arrives twice, which idempotent consumers absorb; none is
/// dropped, because one of the two queues is bound at every moment. Needs the management API (<c>RabbitMq:ManagementPort</c>)
/// to list the queues; without it, nothing is moved (a classic queue then stops the bus from starting, with the broker's
/// PRECONDITION_FAILED in the log).
/// </summary>
public sealed class QuorumMigration(BrokerConnections broker, string service, ILogger<QuorumMigration> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!broker.HasManagementApi)
        {
            logger.LogDebug("RabbitMq:ManagementPort is not set: classic queues are not looked for");
            return;
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        IReadOnlyList<BrokerQueue> queues;
        try
        {
            queues = await broker.QueuesAsync(http, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The RabbitMQ management API could not list the queues ({Error}): classic queues are not looked for", exception.Message);
            return;
        }
        var migrate = QuorumQueues.ToMigrate(queues, service);
        var resume = QuorumQueues.ToResume(queues, service);
        if (migrate.Count == 0 && resume.Count == 0) return;
        var busy = queues.Where(queue => migrate.Contains(queue.Name) && queue.Consumers > 0).Select(queue => queue.Name).ToList();
        if (busy.Count > 0)
            throw new InvalidOperationException($"Classic queues {string.Join(", ", busy)} still have consumers: stop every older instance of {service} so they can move to quorum queues.");
        await using var connection = await broker.ConnectAsync($"{service} quorum migration", cancellationToken);
        foreach (var queue in migrate)
        {
            var holding = queue + QuorumQueues.MigrationSuffix;
            await using var channel = await ChannelAsync(connection, cancellationToken);
            await channel.QueueDeclareAsync(holding, durable: true, exclusive: false, autoDelete: false, arguments: QuorumQueues.Arguments(), cancellationToken: cancellationToken);
            var moved = await RebindAndMoveAsync(channel, http, queue, holding, cancellationToken);
            moved += await DeleteWhenEmptyAsync(channel, queue, holding, cancellationToken);
            logger.LogInformation("Classic queue {Queue}: {Count} messages moved to {Holding}", queue, moved, holding);
        }
        foreach (var queue in migrate.Union(resume).Distinct())
        {
            var holding = queue + QuorumQueues.MigrationSuffix;
            // A fresh channel: RabbitMQ 3.10 keeps, per channel, the type of each queue it has used by name, and a channel
            // that read the classic queue fails with INTERNAL_ERROR when it publishes to the quorum queue of the same name.
            await using var channel = await ChannelAsync(connection, cancellationToken);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: QuorumQueues.Arguments(), cancellationToken: cancellationToken);
            var moved = await RebindAndMoveAsync(channel, http, holding, queue, cancellationToken);
            moved += await DeleteWhenEmptyAsync(channel, holding, queue, cancellationToken);
            logger.LogInformation("Queue {Queue} is now a quorum queue; {Count} messages moved back into it", queue, moved);
        }
    }

    private static Task<IChannel> ChannelAsync(IConnection connection, CancellationToken cancellationToken) =>
        connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Binds `to` wherever `from` is bound, then unbinds `from`, then moves every message of `from` into `to`.
    private async Task<int> RebindAndMoveAsync(IChannel channel, HttpClient http, string from, string to, CancellationToken cancellationToken)
    {
        var bindings = await broker.BindingsAsync(http, from, cancellationToken);
        foreach (var binding in bindings)
            await channel.QueueBindAsync(to, binding.Source, binding.RoutingKey, binding.Arguments, cancellationToken: cancellationToken);
        foreach (var binding in bindings)
            await channel.QueueUnbindAsync(from, binding.Source, binding.RoutingKey, binding.Arguments, cancellationToken);
        return await MoveAsync(channel, from, to, cancellationToken);
    }

    // Deletes `queue` (no longer bound anywhere) once a passive declaration finds it empty, moving what is left first.
    // Quorum queues refuse queue.delete with if-empty (NOT_IMPLEMENTED), so emptiness is checked here instead.
    private static async Task<int> DeleteWhenEmptyAsync(IChannel channel, string queue, string movedTo, CancellationToken cancellationToken)
    {
        var moved = 0;
        while ((await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount > 0)
            moved += await MoveAsync(channel, queue, movedTo, cancellationToken);
        await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false, cancellationToken: cancellationToken);
        return moved;
    }

    /// <summary>
    /// Moves every message of <paramref name="from"/> into <paramref name="to"/> through the default exchange, each published
    /// (mandatory, confirmed by the broker) before it is acknowledged: a crash in between leaves a copy, never a loss.
    /// </summary>
    public static async Task<int> MoveAsync(IChannel channel, string from, string to, CancellationToken cancellationToken)
    {
        var moved = 0;
        while (await channel.BasicGetAsync(from, autoAck: false, cancellationToken) is { } message)
        {
            await channel.BasicPublishAsync("", to, mandatory: true, new BasicProperties(message.BasicProperties), message.Body, cancellationToken);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
            moved++;
        }
        return moved;
    }
}
