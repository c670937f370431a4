using System.Diagnostics;
using Npgsql;

namespace NewsMonitor.Testing;

/// <summary>
/// The real PostgreSQL and RabbitMQ that deploy/local/test starts, and the means to give each test class its
/// own schema and virtual host so classes run in parallel without seeing each other.
/// </summary>
public static class TestInfrastructure
{
    /// <summary>The repository root (where NewsMonitor.sln is).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Build configuration the tests run under (Debug or Release), read from the test assembly's path.</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>Connection string of the test database.</summary>
    public static string Postgres { get; } = Environment.GetEnvironmentVariable("NEWSMONITOR_TEST_POSTGRES")
        ?? "Host=127.0.0.1;Port=55432;Database=newsmonitor_test;Username=newsmonitor;Password=newsmonitor";

    /// <summary>RabbitMQ port.</summary>
    public static ushort RabbitPort { get; } = ushort.Parse(Environment.GetEnvironmentVariable("NEWSMONITOR_RABBIT_PORT") ?? "5682");

    /// <summary>Port of the RabbitMQ management API (loopback).</summary>
    public static ushort RabbitManagementPort { get; } = ushort.Parse(Environment.GetEnvironmentVariable("NEWSMONITOR_RABBIT_MGMT_PORT") ?? "15682");

    /// <summary>
    /// RabbitMQ account of a test's services in <paramref name="virtualHost"/>: named after the virtual host and, like
    /// the service account deploy/local/infra makes, with rights on that one virtual host only.
    /// </summary>
    public static string RabbitUserOf(string virtualHost) => virtualHost;

    /// <summary>Consume-only integrator account of <paramref name="virtualHost"/>, made by <see cref="CreateVirtualHostAsync"/> on request.</summary>
    public static string RabbitIntegratorOf(string virtualHost) => virtualHost + "_integrator";

    /// <summary>Password of every account this test run makes (random per run; the accounts differ in name and rights).</summary>
    public static string RabbitPassword { get; } = Guid.NewGuid().ToString("N");

    /// <summary>A client of the RabbitMQ management API (loopback) signed in as <paramref name="user"/> with the run's password.</summary>
    public static HttpClient RabbitManagementClient(string user)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{RabbitManagementPort}") };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{RabbitPassword}")));
        return client;
    }

    /// <summary>A name unique to this run, usable as schema and virtual host: lower-case letters, digits and underscores.</summary>
    public static string UniqueName(string prefix) => $"t_{prefix}_{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 3 + 12)].ToLowerInvariant();

    /// <summary>
    /// Creates a fresh, empty virtual host on the test RabbitMQ node with its service account (<see cref="RabbitUserOf"/>)
    /// and, when <paramref name="integrator"/>, its integrator account (<see cref="RabbitIntegratorOf"/>), through
    /// deploy/local/rabbitmq-vhost: the same rights the node's own accounts get. Administration goes through rabbitmqctl
    /// (the node's Erlang cookie), so the tests need no administrator password.
    /// </summary>
    public static async Task CreateVirtualHostAsync(string name, bool integrator = false)
    {
        var script = Path.Combine(RepoRoot, "deploy", "local", "rabbitmq-vhost");
        string[] arguments = integrator ? ["--fresh", name, "--service", RabbitUserOf(name), "--integrator", RabbitIntegratorOf(name)] : ["--fresh", name, "--service", RabbitUserOf(name)];
        var start = new ProcessStartInfo(script, arguments) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["NM_SERVICE_PASSWORD"] = RabbitPassword;
        start.Environment["NM_INTEGRATOR_PASSWORD"] = RabbitPassword;
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"Could not create RabbitMQ virtual host {name}: {error}");
    }

    /// <summary>Deletes a virtual host made by <see cref="CreateVirtualHostAsync"/> and the accounts made for it.</summary>
    public static async Task DeleteVirtualHostAsync(string name)
    {
        var script = $"source '{RepoRoot}/deploy/local/env.sh' && nm_rabbitmqctl delete_vhost '{name}'; " +
                     $"nm_rabbitmqctl list_users -q | awk '$1 == \"{RabbitUserOf(name)}\" || $1 == \"{RabbitIntegratorOf(name)}\" {{ print $1 }}' | " +
                     "while read -r user; do nm_rabbitmqctl delete_user \"$user\" </dev/null; done";
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        await process.WaitForExitAsync();
    }

    /// <summary>Drops schemas made for a test class.</summary>
    public static async Task DropSchemasAsync(params string[] schemas)
    {
        await using var connection = new NpgsqlConnection(Postgres);
        await connection.OpenAsync();
        foreach (var schema in schemas)
        {
            await using var command = new NpgsqlCommand($"drop schema if exists \"{schema}\" cascade", connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Runs a scalar query on the test database.</summary>
    public static async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Sends a PostgreSQL notification on the test database, as another replica's save would.</summary>
    public static async Task NotifyAsync(string channel, string payload)
    {
        await using var connection = new NpgsqlConnection(Postgres);
        await connection.OpenAsync();
        await using var notify = new NpgsqlCommand("select pg_notify(@channel, @payload)", connection);
        notify.Parameters.AddWithValue("channel", channel);
        notify.Parameters.AddWithValue("payload", payload);
        await notify.ExecuteNonQueryAsync();
    }

    /// <summary>Reads a file under tests/data.</summary>
    public static string ReadTestData(string relativePath) => File.ReadAllText(Path.Combine(RepoRoot, "tests", "data", relativePath));

    /// <summary>Path of a file in ../shared/data (train/dev data only; test splits are held back).</summary>
    public static string SharedData(string relativePath) => Path.Combine(RepoRoot, "..", "shared", "data", relativePath);

    private static string FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NewsMonitor.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException("NewsMonitor.sln not found above " + AppContext.BaseDirectory);
    }
}
