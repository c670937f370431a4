using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Tests;

/// <summary>Which save failures the one write path treats as a lost race (decide again, or 409) rather than an error.</summary>
public sealed class WriteConflictTests
{
    [Fact]
    public void Marten_9s_stream_collision_is_recognised_wherever_it_is_wrapped()
    {
        var collision = new Marten.Exceptions.ExistingStreamIdCollisionException(Guid.NewGuid(), typeof(object));
        Assert.True(EventStoreSessions.IsStreamCollision(collision));
        Assert.True(EventStoreSessions.IsStreamCollision(new InvalidOperationException("save failed", collision)));
        Assert.True(EventStoreSessions.IsStreamCollision(new AggregateException(new TimeoutException(), collision)));
        Assert.True(EventStoreSessions.IsWriteConflict(new InvalidOperationException("save failed", collision)));
    }

    [Fact]
    public void A_version_conflict_is_a_write_conflict_but_no_collision()
    {
        var conflict = new JasperFx.ConcurrencyException(typeof(object), Guid.NewGuid());
        Assert.True(EventStoreSessions.IsWriteConflict(new AggregateException(conflict)));
        Assert.False(EventStoreSessions.IsStreamCollision(conflict));
    }

    [Fact]
    public void Other_failures_are_neither()
    {
        Assert.False(EventStoreSessions.IsWriteConflict(new TimeoutException()));
        Assert.False(EventStoreSessions.IsStreamCollision(new InvalidOperationException("other", new IOException())));
    }
}
