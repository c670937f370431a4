extern alias sources;
using NewsMonitor.ServiceDefaults;
using System.Diagnostics;
using System.Globalization;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NewsMonitor.Testing;
using SourceAdded = sources::NewsMonitor.Sources.Sources.SourceAdded;
using Source = sources::NewsMonitor.Sources.Sources.Source;
using SourceRules = sources::NewsMonitor.Sources.Sources.SourceRules;
using SourcesProgram = sources::Program;

namespace NewsMonitor.Benchmarks;

/// <summary>
/// `sources-memory --sources 5000 --seconds 90 --interval 300`: the sources service hosted in this process on the test
/// PostgreSQL (its own schema) and RabbitMQ (its own virtual host, as the tests make them), N sources registered in its
/// schema, all pointing at one loopback FeedServer that answers 304 once a source has its ETag; then the poller
/// schedules them for the given time. Prints the process working set and managed heap before registering, after
/// registering and at their peak while polling, the polls done, and how late the latest due source is at the end.
/// The process also holds the FeedServer and this harness, so the figures are an upper bound for the poller.
/// </summary>
public static class PollerMemoryLoad
{
    public static async Task RunAsync(int count, int seconds, int intervalSeconds)
    {
        var schema = TestInfrastructure.UniqueName("srcbench");
        var virtualHost = TestInfrastructure.UniqueName("srcbench");
        await TestInfrastructure.CreateVirtualHostAsync(virtualHost);
        await using var server = await FeedServer.StartAsync();
        // One host serves every feed (the query string tells the sources apart); its per-host limits are lifted so
        // the run measures the poller, not the politeness towards a single host.
        server.Map("/feed.xml", FeedFixture.Text("""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench</title><link>http://example.com/</link></channel></rss>""") with { ETag = "\"bench\"" });
        var settings = new Dictionary<string, string?>
        {
            ["Sources:AllowPrivateTargets"] = "true",
            ["Sources:MinIntervalPerHost"] = "00:00:00",
            ["Sources:MaxConcurrentPerHost"] = "8",
            ["Sources:ScanInterval"] = "00:00:01",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        try
        {
            await using var service = new ServiceFactory<SourcesProgram>(schema, virtualHost, settings);
            using var client = service.CreateGatewayClient();
            var store = service.Services.GetRequiredService<IDocumentStore>();
            var (idleSet, idleHeap) = Measure();
            Console.WriteLine(Line("service started, no sources", idleSet, idleHeap));

            var watch = Stopwatch.StartNew();
            var now = DateTimeOffset.UtcNow;
            for (var start = 0; start < count; start += 500)
            {
                await using var session = store.LightweightSession();
                for (var i = start; i < Math.Min(count, start + 500); i++)
                {
                    var url = SourceRules.Canonical(server.Url($"/feed.xml?n={i}").AbsoluteUri)!;
                    var id = SourceRules.IdOf(url);
                    // Spread the first polls over one interval, as sources added over time would be.
                    session.Events.StartStream<Source>(id, new SourceAdded(id, url, null, "auto", intervalSeconds, null, "auto", now.AddSeconds(intervalSeconds * (double)i / count)));
                }
                await session.SaveChangesInCommitOrderAsync(CancellationToken.None);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count:N0} sources registered in {watch.Elapsed.TotalSeconds:F1} s"));
            var (registeredSet, registeredHeap) = Measure();
            Console.WriteLine(Line("sources registered", registeredSet, registeredHeap));

            long peakSet = registeredSet, peakHeap = registeredHeap;
            var deadline = DateTime.UtcNow.AddSeconds(seconds);
            while (DateTime.UtcNow < deadline)
            {
                await Task.Delay(1000);
                var (set, heap) = Measure(collect: false);
                peakSet = Math.Max(peakSet, set);
                peakHeap = Math.Max(peakHeap, heap);
            }
            var polls = await TestInfrastructure.ScalarAsync<long>($"select count(*) from \"{schema}\".mt_events where type = 'source_polled'");
            var notModified = await TestInfrastructure.ScalarAsync<long>($"select count(*) from \"{schema}\".mt_events where type = 'source_polled' and data->>'outcome' = 'notModified'");
            var failed = await TestInfrastructure.ScalarAsync<long>($"select count(*) from \"{schema}\".mt_events where type = 'source_polled' and data->>'outcome' = 'failed'");
            var lateSeconds = await TestInfrastructure.ScalarAsync<double>(
                $"select coalesce(extract(epoch from now() - min((data->>'nextPollAt')::timestamptz)), 0)::float8 from \"{schema}\".mt_doc_source where (data->>'nextPollAt')::timestamptz < now()");
            var (endSet, endHeap) = Measure();
            Console.WriteLine(Line($"peak while polling for {seconds} s", peakSet, peakHeap));
            Console.WriteLine(Line("after polling (heap after a full collection)", endSet, endHeap));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{polls:N0} polls in {seconds} s ({polls / (double)seconds:F1}/s; {notModified:N0} answered 304, {failed:N0} failed); {server.Requests.Count:N0} requests served; the most overdue source is {Math.Max(0, lateSeconds):F1} s late"));
        }
        finally
        {
            await TestInfrastructure.DropSchemasAsync(schema);
            await TestInfrastructure.DeleteVirtualHostAsync(virtualHost);
        }
    }

    private static (long WorkingSet, long ManagedHeap) Measure(bool collect = true)
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return (process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: collect));
    }

    private static string Line(string what, long workingSet, long heap) =>
        string.Create(CultureInfo.InvariantCulture, $"{what}: working set {workingSet / 1048576.0:F0} MB, managed heap {heap / 1048576.0:F0} MB");
}
