using System.Net.Sockets;
using Npgsql;

namespace NewsMonitor.ServiceDefaults;

/// <summary>Failures that say the database could not be reached, not that the message is wrong: worth waiting out.</summary>
public static class TransientInfrastructure
{
    /// <summary>
    /// True when <paramref name="exception"/> or one of its inner exceptions is a connection failure to PostgreSQL: a
    /// transient Npgsql error, a server error of class 08 (connection exception), 57P (operator intervention: shutdown,
    /// cannot connect now) or 53 (insufficient resources), or a socket error.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException postgres when postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                                                   || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal)
                                                   || postgres.SqlState.StartsWith("53", StringComparison.Ordinal):
                    return true;
                case PostgresException:
                    return false; // the server answered: a constraint, a trigger, a bad statement — not an outage
                case NpgsqlException { IsTransient: true }:
                case SocketException:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsTransient):
                    return true;
            }
        }
        return false;
    }
}
