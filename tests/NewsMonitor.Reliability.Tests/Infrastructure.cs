using System.Diagnostics;
using NewsMonitor.Testing;
using Npgsql;

namespace NewsMonitor.Reliability.Tests;

/// <summary>
/// The RabbitMQ node and PostgreSQL cluster the test script started, driven through deploy/local/env.sh (so
/// <c>NEWSMONITOR_STATE_DIR</c>, <c>NEWSMONITOR_PG_PORT</c>, <c>NEWSMONITOR_RABBIT_NODE</c>... are honoured, as in
/// <see cref="TestInfrastructure"/>). Stopping them is what the fault scenarios inject; never point this at a shared node.
/// </summary>
public static class Infrastructure
{
    /// <summary>Stops the RabbitMQ application (connections drop, the Erlang node stays up).</summary>
    public static Task StopRabbitAsync() => BashAsync("nm_rabbitmqctl stop_app");

    /// <summary>Starts the RabbitMQ application again.</summary>
    public static Task StartRabbitAsync() => BashAsync("nm_rabbitmqctl start_app && nm_rabbitmqctl await_startup --timeout 60");

    /// <summary>Stops PostgreSQL (fast: open sessions are cut, as in a crash of the connection; committed data stays).</summary>
    public static Task StopPostgresAsync() =>
        BashAsync("runuser -u postgres -- \"$(nm_pg_bin)/pg_ctl\" -D \"$NM_STATE/postgres/data\" -m fast -w stop");

    /// <summary>
    /// Starts PostgreSQL again with the options deploy/local/infra starts it with, and empties this process's connection
    /// pools: their connections were cut by the stop and would fail once each (57P01) on their next use.
    /// </summary>
    public static async Task StartPostgresAsync()
    {
        await BashAsync("runuser -u postgres -- \"$(nm_pg_bin)/pg_ctl\" -D \"$NM_STATE/postgres/data\" -w -t 60 -l \"$NM_LOGS/postgres.log\" " +
            "-o \"-p $NM_PG_PORT -k $NM_STATE/postgres/run -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=${NEWSMONITOR_PG_FSYNC:-on}\" start");
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>The state directory (results are appended to a file there).</summary>
    public static async Task<string> StateDirectoryAsync() => (await BashAsync("echo \"$NM_STATE\"")).Trim();

    /// <summary>Runs <paramref name="script"/> after sourcing deploy/local/env.sh; fails with its error output when it fails.</summary>
    public static async Task<string> BashAsync(string script)
    {
        var start = new ProcessStartInfo("bash", ["-c", $"source '{TestInfrastructure.RepoRoot}/deploy/local/env.sh' && {script}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"`{script}` failed ({process.ExitCode}): {await error}");
        return await output;
    }
}
