using System.Reflection;
using JasperFx.Events;
using JasperFx.Events.Projections;
using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Ingestion.Tests;

/// <summary>
/// The relay's answer to a publish whose confirm never comes (RabbitMQ.Client 7 after a broker outage, seen in A07): it
/// publishes again once <see cref="IntegrationEventRelay.PublishTimeout"/> has passed, and stops only with the daemon.
/// The bus here is a stand-in that hangs on chosen publishes; the real broker path is the fault suite's (A07).
/// </summary>
public sealed class RelayPublishTimeoutTests
{
    /// <summary>A bus whose first <c>hangs</c> publishes wait until cancelled, like a confirm that never comes.</summary>
    public class HangingBus : DispatchProxy
    {
        public int Hangs { get; set; }

        public List<(object Message, bool Completed)> Publishes { get; } = [];

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name != "Publish" || targetMethod.ReturnType != typeof(Task)) throw new NotSupportedException(targetMethod?.Name);
            var token = args!.OfType<CancellationToken>().LastOrDefault();
            var hang = Publishes.Count < Hangs;
            Publishes.Add((args![0]!, !hang));
            return hang ? Task.Delay(Timeout.Infinite, token) : Task.CompletedTask;
        }
    }

    private sealed record Noted(Guid Id);

    private sealed class Relay(IBus bus) : IntegrationEventRelay(bus, NullLogger.Instance)
    {
        protected override object? ToIntegrationEvent(IEvent domainEvent) => domainEvent.Data;
    }

    private static (IBus Bus, HangingBus Proxy) BusHanging(int hangs)
    {
        var bus = DispatchProxy.Create<IBus, HangingBus>();
        var proxy = (HangingBus)(object)bus;
        proxy.Hangs = hangs;
        return (bus, proxy);
    }

    /// <summary>An agent that only has a name: all an <see cref="EventRange"/> reads of it here.</summary>
    public class NamedAgent : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.ReturnType == typeof(ShardName) ? new ShardName("relay") :
            targetMethod?.ReturnType is { IsValueType: true } type && type != typeof(void) ? Activator.CreateInstance(type) : null;
    }

    private static EventRange Page(params object[] data)
    {
        var page = new EventRange(DispatchProxy.Create<JasperFx.Events.Daemon.ISubscriptionAgent, NamedAgent>(), 0, data.Length);
        var sequence = 0L;
        page.Events = data.Select(item => (IEvent)new JasperFx.Events.Event<object>(item) { Id = Guid.NewGuid(), Sequence = ++sequence }).ToList();
        return page;
    }

    [Fact]
    public async Task A_publish_not_confirmed_in_time_is_published_again_and_the_page_goes_on()
    {
        var (bus, proxy) = BusHanging(hangs: 2);
        var relay = new Relay(bus) { PublishTimeout = TimeSpan.FromMilliseconds(200) };
        var first = new Noted(Guid.NewGuid());
        var second = new Noted(Guid.NewGuid());

        // Without the retry the first publish would wait for the daemon's stop: here 10 s, then the test fails.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        stop.CancelAfter(TimeSpan.FromSeconds(10));
        await relay.ProcessEventsAsync(Page(first, second), null!, null!, stop.Token);

        // The first message hung twice, then went; the second went at once.
        Assert.Equal([first, first, first, second], proxy.Publishes.Select(publish => publish.Message));
        Assert.Equal([false, false, true, true], proxy.Publishes.Select(publish => publish.Completed));
    }

    [Fact]
    public async Task A_stop_ends_a_hanging_publish_as_a_cancellation_not_a_retry()
    {
        var (bus, proxy) = BusHanging(hangs: int.MaxValue);
        var relay = new Relay(bus) { PublishTimeout = TimeSpan.FromMinutes(5) };
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => relay.ProcessEventsAsync(Page(new Noted(Guid.NewGuid())), null!, null!, stop.Token));
        Assert.Single(proxy.Publishes);
    }
}
