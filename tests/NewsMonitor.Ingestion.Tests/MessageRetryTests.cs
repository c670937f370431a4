using System.Collections.Concurrent;
using System.Net.Sockets;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;
using Npgsql;

namespace NewsMonitor.Ingestion.Tests;

/// <summary>A message the retry tests send; <see cref="FailuresFirst"/> failures of <see cref="Kind"/> come before success.</summary>
public sealed record RetryProbeMessage(Guid Id, string Kind, int FailuresFirst);

/// <summary>Fails each message the way it asks, counting every try.</summary>
public sealed class RetryProbeConsumer(RetryProbeLog log) : IConsumer<RetryProbeMessage>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<RetryProbeMessage> context)
    {
        var message = context.Message;
        var tries = log.Tries.AddOrUpdate(message.Id, 1, (_, count) => count + 1);
        if (tries <= message.FailuresFirst)
        {
            throw message.Kind == "outage"
                ? new NpgsqlException("database restarting", new SocketException((int)SocketError.ConnectionRefused))
                : new InvalidOperationException("a message this consumer cannot handle");
        }
        log.Done[message.Id] = tries;
        return Task.CompletedTask;
    }
}

/// <summary>Records the messages parked in _error (MassTransit publishes a fault for each).</summary>
public sealed class RetryProbeFaultConsumer(RetryProbeLog log) : IConsumer<Fault<RetryProbeMessage>>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<Fault<RetryProbeMessage>> context)
    {
        log.Parked[context.Message.Message.Id] = log.Tries.GetValueOrDefault(context.Message.Message.Id);
        return Task.CompletedTask;
    }
}

/// <summary>What the probe consumers saw, by message id.</summary>
public sealed class RetryProbeLog
{
    public ConcurrentDictionary<Guid, int> Tries { get; } = new();
    public ConcurrentDictionary<Guid, int> Done { get; } = new();
    public ConcurrentDictionary<Guid, int> Parked { get; } = new();
}

/// <summary>
/// The retry policy every service gets from <see cref="MessagingExtensions.AddMessaging"/>, on a real RabbitMQ: a database
/// outage is waited out, anything else is parked after five more tries. The fault suite's PostgreSQL restart found the
/// first untrue: nested the other way round, MassTransit never ran the outage retry.
/// </summary>
public sealed class MessageRetryTests : IAsyncLifetime
{
    private readonly string _virtualHost = TestInfrastructure.UniqueName("retry");
    private readonly RetryProbeLog _log = new();
    private WebApplication? _app;

    public async ValueTask InitializeAsync()
    {
        await TestInfrastructure.CreateVirtualHostAsync(_virtualHost);
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["RabbitMq:Host"] = "127.0.0.1";
        builder.Configuration["RabbitMq:Port"] = TestInfrastructure.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.Configuration["RabbitMq:ManagementPort"] = TestInfrastructure.RabbitManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.Configuration["RabbitMq:VirtualHost"] = _virtualHost;
        builder.Configuration["RabbitMq:Username"] = TestInfrastructure.RabbitUserOf(_virtualHost);
        builder.Configuration["RabbitMq:Password"] = TestInfrastructure.RabbitPassword;
        // A short outage window for the test: 12 tries 100 ms apart. The quick retry (5 tries) stays as shipped.
        builder.Configuration["NewsMonitor:Messaging:OutageRetries"] = "12";
        builder.Configuration["NewsMonitor:Messaging:OutageRetryMilliseconds"] = "100";
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(_log);
        builder.AddMessaging("retryprobe", bus =>
        {
            bus.AddConsumer<RetryProbeConsumer>();
            bus.AddConsumer<RetryProbeFaultConsumer>();
        });
        _app = builder.Build();
        await _app.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await TestInfrastructure.DeleteVirtualHostAsync(_virtualHost);
    }

    private async Task<Guid> PublishAsync(string kind, int failuresFirst)
    {
        var message = new RetryProbeMessage(Guid.NewGuid(), kind, failuresFirst);
        await _app!.Services.GetRequiredService<IPublishEndpoint>().Publish(message, TestContext.Current.CancellationToken);
        return message.Id;
    }

    [Fact]
    public async Task A_database_outage_longer_than_the_quick_retries_is_waited_out_and_the_message_consumed_once()
    {
        // Nine failures: more than the five quick retries allow, fewer than the outage retry's twelve.
        var id = await PublishAsync("outage", failuresFirst: 9);
        await Eventually.TrueAsync(() => Task.FromResult(_log.Done.ContainsKey(id) || _log.Parked.ContainsKey(id)), "the message consumed or parked", TimeSpan.FromSeconds(60));
        Assert.False(_log.Parked.ContainsKey(id), $"parked after {_log.Parked.GetValueOrDefault(id)} tries");
        Assert.Equal(10, _log.Done[id]);
    }

    [Fact]
    public async Task An_outage_that_outlasts_the_wait_is_parked_after_the_outage_tries_only()
    {
        var id = await PublishAsync("outage", failuresFirst: int.MaxValue);
        await Eventually.TrueAsync(() => Task.FromResult(_log.Parked.ContainsKey(id)), "the message parked", TimeSpan.FromSeconds(60));
        // The first try and twelve outage retries; the quick retry does not start again around a given-up outage.
        Assert.Equal(13, _log.Tries[id]);
        Assert.False(_log.Done.ContainsKey(id));
    }

    [Fact]
    public async Task A_message_that_fails_for_any_other_reason_is_parked_after_five_quick_retries()
    {
        var id = await PublishAsync("poison", failuresFirst: int.MaxValue);
        await Eventually.TrueAsync(() => Task.FromResult(_log.Parked.ContainsKey(id)), "the message parked", TimeSpan.FromSeconds(60));
        Assert.Equal(6, _log.Tries[id]);
    }

    [Fact]
    public async Task A_message_that_fails_twice_then_succeeds_is_consumed_once_without_waiting_for_an_outage()
    {
        var id = await PublishAsync("poison", failuresFirst: 2);
        await Eventually.TrueAsync(() => Task.FromResult(_log.Done.ContainsKey(id)), "the message consumed", TimeSpan.FromSeconds(60));
        Assert.Equal(3, _log.Done[id]);
        Assert.False(_log.Parked.ContainsKey(id));
    }
}
