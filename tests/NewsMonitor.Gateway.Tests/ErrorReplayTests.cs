using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using NewsMonitor.Gateway.Health;
using NewsMonitor.Testing;
using RabbitMQ.Client;

namespace NewsMonitor.Gateway.Tests;

/// <summary>A message a test consumer fails on while its id is poisoned.</summary>
public sealed record ReplayProbe(Guid Id, int N);

/// <summary>
/// The gateway with the RabbitMQ settings of a virtual host of its own, a MassTransit bus in that vhost whose test
/// consumers fail on poisoned ids (so MassTransit parks those messages in <c>_error</c> queues), and a second vhost
/// standing for someone else's.
/// </summary>
public sealed class ErrorReplayFixture : IAsyncLifetime
{
    public GatewayFixture Gateways { get; } = new();

    public string VirtualHost { get; } = TestInfrastructure.UniqueName("replay");

    public string OtherVirtualHost { get; } = TestInfrastructure.UniqueName("replayx");

    public WebApplicationFactory<Program> Gateway { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public IBusControl Bus { get; private set; } = null!;

    /// <summary>Ids the test consumers throw on: the cause an operator fixes before replaying.</summary>
    public ConcurrentDictionary<Guid, bool> Poisoned { get; } = new();

    public async ValueTask InitializeAsync()
    {
        await TestInfrastructure.CreateVirtualHostAsync(VirtualHost);
        await TestInfrastructure.CreateVirtualHostAsync(OtherVirtualHost);
        await Gateways.InitializeAsync();
        Gateway = Gateways.CreateGateway(Gateways.Addresses, new Dictionary<string, string>
        {
            ["RabbitMq:Host"] = "127.0.0.1",
            ["RabbitMq:Port"] = TestInfrastructure.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RabbitMq:ManagementPort"] = TestInfrastructure.RabbitManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RabbitMq:VirtualHost"] = VirtualHost,
            ["RabbitMq:Username"] = TestInfrastructure.RabbitUserOf(VirtualHost),
            ["RabbitMq:Password"] = TestInfrastructure.RabbitPassword,
        });
        Client = Gateway.CreateClient();
        Client.DefaultRequestHeaders.Add("X-Api-Key", GatewayFixture.OperatorKey);
        Bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host("127.0.0.1", TestInfrastructure.RabbitPort, VirtualHost, host =>
        {
            host.Username(TestInfrastructure.RabbitUserOf(VirtualHost));
            host.Password(TestInfrastructure.RabbitPassword);
        }));
        await Bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
    }

    /// <summary>A connection to <paramref name="virtualHost"/> as its service account, to look into queues directly.</summary>
    public static Task<IConnection> ConnectAsync(string virtualHost) => new ConnectionFactory
    {
        HostName = "127.0.0.1", Port = TestInfrastructure.RabbitPort, VirtualHost = virtualHost,
        UserName = TestInfrastructure.RabbitUserOf(virtualHost), Password = TestInfrastructure.RabbitPassword,
    }.CreateConnectionAsync();

    /// <summary>Messages ready in <paramref name="queue"/> of <paramref name="virtualHost"/> (exact, from the broker); 0 while it does not exist.</summary>
    public static async Task<uint> CountAsync(string virtualHost, string queue)
    {
        await using var connection = await ConnectAsync(virtualHost);
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException exception) when (exception.ShutdownReason?.ReplyCode == Constants.NotFound)
        {
            // MassTransit declares the error queue with the first message it parks there.
            return 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Bus.StopAsync();
        await Gateway.DisposeAsync();
        await Gateways.DisposeAsync();
        await TestInfrastructure.DeleteVirtualHostAsync(VirtualHost);
        await TestInfrastructure.DeleteVirtualHostAsync(OtherVirtualHost);
    }
}

