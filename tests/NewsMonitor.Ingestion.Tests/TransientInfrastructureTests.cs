using System.Net.Sockets;
using NewsMonitor.ServiceDefaults;
using Npgsql;

namespace NewsMonitor.Ingestion.Tests;

/// <summary>Which failures the outer message retry waits out (a database outage) and which go to _error after 5 tries.</summary>
public sealed class TransientInfrastructureTests
{
    [Theory]
    [InlineData("57P01")] // admin shutdown: pg_ctl stop -m fast
    [InlineData("57P03")] // cannot connect now: starting up
    [InlineData("08006")] // connection failure
    [InlineData("53300")] // too many connections
    public void A_database_outage_is_transient_even_when_wrapped(string sqlState)
    {
        var outage = new PostgresException("down", "FATAL", "FATAL", sqlState);
        Assert.True(TransientInfrastructure.IsTransient(outage));
        Assert.True(TransientInfrastructure.IsTransient(new InvalidOperationException("save failed", outage)));
        Assert.True(TransientInfrastructure.IsTransient(new AggregateException(new InvalidOperationException("other"), outage)));
    }

    [Fact]
    public void A_refused_connection_is_transient()
    {
        var refused = new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused));
        Assert.True(TransientInfrastructure.IsTransient(refused));
        Assert.True(TransientInfrastructure.IsTransient(new SocketException((int)SocketError.ConnectionRefused)));
    }

    [Theory]
    [InlineData("P0001")] // raise_exception: a trigger refusing this message (the reliability suite's poison)
    [InlineData("23505")] // unique violation
    [InlineData("42P01")] // undefined table
    public void An_answer_of_the_server_is_not_an_outage(string sqlState)
    {
        var answer = new PostgresException("refused", "ERROR", "ERROR", sqlState);
        Assert.False(TransientInfrastructure.IsTransient(answer));
        Assert.False(TransientInfrastructure.IsTransient(new InvalidOperationException("save failed", answer)));
    }

    [Fact]
    public void Other_failures_are_not_transient()
    {
        Assert.False(TransientInfrastructure.IsTransient(new InvalidOperationException("bad message")));
        Assert.False(TransientInfrastructure.IsTransient(new FormatException()));
    }
}
