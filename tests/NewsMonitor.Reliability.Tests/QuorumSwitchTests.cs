using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace NewsMonitor.Reliability.Tests;

/// <summary>
/// The switch from classic to quorum queues on a node that ran the previous version: its classic queues, with messages in
/// them and publishers still publishing, are moved before the bus starts (<see cref="QuorumMigration"/>); every message
/// arrives in the quorum queue of the same name, which MassTransit can then declare as it now does.
/// </summary>
public sealed class QuorumSwitchTests : IAsyncLifetime
{
    private const string Service = "ingestion";
    private const string Queue = "ingestion-article-classified";
    private const string MessageExchange = "NewsMonitor.Contracts:ArticleClassified";

    private readonly string _vhost = TestInfrastructure.UniqueName("quorum");
    private IConnection _connection = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private BrokerConnections Broker => new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["RabbitMq:Host"] = "127.0.0.1",
        ["RabbitMq:Port"] = TestInfrastructure.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RabbitMq:ManagementPort"] = TestInfrastructure.RabbitManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RabbitMq:VirtualHost"] = _vhost,
        ["RabbitMq:Username"] = TestInfrastructure.RabbitUserOf(_vhost),
        ["RabbitMq:Password"] = TestInfrastructure.RabbitPassword,
    }).Build());

    public async ValueTask InitializeAsync()
    {
        await TestInfrastructure.CreateVirtualHostAsync(_vhost);
        _connection = await Broker.ConnectAsync("quorum switch test", Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        await TestInfrastructure.DeleteVirtualHostAsync(_vhost);
    }

    private Task<IChannel> ConfirmingChannelAsync() =>
        _connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), Cancel);

    // The topology MassTransit declared before issue 16: message-type exchange → endpoint exchange → classic queue, and the
    // endpoint's classic _error queue.
    private async Task DeclareClassicTopologyAsync(IChannel channel)
    {
        await channel.ExchangeDeclareAsync(MessageExchange, ExchangeType.Fanout, durable: true, cancellationToken: Cancel);
        await channel.ExchangeDeclareAsync(Queue, ExchangeType.Fanout, durable: true, cancellationToken: Cancel);
        await channel.ExchangeBindAsync(Queue, MessageExchange, "", cancellationToken: Cancel);
        await channel.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: Cancel);
        await channel.QueueBindAsync(Queue, Queue, "", cancellationToken: Cancel);
        await channel.ExchangeDeclareAsync(Queue + "_error", ExchangeType.Fanout, durable: true, cancellationToken: Cancel);
        await channel.QueueDeclareAsync(Queue + "_error", durable: true, exclusive: false, autoDelete: false, cancellationToken: Cancel);
        await channel.QueueBindAsync(Queue + "_error", Queue + "_error", "", cancellationToken: Cancel);
    }

    private static async Task PublishAsync(IChannel channel, string exchange, string body) =>
        await channel.BasicPublishAsync(exchange, "", mandatory: false, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes(body), Cancel);

    private async Task<List<string>> DrainAsync(string queue)
    {
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: Cancel);
        var bodies = new List<string>();
        while (await channel.BasicGetAsync(queue, autoAck: true, Cancel) is { } message) bodies.Add(Encoding.UTF8.GetString(message.Body.Span));
        return bodies;
    }

    private async Task<BrokerQueue?> QueueAsync(string name)
    {
        using var http = new HttpClient();
        return (await Broker.QueuesAsync(http, Cancel)).SingleOrDefault(queue => queue.Name == name);
    }

    [Fact]
    public async Task Classic_queues_with_messages_become_quorum_queues_while_publishers_publish_and_no_message_is_lost()
    {
        await using var channel = await ConfirmingChannelAsync();
        await DeclareClassicTopologyAsync(channel);
        var before = Enumerable.Range(0, 500).Select(i => $"before-{i}").ToList();
        foreach (var body in before) await PublishAsync(channel, MessageExchange, body);
        var errors = Enumerable.Range(0, 20).Select(i => $"error-{i}").ToList();
        foreach (var body in errors) await PublishAsync(channel, Queue + "_error", body);

        // What the new version's bus would do without the move: the broker refuses to declare the queue as quorum.
        await using (var probe = await _connection.CreateChannelAsync(cancellationToken: Cancel))
        {
            var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() =>
                probe.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false, arguments: QuorumQueues.Arguments(), cancellationToken: Cancel));
            Assert.Contains("x-queue-type", refused.Message, StringComparison.Ordinal);
        }

        // A publisher (another service's relay) keeps publishing while the queues move.
        using var stop = new CancellationTokenSource();
        var during = new List<string>();
        var publisher = Task.Run(async () =>
        {
            await using var publishing = await ConfirmingChannelAsync();
            for (var i = 0; !stop.IsCancellationRequested || i < 50; i++)
            {
                var body = $"during-{i}";
                await PublishAsync(publishing, MessageExchange, body);
                during.Add(body);
                await Task.Delay(2, Cancel);
            }
        }, Cancel);
        await Task.Delay(50, Cancel);
        await new QuorumMigration(Broker, Service, NullLogger<QuorumMigration>.Instance).StartAsync(Cancel);
        await stop.CancelAsync();
        await publisher;
        await PublishAsync(channel, MessageExchange, "after");

        Assert.Equal("quorum", (await QueueAsync(Queue))?.Type);
        Assert.Equal("quorum", (await QueueAsync(Queue + "_error"))?.Type);
        Assert.Null(await QueueAsync(Queue + QuorumQueues.MigrationSuffix));
        // MassTransit's declaration (quorum) is now the queue's own.
        await channel.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false, arguments: QuorumQueues.Arguments(), cancellationToken: Cancel);

        var arrived = await DrainAsync(Queue);
        var missing = before.Concat(during).Append("after").Except(arrived).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} messages lost, e.g. {string.Join(", ", missing.Take(5))}");
        // Only a message published in the instant both queues were bound may arrive twice (consumers are idempotent); what
        // waited in the classic queue is moved exactly once.
        var twice = arrived.GroupBy(body => body).Where(group => group.Count() > 1).Select(group => group.Key).ToList();
        Assert.All(twice, body => Assert.StartsWith("during-", body, StringComparison.Ordinal));
        Assert.All(arrived.GroupBy(body => body), group => Assert.True(group.Count() <= 2, $"{group.Key} arrived {group.Count()} times"));
        TestContext.Current.SendDiagnosticMessage($"{before.Count} queued and {during.Count} published during the move: {arrived.Count} arrived, {arrived.Count - arrived.Distinct().Count()} twice");
        Assert.Equal(errors.Order(), (await DrainAsync(Queue + "_error")).Order());
    }

    [Fact]
    public async Task A_move_interrupted_after_the_classic_queue_was_deleted_is_finished_at_the_next_start()
    {
        await using var channel = await ConfirmingChannelAsync();
        await DeclareClassicTopologyAsync(channel);
        // The state a crash leaves between deleting the classic queue and declaring the quorum one: the messages and the
        // binding are on the migration queue only.
        var holding = Queue + QuorumQueues.MigrationSuffix;
        await channel.QueueDeclareAsync(holding, durable: true, exclusive: false, autoDelete: false, arguments: QuorumQueues.Arguments(), cancellationToken: Cancel);
        await channel.QueueBindAsync(holding, Queue, "", cancellationToken: Cancel);
        await channel.QueueUnbindAsync(Queue, Queue, "", cancellationToken: Cancel);
        var waiting = Enumerable.Range(0, 100).Select(i => $"waiting-{i}").ToList();
        foreach (var body in waiting) await PublishAsync(channel, MessageExchange, body);
        await channel.QueueDeleteAsync(Queue, cancellationToken: Cancel);

        await new QuorumMigration(Broker, Service, NullLogger<QuorumMigration>.Instance).StartAsync(Cancel);
        await PublishAsync(channel, MessageExchange, "after");

        Assert.Equal("quorum", (await QueueAsync(Queue))?.Type);
        Assert.Null(await QueueAsync(holding));
        Assert.Equal(waiting.Append("after").Order(), (await DrainAsync(Queue)).Order());
    }
}