/// <summary>
/// <c>POST /api/v1/ops/errors/{queue}/replay</c> against the real RabbitMQ: poison messages parked by MassTransit go
/// back to their work queue once, without their fault headers, and nothing outside the named queue of the gateway's
/// own vhost is ever touched.
/// </summary>
public sealed class ErrorReplayTests(ErrorReplayFixture fixture) : IClassFixture<ErrorReplayFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private sealed record Delivery(Guid Id, Guid? MessageId, string[] Headers);

    /// <summary>A work queue of this test only, consumed one message at a time by a consumer that fails on poisoned ids.</summary>
    private async Task<(string Queue, ConcurrentQueue<Delivery> Consumed)> WorkQueueAsync()
    {
        var queue = $"replay-{Guid.NewGuid():N}"[..19];
        var consumed = new ConcurrentQueue<Delivery>();
        var handle = fixture.Bus.ConnectReceiveEndpoint(queue, endpoint =>
        {
            endpoint.PrefetchCount = 1;
            endpoint.ConcurrentMessageLimit = 1;
            // No retry: a failure parks the message in queue_error at once.
            endpoint.Handler<ReplayProbe>(context =>
            {
                if (fixture.Poisoned.ContainsKey(context.Message.Id)) throw new InvalidOperationException($"poisoned {context.Message.Id}");
                consumed.Enqueue(new Delivery(context.Message.Id, context.MessageId, context.ReceiveContext.TransportHeaders.GetAll().Select(header => header.Key).ToArray()));
                return Task.CompletedTask;
            });
        });
        await handle.Ready;
        return (queue, consumed);
    }

    /// <summary>Sends <paramref name="count"/> poisoned messages to <paramref name="queue"/> and waits until all are parked in its error queue.</summary>
    private async Task<Dictionary<Guid, Guid>> ParkAsync(string queue, int count)
    {
        var sent = new Dictionary<Guid, Guid>();
        var endpoint = await fixture.Bus.GetSendEndpoint(new Uri($"queue:{queue}"));
        for (var n = 0; n < count; n++)
        {
            var (id, messageId) = (Guid.NewGuid(), NewId.NextGuid());
            fixture.Poisoned[id] = true;
            sent[id] = messageId;
            await endpoint.Send(new ReplayProbe(id, n), context => context.MessageId = messageId, Cancel);
        }
        await Eventually.TrueAsync(async () => await ErrorReplayFixture.CountAsync(fixture.VirtualHost, queue + "_error") == count, $"{count} messages parked in {queue}_error");
        return sent;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, string? MediaType)> ReplayAsync(string name, string query = "", HttpClient? client = null)
    {
        var response = await (client ?? fixture.Client).PostAsync($"/api/v1/ops/errors/{name}/replay{query}", null, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement, response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<long?> OpsStatusCountAsync(string queue)
    {
        var status = await fixture.Client.GetFromJsonAsync<JsonElement>("/api/v1/ops/status", Cancel);
        var entry = status.GetProperty("errorQueues").EnumerateArray().FirstOrDefault(item => item.GetProperty("queue").GetString() == queue);
        return entry.ValueKind == JsonValueKind.Undefined ? null : entry.GetProperty("messages").GetInt64();
    }

    [Fact]
    public async Task Parked_messages_go_back_to_their_queue_once_each_without_fault_headers_and_the_error_queue_empties()
    {
        var (queue, consumed) = await WorkQueueAsync();
        var sent = await ParkAsync(queue, 5);

        // Parked with MassTransit's fault headers: what the replay has to take off.
        await using (var connection = await ErrorReplayFixture.ConnectAsync(fixture.VirtualHost))
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: Cancel))
        {
            var parked = await channel.BasicGetAsync(queue + "_error", autoAck: false, Cancel);
            Assert.NotNull(parked);
            Assert.Contains(parked!.BasicProperties.Headers!.Keys, key => key.StartsWith("MT-Fault-", StringComparison.Ordinal));
            Assert.Contains("MT-Reason", parked.BasicProperties.Headers!.Keys);
            await channel.BasicNackAsync(parked.DeliveryTag, multiple: false, requeue: true, Cancel);
        }
        // The operations page sees them, per queue and in the total.
        await Eventually.TrueAsync(async () => await OpsStatusCountAsync(queue) == 5, "ops status counting 5 in the error queue", TimeSpan.FromSeconds(60));

        // The cause is fixed; the operator replays, naming the error queue (the work queue's name works too, below).
        foreach (var id in sent.Keys) fixture.Poisoned.TryRemove(id, out _);
        var (status, body, _) = await ReplayAsync(queue + "_error");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(queue, body.GetProperty("queue").GetString());
        Assert.Equal(queue + "_error", body.GetProperty("errorQueue").GetString());
        Assert.Equal(5, body.GetProperty("replayed").GetInt64());

        // Each consumed, then a marker through the same queue (one at a time, in order) proves nothing else follows.
        await Eventually.TrueAsync(() => Task.FromResult(sent.Keys.All(id => consumed.Any(delivery => delivery.Id == id))), "every replayed message consumed");
        var marker = Guid.NewGuid();
        await (await fixture.Bus.GetSendEndpoint(new Uri($"queue:{queue}"))).Send(new ReplayProbe(marker, -1), Cancel);
        await Eventually.TrueAsync(() => Task.FromResult(consumed.Any(delivery => delivery.Id == marker)), "the marker behind the replayed messages");
        foreach (var (id, messageId) in sent)
        {
            var delivery = Assert.Single(consumed, delivery => delivery.Id == id);
            Assert.Equal(messageId, delivery.MessageId);
            Assert.DoesNotContain(delivery.Headers, ErrorQueues.IsFaultHeader);
        }
        Assert.Equal(0u, await ErrorReplayFixture.CountAsync(fixture.VirtualHost, queue + "_error"));
        await Eventually.TrueAsync(async () => await OpsStatusCountAsync(queue) == 0, "ops status counting 0 after the replay", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_message_that_fails_again_at_once_returns_to_the_error_queue_and_the_replay_ends()
    {
        var (queue, consumed) = await WorkQueueAsync();
        await ParkAsync(queue, 3);

        // The cause is not fixed: each replayed message fails again and is parked again behind the ones still waiting.
        var (status, body, _) = await ReplayAsync(queue);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, body.GetProperty("replayed").GetInt64());
        await Eventually.TrueAsync(async () => await ErrorReplayFixture.CountAsync(fixture.VirtualHost, queue + "_error") == 3, "the 3 parked again");
        Assert.Empty(consumed);
    }

    [Fact]
    public async Task A_limit_replays_that_many_and_leaves_the_rest()
    {
        var (queue, consumed) = await WorkQueueAsync();
        var sent = await ParkAsync(queue, 4);
        foreach (var id in sent.Keys) fixture.Poisoned.TryRemove(id, out _);

        var (status, body, _) = await ReplayAsync(queue, "?limit=2");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("replayed").GetInt64());
        await Eventually.TrueAsync(() => Task.FromResult(consumed.Count == 2), "the 2 replayed consumed");
        Assert.Equal(2u, await ErrorReplayFixture.CountAsync(fixture.VirtualHost, queue + "_error"));

        var (bad, problem, mediaType) = await ReplayAsync(queue, "?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("application/problem+json", mediaType);
        Assert.True(problem.GetProperty("errors").TryGetProperty("limit", out _));
    }

    [Fact]
    public async Task Hostile_and_foreign_names_are_refused_and_touch_nothing()
    {
        var (queue, _) = await WorkQueueAsync();
        await ParkAsync(queue, 1);
        // Someone else's vhost holds a work queue and a parked message under a name that is valid here.
        await using (var connection = await ErrorReplayFixture.ConnectAsync(fixture.OtherVirtualHost))
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: Cancel))
        {
            await channel.QueueDeclareAsync("other-work", durable: true, exclusive: false, autoDelete: false, cancellationToken: Cancel);
            await channel.QueueDeclareAsync("other-work_error", durable: true, exclusive: false, autoDelete: false, cancellationToken: Cancel);
            await channel.BasicPublishAsync("", "other-work_error", Encoding.UTF8.GetBytes("{}"), Cancel);
            // A queue of our vhost without an error queue, and an error queue without its work queue.
        }
        await using (var connection = await ErrorReplayFixture.ConnectAsync(fixture.VirtualHost))
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: Cancel))
        {
            await channel.QueueDeclareAsync("lonely-work", durable: true, exclusive: false, autoDelete: false, cancellationToken: Cancel);
            await channel.QueueDeclareAsync("orphan_error", durable: true, exclusive: false, autoDelete: false, cancellationToken: Cancel);
            await channel.BasicPublishAsync("", "orphan_error", Encoding.UTF8.GetBytes("{}"), Cancel);
        }
        await Eventually.TrueAsync(async () => await ErrorReplayFixture.CountAsync(fixture.OtherVirtualHost, "other-work_error") == 1, "the foreign parked message");

        var refused = new[]
        {
            "..%2F" + queue, "%2e%2e%2F" + queue, queue.ToUpperInvariant(), queue + "_ERROR", queue + "_error_error",
            "amq.direct", "amq.gen-abc", "AMQ.gen-x", new string('a', 300), "-" + queue, queue + "%0A", "%20" + queue,
            queue + "%2F..%2Fother-work", "other-work", "other-work_error", "lonely-work", "orphan", "orphan_error", "nothing-here",
        };
        foreach (var name in refused)
        {
            var (status, _, mediaType) = await ReplayAsync(name);
            Assert.True(status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{name}: {(int)status}");
            Assert.Equal("application/problem+json", mediaType);
        }
        var (badName, problem, _) = await ReplayAsync(queue.ToUpperInvariant());
        Assert.Equal(HttpStatusCode.BadRequest, badName);
        Assert.True(problem.GetProperty("errors").TryGetProperty("queue", out _));

        Assert.Equal(1u, await ErrorReplayFixture.CountAsync(fixture.VirtualHost, queue + "_error"));
        Assert.Equal(1u, await ErrorReplayFixture.CountAsync(fixture.VirtualHost, "orphan_error"));
        Assert.Equal(1u, await ErrorReplayFixture.CountAsync(fixture.OtherVirtualHost, "other-work_error"));
        Assert.Equal(0u, await ErrorReplayFixture.CountAsync(fixture.OtherVirtualHost, "other-work"));
    }

    [Theory]
    [InlineData("integrator", "default")]
    [InlineData("subscriber", "replay-tenant")]
    public async Task Only_operators_may_replay(string role, string tenant)
    {
        var (queue, _) = await WorkQueueAsync();
        await ParkAsync(queue, 1);
        var issued = await fixture.Client.PostAsJsonAsync("/api/v1/keys", new { role, tenant, name = $"replay {role}" }, Cancel);
        var key = (await issued.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("key").GetString();
        var client = fixture.Gateway.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        var (status, _, _) = await ReplayAsync(queue, client: client);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        var (anonymous, _, _) = await ReplayAsync(queue, client: fixture.Gateway.CreateClient());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous);
        Assert.Equal(1u, await ErrorReplayFixture.CountAsync(fixture.VirtualHost, queue + "_error"));
    }
}

