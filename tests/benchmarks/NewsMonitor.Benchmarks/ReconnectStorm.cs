extern alias alerting;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Contracts;
using NewsMonitor.Testing;
using AlertingProgram = alerting::Program;

namespace NewsMonitor.Benchmarks;

/// <summary>
/// `reconnect-storm --clients 100 --alerts 1000 [--max-connection-ms 1500]`: the alerting service hosted in this process
/// on the test PostgreSQL (its own schema) and RabbitMQ (its own virtual host). One subscription; N stream clients open
/// from position 0, each dropping its connection after a random 50 ms to max-connection-ms and reconnecting at once with
/// the Last-Event-ID of the last alert it read whole; meanwhile M articles that each raise one alert are published. Counts,
/// per client, alerts missed (never received) and doubled (received more than once), checks positions only ever rise,
/// and reports the time from the first publication until every client holds every alert (drain), and from the last
/// alert's commit until then. The clients talk to the host through the in-process test server (no sockets), so the
/// figures are the service's own (store reads, wake-ups, SSE writing), not the network's.
/// </summary>
public static class ReconnectStorm
{
    private const string Tenant = "storm";

    public static async Task RunAsync(int clients, int alerts, int maxConnectionMs)
    {
        var schema = TestInfrastructure.UniqueName("stormbench");
        var virtualHost = TestInfrastructure.UniqueName("stormbench");
        await TestInfrastructure.CreateVirtualHostAsync(virtualHost);
        var settings = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" };
        try
        {
            await using var probe = await MessageProbe.StartAsync(virtualHost);
            await using var service = new ServiceFactory<AlertingProgram>(schema, virtualHost, settings);
            using var client = service.CreateGatewayClient();
            using var subscribe = AsTenant(HttpMethod.Post, "/api/v1/subscriptions");
            subscribe.Content = JsonContent.Create(new { name = "storm", rule = "عاصفة" });
            (await client.SendAsync(subscribe)).EnsureSuccessStatusCode();

            var done = new CancellationTokenSource();
            var readers = Enumerable.Range(0, clients).Select(i => new StormClient(i, alerts)).ToList();
            var running = readers.Select(reader => Task.Run(() => reader.RunAsync(client, maxConnectionMs, done.Token))).ToList();
            // Every client connected once before the first alert.
            // Clients start from position 0 whenever they first get through, so none needs to be connected before the first alert.
            var watch = Stopwatch.StartNew();
            var articles = Enumerable.Range(0, alerts).Select(_ => Guid.NewGuid()).ToList();
            foreach (var chunk in articles.Chunk(50))
                await Task.WhenAll(chunk.Select(id => probe.PublishAsync(new ArticleReceived(id, "عنوان " + id, "خبر عن عاصفة قادمة", null, "ar", "storm", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow))));
            var published = watch.Elapsed;

            var deadline = DateTime.UtcNow.AddMinutes(5);
            TimeSpan? stored = null;
            while (DateTime.UtcNow < deadline && readers.Any(reader => reader.Distinct < alerts))
            {
                if (stored is null && await TestInfrastructure.ScalarAsync<long>($"select count(*) from \"{schema}\".mt_doc_alert") >= alerts) stored = watch.Elapsed;
                await Task.Delay(20);
                if (watch.Elapsed.TotalSeconds % 10 < 0.03)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{watch.Elapsed.TotalSeconds:F0} s: clients holding every alert {readers.Count(reader => reader.Distinct == alerts)}, fewest held {readers.Min(reader => reader.Distinct)}"));
            }
            var drained = watch.Elapsed;
            stored ??= drained;
            await done.CancelAsync();
            await Task.WhenAll(running);

            var missed = readers.Select(reader => alerts - reader.Distinct).ToList();
            var doubled = readers.Select(reader => reader.Doubled).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                {clients} clients, {alerts} alerts, connections dropped after 50–{maxConnectionMs} ms
                | measure | value |
                | --- | --- |
                | alerts missed (sum over clients; worst client) | {missed.Sum()} ; {missed.Max()} |
                | alerts doubled (sum over clients; worst client) | {doubled.Sum()} ; {doubled.Max()} |
                | positions out of order (sum over clients) | {readers.Sum(reader => reader.OutOfOrder)} |
                | reconnects (sum over clients; per client mean) | {readers.Sum(reader => reader.Connections - 1):N0} ; {readers.Average(reader => reader.Connections - 1):F1} |
                | connections dropped before the answer began (499) | {readers.Sum(reader => reader.Refused):N0} |
                | alerts received on a resumed connection (missed ones and live ones) | {readers.Sum(reader => reader.AfterReconnect):N0} |
                | articles published | {published.TotalSeconds:F1} s |
                | all {alerts} alerts stored and projected | {stored.Value.TotalSeconds:F1} s |
                | every client holds every alert (drain, from the first publication) | {drained.TotalSeconds:F1} s |
                | drain after the last alert was stored | {(drained - stored.Value).TotalMilliseconds:F0} ms |
                """));
        }
        finally
        {
            await TestInfrastructure.DropSchemasAsync(schema);
            await TestInfrastructure.DeleteVirtualHostAsync(virtualHost);
        }
    }

    private static HttpRequestMessage AsTenant(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-NewsMonitor-Role", "subscriber");
        request.Headers.Add("X-NewsMonitor-Tenant", Tenant);
        return request;
    }

    /// <summary>One stream client: counts what it receives per alert and resumes from the last alert it read whole.</summary>
    private sealed class StormClient(int index, int expected)
    {
        private readonly ConcurrentDictionary<Guid, int> _received = new();
        private readonly Random _random = new(index);
        private long _last;

        public int Connections { get; private set; }

        public int Distinct => _received.Count;

        public int Doubled => _received.Values.Sum(count => count - 1);

        public int OutOfOrder { get; private set; }

        public int AfterReconnect { get; private set; }

        public int Refused { get; private set; }

        public async Task RunAsync(HttpClient client, int maxConnectionMs, CancellationToken done)
        {
            while (!done.IsCancellationRequested)
            {
                // A client with every alert keeps reconnecting too: a duplicate would still show.
                using var connection = CancellationTokenSource.CreateLinkedTokenSource(done);
                connection.CancelAfter(_random.Next(50, maxConnectionMs));
                try
                {
                    using var request = AsTenant(HttpMethod.Get, "/api/v1/alerts/stream");
                    request.Headers.Add("Last-Event-ID", _last.ToString(CultureInfo.InvariantCulture));
                    using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, connection.Token);
                    // The test server answers 499 to a request its client dropped before the answer began: try again.
                    if (!response.IsSuccessStatusCode)
                    {
                        Refused++;
                        continue;
                    }
                    using var reader = new ServerSentEventReader(await response.Content.ReadAsStreamAsync(connection.Token));
                    Connections++;
                    var resumed = Connections > 1;
                    while (await reader.NextAsync(connection.Token) is { } next)
                    {
                        if (next.Event != "alert") continue;
                        var position = long.Parse(next.Id!, CultureInfo.InvariantCulture);
                        if (position <= _last) OutOfOrder++;
                        _last = position;
                        using var json = JsonDocument.Parse(next.Data);
                        _received.AddOrUpdate(json.RootElement.GetProperty("articleId").GetGuid(), 1, (_, count) => count + 1);
                        if (resumed) AfterReconnect++;
                    }
                }
                catch (OperationCanceledException)
                {
                    // The drop (or the end of the run).
                }
                catch (IOException)
                {
                    // The response stream was torn down by the drop.
                }
                if (_received.Count > expected) throw new InvalidOperationException("More alerts than were raised.");
            }
        }
    }
}
