using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Npgsql;

namespace NewsMonitor.Load;

/// <summary>How far the pipeline has got with this run's articles: ingestion's own record of each step.</summary>
public readonly record struct StageCounts(long Stored, long Classified, long EntitiesExtracted, long AlertsEvaluated);

/// <summary>
/// Counts this run's articles per stage in ingestion's event store: <c>article_submitted</c> (stored) and the
/// <c>article_processing_step_completed</c> events the classification, entities and alerting services' replies
/// record (distinct articles, so a redelivered reply is not counted twice). Only events after the run's first
/// sequence number count.
/// </summary>
public sealed class StageCounter(string connectionString) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);
    private long _from;

    /// <summary>Remembers the store's current end: later counts are of events after it.</summary>
    public async Task MarkStartAsync()
    {
        await using var command = _dataSource.CreateCommand("select coalesce(max(seq_id), 0) from ingestion.mt_events");
        _from = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>The counts now.</summary>
    public async Task<StageCounts> CountAsync()
    {
        await using var command = _dataSource.CreateCommand("""
            select count(distinct stream_id) filter (where type = 'article_submitted'),
                   count(distinct stream_id) filter (where type = 'article_processing_step_completed' and data->>'step' = 'Classified'),
                   count(distinct stream_id) filter (where type = 'article_processing_step_completed' and data->>'step' = 'EntitiesExtracted'),
                   count(distinct stream_id) filter (where type = 'article_processing_step_completed' and data->>'step' = 'AlertsEvaluated')
            from ingestion.mt_events where seq_id > $1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = _from });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new StageCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}

/// <summary>Queue depths and projection lag from the gateway's <c>GET /api/v1/ops/status</c>.</summary>
public sealed record OpsSnapshot(IReadOnlyDictionary<string, long> QueueDepths, IReadOnlyDictionary<string, long> ServiceLag)
{
    /// <summary>Messages ready or unacknowledged in every queue.</summary>
    public long TotalDepth => QueueDepths.Values.Sum();

    /// <summary>The largest projection or relay lag (events behind the store's high-water mark) of any service.</summary>
    public long MaxLag => ServiceLag.Count == 0 ? 0 : ServiceLag.Values.Max();

    /// <summary>Reads the snapshot from an ops status answer (docs/api.md, "Operations").</summary>
    public static OpsSnapshot Parse(JsonElement status)
    {
        var queues = new Dictionary<string, long>(StringComparer.Ordinal);
        if (status.TryGetProperty("queues", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var queue in list.EnumerateArray())
            {
                var name = queue.GetProperty("name").GetString() ?? "?";
                queues[name] = Long(queue, "ready") + Long(queue, "unacknowledged");
            }
        }
        var lag = new Dictionary<string, long>(StringComparer.Ordinal);
        if (status.TryGetProperty("services", out var services) && services.ValueKind == JsonValueKind.Array)
        {
            foreach (var service in services.EnumerateArray())
            {
                var name = service.GetProperty("name").GetString() ?? "?";
                lag[name] = service.TryGetProperty("projections", out var projections) && projections.ValueKind == JsonValueKind.Array && projections.GetArrayLength() > 0
                    ? projections.EnumerateArray().Max(p => Long(p, "lag")) : 0;
            }
        }
        return new OpsSnapshot(queues, lag);
    }

    private static long Long(JsonElement element, string name) => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
}

/// <summary>CPU time and resident memory of one process of the system, from /proc.</summary>
public readonly record struct ProcessSample(double CpuSeconds, double RssMb);

/// <summary>
/// Samples the processes of deploy/local's state directory: the six services and the gateway (their pid files),
/// PostgreSQL (postmaster and every backend under it, summed; its memory as PSS, the proportional set size, so the
/// shared buffers every backend maps count once) and RabbitMQ (its pid file).
/// </summary>
public sealed class ProcessSampler(string stateDirectory)
{
    private static readonly string[] Services = ["ingestion", "classification", "entities", "alerting", "sources", "events", "gateway"];
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>The names of the .NET processes (services and gateway), whose RSS the summary's max-rss-mb is over.</summary>
    public static IReadOnlyList<string> DotnetProcesses => Services;

    /// <summary>Every process found now, by name.</summary>
    public Dictionary<string, ProcessSample> Sample()
    {
        var samples = new Dictionary<string, ProcessSample>(StringComparer.Ordinal);
        foreach (var name in Services)
        {
            if (ReadPid(Path.Combine(stateDirectory, name + ".pid")) is { } pid && Read(pid) is { } sample) samples[name] = sample;
        }
        if (ReadPid(Path.Combine(stateDirectory, "postgres", "data", "postmaster.pid")) is { } postmaster && Read(postmaster, proportional: true) is { } main)
        {
            var (cpu, rss) = (main.CpuSeconds, main.RssMb);
            foreach (var child in Children(postmaster))
            {
                if (Read(child, proportional: true) is { } backend) { cpu += backend.CpuSeconds; rss += backend.RssMb; }
            }
            samples["postgres"] = new ProcessSample(cpu, rss);
        }
        if (ReadPid(Path.Combine(stateDirectory, "rabbitmq", "rabbitmq.pid")) is { } rabbit && Read(rabbit) is { } broker) samples["rabbitmq"] = broker;
        return samples;
    }

    private static int? ReadPid(string file)
    {
        try
        {
            return File.Exists(file) && int.TryParse(File.ReadLines(file).FirstOrDefault()?.Trim(), CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static IEnumerable<int> Children(int parent)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out var pid)) continue;
            var stat = ReadStat(pid);
            if (stat is not null && stat.Length > 1 && stat[1] == parent.ToString(CultureInfo.InvariantCulture)) yield return pid;
        }
    }

    // Fields of /proc/<pid>/stat after the command name (which may hold spaces): state, ppid, ..., utime at 11, stime at 12.
    private static string[]? ReadStat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static ProcessSample? Read(int pid, bool proportional = false)
    {
        var stat = ReadStat(pid);
        if (stat is null || stat.Length < 13) return null;
        var cpu = (long.Parse(stat[11], CultureInfo.InvariantCulture) + long.Parse(stat[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        try
        {
            var rssLine = proportional
                ? File.ReadLines($"/proc/{pid}/smaps_rollup").FirstOrDefault(line => line.StartsWith("Pss:", StringComparison.Ordinal))
                : File.ReadLines($"/proc/{pid}/status").FirstOrDefault(line => line.StartsWith("VmRSS:", StringComparison.Ordinal));
            var kb = rssLine is null ? 0 : long.Parse(rssLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            return new ProcessSample(cpu, kb / 1024.0);
        }
        catch (IOException) { return null; }
    }
}

/// <summary>
/// Follows <c>GET /api/v1/alerts/stream</c> with the operator key (every tenant's alerts) and notes when each alert
/// arrived, by article id; the latency is taken against the article's POST afterwards.
/// </summary>
public sealed class AlertStreamListener(HttpClient http) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _reading;

    /// <summary>(article id, arrival in Stopwatch ticks) of every alert seen.</summary>
    public ConcurrentQueue<(Guid ArticleId, long At)> Alerts { get; } = new();

    /// <summary>Opens the stream and returns once its <c>ready</c> event arrived.</summary>
    public async Task StartAsync()
    {
        _reading = Task.Run(ReadAsync);
        await _ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task ReadAsync()
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/alerts/stream");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
            var eventName = "";
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.StartsWith("event:", StringComparison.Ordinal)) eventName = line[6..].Trim();
                else if (line.StartsWith("data:", StringComparison.Ordinal) && eventName == "alert")
                {
                    var at = Stopwatch.GetTimestamp();
                    using var alert = JsonDocument.Parse(line[5..]);
                    if (alert.RootElement.TryGetProperty("articleId", out var id) && id.TryGetGuid(out var articleId)) Alerts.Enqueue((articleId, at));
                }
                else if (line.Length == 0)
                {
                    if (eventName == "ready") _ready.TrySetResult();
                    eventName = "";
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        catch (Exception exception)
        {
            _ready.TrySetException(exception);
            Console.Error.WriteLine($"alert stream ended: {exception.Message}");
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_reading is not null) await _reading;
        _stop.Dispose();
    }
}
