using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Delivery;

/// <summary>
/// The retry rule webhook and email deliveries share. A failed try that may pass is not waited out in the consumer (a slow
/// or failing receiver would hold a delivery slot for the whole backoff): the message is scheduled to come back through a
/// RabbitMQ wait queue (<see cref="ScheduledRedelivery"/>) after <c>firstRetryMilliseconds × 2^(try − 1)</c>, and the
/// consumer moves on.
/// </summary>
public static class DeliveryRetry
{
    /// <summary>The longest wait between two tries, however many are configured.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(15);

    /// <summary>
    /// After try <paramref name="attempt"/> failed: the wait before the next try, or null when there is none (the failure
    /// will not pass, or <paramref name="maxAttempts"/> tries were made) and the delivery is a dead letter.
    /// </summary>
    public static TimeSpan? NextDelay(int attempt, bool mayPass, int maxAttempts, int firstRetryMilliseconds) =>
        mayPass && attempt < maxAttempts ? ScheduledRedelivery.Backoff(attempt + 1, firstRetryMilliseconds, MaxDelay) : null;
}
