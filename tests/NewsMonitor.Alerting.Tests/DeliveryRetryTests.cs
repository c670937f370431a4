using NewsMonitor.Alerting.Delivery;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Tests;

/// <summary>The retry rule of webhook and email deliveries and the wait queues it picks, without a broker.</summary>
public sealed class DeliveryRetryTests
{
    [Theory]
    [InlineData(1, 1_000)]
    [InlineData(2, 2_000)]
    [InlineData(3, 4_000)]
    [InlineData(5, 16_000)]
    public void Each_retry_waits_twice_as_long_as_the_one_before(int failedAttempt, int expectedMilliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), DeliveryRetry.NextDelay(failedAttempt, mayPass: true, maxAttempts: 6, firstRetryMilliseconds: 1_000));

    [Fact]
    public void The_last_try_and_a_failure_that_will_not_pass_make_a_dead_letter()
    {
        Assert.Null(DeliveryRetry.NextDelay(6, mayPass: true, maxAttempts: 6, firstRetryMilliseconds: 1_000));
        Assert.Null(DeliveryRetry.NextDelay(1, mayPass: false, maxAttempts: 6, firstRetryMilliseconds: 1_000));
        Assert.Null(DeliveryRetry.NextDelay(1, mayPass: true, maxAttempts: 1, firstRetryMilliseconds: 1_000));
    }

    [Fact]
    public void The_wait_is_capped_however_many_tries_are_configured() =>
        Assert.Equal(DeliveryRetry.MaxDelay, DeliveryRetry.NextDelay(40, mayPass: true, maxAttempts: 100, firstRetryMilliseconds: 1_000));

    [Fact]
    public void Each_delay_has_its_own_wait_queue_named_after_the_delivery_queue() =>
        Assert.Equal("alerting-webhook-delivery-wait-4000ms", ScheduledRedelivery.WaitQueueName("alerting-webhook-delivery", TimeSpan.FromSeconds(4)));

    [Fact]
    public void The_first_try_has_no_retry_before_it() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ScheduledRedelivery.Backoff(1, 1_000, TimeSpan.FromMinutes(1)));
}
