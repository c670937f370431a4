using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Net.Sockets;
using NewsMonitor.Testing;

namespace NewsMonitor.EndToEnd.Tests;

/// <summary>
/// The whole system as separate processes, the way deploy/local/up runs it: six services and the gateway on
/// free loopback ports, real PostgreSQL (a schema per service for this run) and RabbitMQ (a fresh virtual host).
/// </summary>
public sealed class RunningSystem : IAsyncLifetime
{
    public const string OperatorKey = "e2e-operator-key-0123456789abcdef";

    public const string InternalKey = "e2e-internal-credential-0123456789";

    private static readonly string[] Services = ["Ingestion", "Classification", "Entities", "Alerting", "Sources", "Events"];
    private readonly string _prefix = TestInfrastructure.UniqueName("e2e");
    private readonly List<Process> _processes = [];
    private readonly Dictionary<string, int> _ports = [];

    /// <summary>Client of the gateway, with the operator key.</summary>
    public HttpClient Gateway { get; private set; } = null!;

    /// <summary>Client of the gateway without any key.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    /// <summary>Issues a key through the gateway with the operator key and returns its secret.</summary>
    public async Task<string> IssueKeyAsync(string role, string tenant, string name)
    {
        var response = await Gateway.PostAsJsonAsync("/api/v1/keys", new { role, tenant, name }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("key").GetString()!;
    }

    /// <summary>Where the gateway listens (on loopback).</summary>
    public Uri GatewayAddress => new($"http://127.0.0.1:{_ports["Gateway"]}");

    /// <summary>Where a service listens (on loopback), to show it refuses requests that bypass the gateway.</summary>
    public Uri ServiceAddress(string service) => new($"http://127.0.0.1:{_ports[service]}");

    /// <summary>The RabbitMQ virtual host of this run (its account is <see cref="TestInfrastructure.RabbitUserOf"/>).</summary>
    public string VirtualHost => _prefix;

    /// <summary>Schema of one service in this run.</summary>
    public string SchemaOf(string service) => $"{_prefix}_{service.ToLowerInvariant()}";

    public async ValueTask InitializeAsync()
    {
        await TestInfrastructure.CreateVirtualHostAsync(_prefix);
        foreach (var name in Services.Append("Gateway")) _ports[name] = FreePort();
        foreach (var service in Services) Start(service, Path.Combine(TestInfrastructure.RepoRoot, "services", $"NewsMonitor.{service}"));
        Start("Gateway", Path.Combine(TestInfrastructure.RepoRoot, "gateway", "NewsMonitor.Gateway"));

        try
        {
            foreach (var (name, port) in _ports) await WaitReadyAsync(name, port);
        }
        catch
        {
            // xunit does not dispose a fixture whose start failed: stop what was started, or its processes outlive the run.
            await DisposeAsync();
            throw;
        }
        var address = new Uri($"http://127.0.0.1:{_ports["Gateway"]}");
        Gateway = new HttpClient { BaseAddress = address };
        Gateway.DefaultRequestHeaders.Add("X-Api-Key", OperatorKey);
        Anonymous = new HttpClient { BaseAddress = address };
    }

    private void Start(string name, string projectDirectory)
    {
        var assembly = Path.Combine(projectDirectory, "bin", TestInfrastructure.Configuration, "net10.0", $"NewsMonitor.{name}.dll");
        if (!File.Exists(assembly)) throw new FileNotFoundException($"Build the solution first: {assembly} is missing.");
        var start = new ProcessStartInfo("dotnet", [assembly, "--urls", $"http://127.0.0.1:{_ports[name]}"])
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ConnectionStrings__Postgres"] = TestInfrastructure.Postgres;
        start.Environment["NewsMonitor__Schema"] = SchemaOf(name);
        start.Environment["RabbitMq__Port"] = TestInfrastructure.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["RabbitMq__VirtualHost"] = _prefix;
        start.Environment["RabbitMq__Username"] = TestInfrastructure.RabbitUserOf(_prefix);
        start.Environment["RabbitMq__Password"] = TestInfrastructure.RabbitPassword;
        start.Environment["RabbitMq__ManagementPort"] = Environment.GetEnvironmentVariable("NEWSMONITOR_RABBIT_MGMT_PORT") ?? "15682";
        start.Environment["NEWSMONITOR_ADMIN_KEY"] = OperatorKey;
        start.Environment["NEWSMONITOR_INTERNAL_KEY"] = InternalKey;
        // Test feeds are served on loopback, which the outbound address policy refuses by default (docs/sources.md).
        start.Environment["Sources__AllowPrivateTargets"] = "true";
        // Feed URLs point at the gateway; every test client reads from 127.0.0.1, so its key-less bucket is made roomy.
        start.Environment["Alerting__PublicBaseUrl"] = $"http://127.0.0.1:{_ports["Gateway"]}";
        start.Environment["Gateway__BurstPerAddress"] = "1000";
        start.Environment["Gateway__PerSecondPerAddress"] = "100";
        // The tests share the operator key and call at machine speed: on a quiet machine the door walk alone spends a
        // 200-request bucket, and the tests after it got 429. The per-key limit is tested on its own (Gateway.Tests,
        // DoorTests and HostileInputTests, with limits of a few requests); here it would only measure the test order.
        start.Environment["Gateway__BurstPerKey"] = "100000";
        start.Environment["Gateway__PerSecondPerKey"] = "10000";
        foreach (var service in Services) start.Environment[$"Services__{service}"] = $"http://127.0.0.1:{_ports[service]}";
        var process = Process.Start(start)!;
        // Drain the output so a chatty process never blocks on a full pipe. With NEWSMONITOR_TEST_LOG_DIR set (deploy/local/test
        // sets it), each process's log is kept in <dir>/<system>-<service>.log: a fault scenario that fails is read from it.
        var log = LogWriter(name);
        process.OutputDataReceived += (_, line) => { if (line.Data is not null && log is not null) lock (log) log.WriteLine(line.Data); };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is null) return;
            Console.Error.WriteLine($"[{name}] {line.Data}");
            if (log is not null) lock (log) log.WriteLine(line.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    // The log file of a service (appended across its restarts), or null when logs are not kept.
    private StreamWriter? LogWriter(string name)
    {
        if (Environment.GetEnvironmentVariable("NEWSMONITOR_TEST_LOG_DIR") is not { Length: > 0 } directory) return null;
        Directory.CreateDirectory(directory);
        return new StreamWriter(Path.Combine(directory, $"{_prefix}-{name.ToLowerInvariant()}.log"), append: true) { AutoFlush = true };
    }

    private async Task WaitReadyAsync(string name, int port)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await client.GetAsync($"http://127.0.0.1:{port}/health/ready")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException) { }
            if (_processes.Any(process => process.HasExited)) throw new InvalidOperationException($"A NewsMonitor process exited while {name} was starting.");
            await Task.Delay(200);
        }
        throw new TimeoutException($"{name} was not ready on port {port} within 90 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Stops one service's process (or the gateway's: <c>Gateway</c>) at once with SIGKILL, as a crash would (messages it had not acknowledged are delivered again);
    /// <see cref="StartServiceAsync"/> brings it back on the same port.
    /// </summary>
    public async Task StopServiceAsync(string service)
    {
        var process = _processes.Single(p => p.StartInfo.ArgumentList[0].EndsWith($"NewsMonitor.{service}.dll", StringComparison.Ordinal));
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        _processes.Remove(process);
        process.Dispose();
    }

    /// <summary>Starts a service (or the gateway) stopped by <see cref="StopServiceAsync"/> again and waits until it is ready.</summary>
    public async Task StartServiceAsync(string service)
    {
        Start(service, Path.Combine(TestInfrastructure.RepoRoot, service == "Gateway" ? "gateway" : "services", $"NewsMonitor.{service}"));
        await WaitReadyAsync(service, _ports[service]);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
        Gateway?.Dispose();
        Anonymous?.Dispose();
        await TestInfrastructure.DropSchemasAsync(Services.Append("Gateway").Select(SchemaOf).ToArray());
        await TestInfrastructure.DeleteVirtualHostAsync(_prefix);
    }
}
