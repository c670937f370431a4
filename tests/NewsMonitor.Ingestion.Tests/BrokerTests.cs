using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit.UsageTracking;
using Microsoft.Extensions.DependencyInjection;
using NewsMonitor.Contracts;
using NewsMonitor.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace NewsMonitor.Ingestion.Tests;

/// <summary>The ingestion service in a virtual host that also has its integrator account.</summary>
public sealed class BrokerFixture() : ServiceFixture<Program>("broker")
{
    protected override Type[] ProbedMessages => [typeof(ArticleReceived)];

    protected override bool IntegratorAccount => true;
}

/// <summary>
/// What the RabbitMQ node lets each account do, with the raw AMQP client an integrator in any language would use:
/// no <c>guest</c>; the integrator consumes from its own queues and nothing more; the service account stays in its
/// virtual host; and what the service publishes names its type in the AMQP <c>type</c> property.
/// The accounts are made per class by <see cref="TestInfrastructure.CreateVirtualHostAsync"/> through
/// deploy/local/rabbitmq-vhost, with the rights deploy/local/infra gives the node's own accounts.
/// </summary>
public sealed class BrokerTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private const string ArticleReceivedExchange = "NewsMonitor.Contracts:ArticleReceived";
    private const ushort AccessRefused = 403;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private Task<IConnection> IntegratorAsync() => ConnectAsync(fixture.VirtualHost, TestInfrastructure.RabbitIntegratorOf(fixture.VirtualHost));

    private Task<IConnection> ServiceAsync() => ConnectAsync(fixture.VirtualHost, TestInfrastructure.RabbitUserOf(fixture.VirtualHost));

    private static Task<IConnection> ConnectAsync(string virtualHost, string user, string? password = null) => new ConnectionFactory
    {
        HostName = "127.0.0.1",
        Port = TestInfrastructure.RabbitPort,
        VirtualHost = virtualHost,
        UserName = user,
        Password = password ?? TestInfrastructure.RabbitPassword,
        AutomaticRecoveryEnabled = false,
    }.CreateConnectionAsync(Cancellation);

    [Fact]
    public async Task Guest_cannot_log_in()
    {
        var refused = await Assert.ThrowsAsync<BrokerUnreachableException>(async () => { await using var connection = await ConnectAsync("/", "guest", "guest"); });
        Assert.IsType<AuthenticationFailureException>(refused.InnerException);
    }

    [Fact]
    public async Task An_integrator_queue_bound_to_an_event_exchange_receives_what_the_service_publishes_with_its_AMQP_type()
    {
        await using var connection = await IntegratorAsync();
        await using var channel = await connection.CreateChannelAsync(cancellationToken: Cancellation);
        var queue = $"integrator.{Guid.NewGuid():N}";
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true, cancellationToken: Cancellation);
        await channel.QueueBindAsync(queue, ArticleReceivedExchange, routingKey: "", cancellationToken: Cancellation);
        var deliveries = System.Threading.Channels.Channel.CreateUnbounded<(string? Type, JsonElement Envelope)>();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            // The body is only valid inside the handler.
            deliveries.Writer.TryWrite((delivery.BasicProperties.Type, JsonDocument.Parse(delivery.Body).RootElement.Clone()));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer, Cancellation);

        var response = await fixture.Client.PostAsJsonAsync("/api/v1/articles",
            new { title = "قمة الناتو", body = "اجتمع قادة حلف شمال الأطلسي. " + Guid.NewGuid() }, Cancellation);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetString();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        (string? Type, JsonElement Envelope) received;
        do received = await deliveries.Reader.ReadAsync(timeout.Token);
        while (received.Envelope.GetProperty("message").GetProperty("articleId").GetString() != id);

        Assert.Equal("urn:message:NewsMonitor.Contracts:ArticleReceived", received.Type);
        Assert.Equal(received.Type, received.Envelope.GetProperty("messageType")[0].GetString());
    }

    [Fact]
    public async Task The_integrator_cannot_publish_nor_declare_delete_or_read_what_is_not_its_own()
    {
        await using (var service = await ServiceAsync())
        await using (var channel = await service.CreateChannelAsync(cancellationToken: Cancellation))
        {
            // Present as MassTransit declares it, so a refusal below is about rights, not a missing exchange.
            await channel.ExchangeDeclareAsync("NewsMonitor.Contracts:AlertRaised", ExchangeType.Fanout, durable: true, cancellationToken: Cancellation);
        }
        await using var connection = await IntegratorAsync();
        var own = $"integrator.{Guid.NewGuid():N}";
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: Cancellation))
        {
            await channel.QueueDeclareAsync(own, durable: false, exclusive: false, autoDelete: true, cancellationToken: Cancellation);
        }
        var body = Encoding.UTF8.GetBytes("""{"message":{"title":"forged"}}""");

        await RefusedAsync(connection, "publish to an event exchange", channel => channel.BasicPublishAsync(ArticleReceivedExchange, "", body, Cancellation).AsTask());
        await RefusedAsync(connection, "publish to a service queue through the default exchange", channel => channel.BasicPublishAsync("", "test-probe", body, Cancellation).AsTask());
        await RefusedAsync(connection, "declare a queue not named integrator.*", channel =>
            channel.QueueDeclareAsync("ingestion-forged", durable: true, exclusive: false, autoDelete: false, cancellationToken: Cancellation));
        await RefusedAsync(connection, "declare an exchange among ours", channel =>
            channel.ExchangeDeclareAsync("NewsMonitor.Contracts:Forged", ExchangeType.Fanout, durable: true, cancellationToken: Cancellation));
        await RefusedAsync(connection, "delete a service queue", channel => channel.QueueDeleteAsync("test-probe", false, false, cancellationToken: Cancellation));
        await RefusedAsync(connection, "delete an event exchange", channel => channel.ExchangeDeleteAsync(ArticleReceivedExchange, cancellationToken: Cancellation));
        await RefusedAsync(connection, "consume a service queue", channel =>
            channel.BasicConsumeAsync("test-probe", autoAck: true, new AsyncEventingBasicConsumer(channel), Cancellation));
        await RefusedAsync(connection, "bind to the alerts, which carry subscribers' tenants", channel =>
            channel.QueueBindAsync(own, "NewsMonitor.Contracts:AlertRaised", "", cancellationToken: Cancellation));
        await RefusedAsync(connection, "bind to IIntegrationEvent, which carries the alerts too", channel =>
            channel.QueueBindAsync(own, "NewsMonitor.Contracts:IIntegrationEvent", "", cancellationToken: Cancellation));

        // The service's queue survived, and the integrator has no door into the management API either.
        await using (var service = await ServiceAsync())
        await using (var channel = await service.CreateChannelAsync(cancellationToken: Cancellation))
        {
            await channel.QueueDeclarePassiveAsync("test-probe", Cancellation);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await ManagementAsync($"/api/queues/{fixture.VirtualHost}", TestInfrastructure.RabbitIntegratorOf(fixture.VirtualHost)));
    }

    [Fact]
    public async Task The_service_account_reaches_its_own_virtual_host_only_and_reads_queue_depths_there()
    {
        var other = TestInfrastructure.UniqueName("other");
        await TestInfrastructure.CreateVirtualHostAsync(other);
        try
        {
            foreach (var user in new[] { TestInfrastructure.RabbitUserOf(fixture.VirtualHost), TestInfrastructure.RabbitIntegratorOf(fixture.VirtualHost) })
            {
                Assert.Contains($"NOT_ALLOWED - access to vhost '{other}' refused", await RefusedVirtualHostAsync(other, user), StringComparison.Ordinal);
                Assert.NotEqual(HttpStatusCode.OK, await ManagementAsync($"/api/queues/{other}", user));
            }
            var service = TestInfrastructure.RabbitUserOf(fixture.VirtualHost);
            Assert.Equal(HttpStatusCode.OK, await ManagementAsync($"/api/queues/{fixture.VirtualHost}", service));
            Assert.Equal(HttpStatusCode.Unauthorized, await ManagementAsync("/api/users", service));
        }
        finally
        {
            await TestInfrastructure.DeleteVirtualHostAsync(other);
        }
    }

    [Fact]
    public void MassTransit_usage_telemetry_is_off()
    {
        var tracker = Assert.IsType<UsageTracker>(fixture.Service.Services.GetRequiredService<IUsageTracker>());
        Assert.False(tracker.Enabled);
    }

    private static async Task RefusedAsync(IConnection connection, string what, Func<IChannel, Task> operation)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: Cancellation);
        try
        {
            await operation(channel);
        }
        catch (OperationInterruptedException)
        {
            // Synchronous methods fail here; a publish has no answer, and the broker closes the channel after it.
        }
        await Eventually.TrueAsync(() => Task.FromResult(channel.CloseReason is not null), $"the broker's answer to: {what}", TimeSpan.FromSeconds(10));
        Assert.True(channel.CloseReason!.ReplyCode == AccessRefused, $"{what}: expected 403 ACCESS_REFUSED, got {channel.CloseReason.ReplyCode} {channel.CloseReason.ReplyText}");
    }

    // The client may hand out the connection before the broker's refusal arrives; the first channel then fails.
    private static async Task<string> RefusedVirtualHostAsync(string virtualHost, string user)
    {
        try
        {
            await using var connection = await ConnectAsync(virtualHost, user);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: Cancellation);
            await channel.ExchangeDeclarePassiveAsync("amq.fanout", Cancellation);
        }
        catch (Exception exception) when (exception is BrokerUnreachableException or OperationInterruptedException)
        {
            return Flatten(exception);
        }
        Assert.Fail($"{user} opened a channel in virtual host {virtualHost}.");
        return "";
    }

    private static async Task<HttpStatusCode> ManagementAsync(string path, string user)
    {
        using var client = TestInfrastructure.RabbitManagementClient(user);
        using var response = await client.GetAsync(path, Cancellation);
        return response.StatusCode;
    }

    private static string Flatten(Exception exception) => exception.InnerException is null ? exception.Message : exception.Message + " | " + Flatten(exception.InnerException);
}
