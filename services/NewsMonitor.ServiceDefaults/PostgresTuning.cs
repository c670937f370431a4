using Microsoft.Extensions.Configuration;
using Npgsql;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// Connection settings for Marten's pool (<c>NewsMonitor:Postgres</c> section), chosen by the load harness's profile
/// (docs/benchmarks.md, "What the profile changed"). A setting written in the connection string itself wins.
/// </summary>
public static class PostgresTuning
{
    /// <summary>
    /// <paramref name="connectionString"/> with the tuning applied:
    /// <list type="bullet">
    /// <item><c>NoResetOnClose</c> (default true): Npgsql sends <c>DISCARD ALL</c> each time a pooled connection is
    /// returned, a round trip per Marten session: 52 per article under load, more than any other statement. Marten's
    /// sessions leave no session state behind (no <c>SET</c>, no session-level locks, no <c>LISTEN</c>: the only
    /// session lock in the code, the key ring's, uses its own connection string).</item>
    /// <item><c>MaxAutoPrepare</c> (default 0, off): Npgsql's automatic prepared statements.</item>
    /// </list>
    /// </summary>
    public static string Apply(string connectionString, IConfiguration configuration)
    {
        var section = configuration.GetSection("NewsMonitor:Postgres");
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Mentions(connectionString, "No Reset On Close", "NoResetOnClose"))
            builder.NoResetOnClose = !bool.TryParse(section["NoResetOnClose"], out var noReset) || noReset;
        if (!Mentions(connectionString, "Max Auto Prepare", "MaxAutoPrepare")
            && int.TryParse(section["MaxAutoPrepare"], out var prepare) && prepare > 0)
            builder.MaxAutoPrepare = prepare;
        return builder.ConnectionString;
    }

    private static bool Mentions(string connectionString, params string[] keys) =>
        connectionString.Split(';').Select(part => part.Split('=')[0].Trim())
            .Any(key => keys.Any(candidate => string.Equals(candidate, key, StringComparison.OrdinalIgnoreCase)));
}