/// <summary>The pure part: which names a replay may act on and which headers it takes off.</summary>
public sealed class ErrorQueueNameTests
{
    [Theory]
    [InlineData("alerting-article-facts", "alerting-article-facts")]
    [InlineData("alerting-article-facts_error", "alerting-article-facts")]
    [InlineData("a", "a")]
    [InlineData("v1.queue-2_error", "v1.queue-2")]
    public void Work_and_error_queue_names_parse_to_the_work_queue(string name, string queue)
    {
        Assert.True(ErrorQueues.TryParse(name, out var work, out var error));
        Assert.Equal(queue, work);
        Assert.Equal(queue + "_error", error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Alerting")]
    [InlineData("x_ERROR")]
    [InlineData("x_error_error")]
    [InlineData("x_skipped")]
    [InlineData("../x")]
    [InlineData("..")]
    [InlineData("x%2Fy")]
    [InlineData("x/y")]
    [InlineData("amq.direct")]
    [InlineData("amq.gen-abc_error")]
    [InlineData("-x")]
    [InlineData(".x")]
    [InlineData("x\n")]
    [InlineData("x y")]
    [InlineData("ｘ")]
    public void Other_names_are_refused(string? name) => Assert.False(ErrorQueues.TryParse(name, out _, out _));

    [Fact]
    public void Names_longer_than_201_characters_before_the_suffix_are_refused()
    {
        Assert.True(ErrorQueues.TryParse(new string('a', 201) + "_error", out _, out _));
        Assert.False(ErrorQueues.TryParse(new string('a', 202), out _, out _));
        Assert.False(ErrorQueues.TryParse(new string('a', 300), out _, out _));
    }

    [Fact]
    public void Fault_headers_are_removed_and_the_others_kept()
    {
        var headers = new Dictionary<string, object?>
        {
            ["MT-Fault-ExceptionType"] = "x", ["MT-Fault-Message"] = "x", ["MT-Fault-StackTrace"] = "x", ["MT-Fault-Timestamp"] = "x",
            ["MT-Fault-ConsumerType"] = "x", ["MT-Fault-MessageType"] = "x", ["MT-Fault-RetryCount"] = 5, ["MT-Reason"] = "fault",
            ["MT-Host-MachineName"] = "x", ["MT-Host-ProcessId"] = 1, ["mt-host-assembly"] = "x",
            ["MT-Fault-Address"] = "queue:faults", ["MT-Activity-Id"] = "a", ["traceparent"] = "00-x", ["custom"] = 7,
        };
        Assert.Equal(["MT-Activity-Id", "MT-Fault-Address", "custom", "traceparent"], ErrorQueues.WithoutFaultHeaders(headers)!.Keys.Order(StringComparer.Ordinal));
        Assert.Null(ErrorQueues.WithoutFaultHeaders(null));
    }

    [Fact]
    public void Error_queue_counts_name_their_work_queue()
    {
        var counts = ErrorQueues.Counts([new QueueDepth("b-work", 3, 0, 1, false), new QueueDepth("b-work_error", 2, 1, 0, true), new QueueDepth("a_error", 0, 0, 0, true)]);
        Assert.Equal([new ErrorQueueCount("a", "a_error", 0), new ErrorQueueCount("b-work", "b-work_error", 2)], counts);
    }
}

/// <summary>The pure part of the rebuild endpoint: which projection names it accepts.</summary>
public sealed class ProjectionNameTests
{
    [Theory]
    [InlineData("TopicBucket", "TopicBucket")]
    [InlineData("TopicBucket:All", "TopicBucket")]
    [InlineData("classification-relay:All", "classification-relay")]
    [InlineData("Entity.Profile_2", "Entity.Profile_2")]
    public void Names_as_ops_status_lists_them_are_accepted_with_or_without_the_shard_suffix(string name, string projection)
    {
        Assert.True(ProjectionRebuild.TryParse(name, out var parsed));
        Assert.Equal(projection, parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(":All")]
    [InlineData("TopicBucket:1")]
    [InlineData("TopicBucket:All:All")]
    [InlineData("../internal")]
    [InlineData("a/b")]
    [InlineData("a%2Fb")]
    [InlineData(".hidden")]
    [InlineData("x\n")]
    [InlineData("x y")]
    public void Other_names_are_refused(string? name) => Assert.False(ProjectionRebuild.TryParse(name, out _));
}
