using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Reliability.Tests;

/// <summary>Which queues the quorum switch moves, without a broker.</summary>
public sealed class QuorumQueuesTests
{
    private static readonly BrokerQueue[] Queues =
    [
        new("alerting-webhook-delivery", "classic", Durable: true, AutoDelete: false, Exclusive: false),
        new("alerting-webhook-delivery_error", "classic", Durable: true, AutoDelete: false, Exclusive: false),
        new("alerting-article-received", "quorum", Durable: true, AutoDelete: false, Exclusive: false),
        new("alerting-alert-stream-3f2a9c1b", "classic", Durable: false, AutoDelete: true, Exclusive: false),
        new("alerting-email-delivery.quorum-migration", "quorum", Durable: true, AutoDelete: false, Exclusive: false),
        new("ingestion-article-classified", "classic", Durable: true, AutoDelete: false, Exclusive: false),
        new("integrator.my-feed", "classic", Durable: true, AutoDelete: false, Exclusive: false),
    ];

    [Fact]
    public void Only_the_services_own_durable_classic_queues_are_moved() =>
        Assert.Equal(["alerting-webhook-delivery", "alerting-webhook-delivery_error"], QuorumQueues.ToMigrate(Queues, "alerting"));

    [Fact]
    public void An_interrupted_move_is_resumed_under_the_queue_s_own_name() =>
        Assert.Equal(["alerting-email-delivery"], QuorumQueues.ToResume(Queues, "alerting"));

    [Theory]
    [InlineData(true, false, true)]
    [InlineData(false, true, false)]
    [InlineData(true, true, false)]
    public void Temporary_endpoints_stay_classic(bool durable, bool autoDelete, bool quorum) =>
        Assert.Equal(quorum, QuorumQueues.ShouldBeQuorum(durable, autoDelete));
}
