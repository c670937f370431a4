using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NewsMonitor.Testing;

namespace NewsMonitor.EndToEnd.Tests;

/// <summary>
/// <c>newsmonitor import</c> as an operator runs it (the built tool, a separate process) against the running system
/// through the gateway with an integrator's key: outcomes counted right, articles stored once and readable, a run
/// stopped part-way and run again sends nothing twice.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class ImportToolTests(RunningSystem system) : IDisposable
{
    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;
    private readonly string _folder = Directory.CreateTempSubdirectory("nm-import-e2e-").FullName;

    private sealed record Run(int ExitCode, string Output, JsonElement Report);

    private async Task<Run> ImportAsync(string key, params string[] args)
    {
        var tool = Path.Combine(TestInfrastructure.RepoRoot, "tools", "NewsMonitor.Import", "bin", TestInfrastructure.Configuration, "net10.0", "newsmonitor.dll");
        if (!File.Exists(tool)) throw new FileNotFoundException($"Build the solution first: {tool} is missing.");
        var report = Path.Combine(_folder, $"report-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo("dotnet", [tool, "import", .. args, "--gateway", system.GatewayAddress.ToString(), "--report", report])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The key travels in the environment, as the usage text advises.
        start.Environment["NEWSMONITOR_API_KEY"] = key;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Cancel);
        var errors = process.StandardError.ReadToEndAsync(Cancel);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        deadline.CancelAfter(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(deadline.Token);
        var text = await output + await errors;
        TestContext.Current.TestOutputHelper?.WriteLine(text);
        return new Run(process.ExitCode, text, File.Exists(report) ? JsonDocument.Parse(await File.ReadAllTextAsync(report, Cancel)).RootElement.Clone() : default);
    }

    private static long Number(Run run, string name) => run.Report.GetProperty(name).GetInt64();

    [Fact]
    public async Task Articles_are_imported_once_with_outcomes_counted_and_a_stopped_run_resumes_without_resending()
    {
        var key = await system.IssueKeyAsync("integrator", "default", "import tool e2e");
        var marker = Guid.NewGuid().ToString("N")[..12];
        var articles = Enumerable.Range(1, 245).Select(i => JsonSerializer.Serialize(new
        {
            title = $"استيراد {marker} رقم {i}",
            body = $"قال الأمين العام لحلف الناتو في المقال رقم {i} إن الحلف موحد. {marker}",
            language = "ar",
            source = "import-e2e",
        })).ToList();
        var lines = new List<string>(articles);
        // Two bad lines, one in each run's part, and three duplicates of earlier articles near the end.
        lines.Insert(10, "this line is not JSON");
        lines.Insert(150, JsonSerializer.Serialize(new { title = $"بلا نص {marker}" }));
        lines.AddRange([articles[3], articles[120], articles[240]]);
        Assert.Equal(250, lines.Count);
        var file = Path.Combine(_folder, "articles.ndjson");
        await File.WriteAllTextAsync(file, string.Join("\n", lines) + "\n", new UTF8Encoding(false), Cancel);

        // Stopped after the first 100 (a run cut short), then run again: the rest, nothing sent twice.
        var first = await ImportAsync(key, file, "--batch", "50", "--limit", "100");
        Assert.Equal(1, first.ExitCode);
        Assert.True(first.Report.GetProperty("limitReached").GetBoolean());
        Assert.Equal((99L, 0L, 1L, 2L), (Number(first, "accepted"), Number(first, "duplicates"), Number(first, "rejected"), Number(first, "requests")));
        var second = await ImportAsync(key, file, "--batch", "50");
        Assert.Equal(1, second.ExitCode);
        Assert.Equal((146L, 3L, 1L, 3L), (Number(second, "accepted"), Number(second, "duplicates"), Number(second, "rejected"), Number(second, "requests")));
        Assert.Equal(Number(first, "bytes"), Number(second, "skippedBytes"));
        Assert.Equal(new FileInfo(file).Length, Number(first, "bytes") + Number(second, "bytes"));
        Assert.Contains("accepted", second.Output, StringComparison.Ordinal);

        // The reasons name the two bad lines where they are.
        var reasons = second.Report.GetProperty("reasons").EnumerateArray().Concat(first.Report.GetProperty("reasons").EnumerateArray())
            .Select(reason => (reason.GetProperty("reason").GetString()!, reason.GetProperty("firstAt").GetString())).ToList();
        Assert.Contains(reasons, reason => reason.Item2 == "articles.ndjson:11" && reason.Item1.StartsWith("body: ", StringComparison.Ordinal));
        Assert.Contains(reasons, reason => reason.Item2 == "articles.ndjson:151" && reason.Item1.Contains("body", StringComparison.Ordinal));

        // A third run finds everything done and sends nothing.
        var third = await ImportAsync(key, file);
        Assert.Equal(0, third.ExitCode);
        Assert.Equal((0L, 0L), (Number(third, "requests"), Number(third, "items")));

        // Every article stored exactly once ...
        var stored = await TestInfrastructure.ScalarAsync<long>(
            $"select count(*) from \"{system.SchemaOf("Ingestion")}\".mt_events where type = 'article_submitted' and data::text like '%{marker}%'");
        Assert.Equal(245, stored);
        // ... and readable through the gateway: posting one again names it as a duplicate with its id.
        foreach (var index in new[] { 0, 122, 244 })
        {
            var again = await system.Gateway.PostAsync("/api/v1/articles", new StringContent(articles[index], Encoding.UTF8, "application/json"), Cancel);
            var outcome = await again.Content.ReadFromJsonAsync<JsonElement>(Cancel);
            Assert.Equal("duplicate", outcome.GetProperty("status").GetString());
            var article = await system.Gateway.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{outcome.GetProperty("id").GetGuid()}", Cancel);
            Assert.Equal($"استيراد {marker} رقم {index + 1}", article.GetProperty("title").GetString());
        }
    }

    [Fact]
    public async Task A_refused_key_gives_up_with_exit_code_3_and_keeps_no_progress()
    {
        var subscriber = await system.IssueKeyAsync("subscriber", "import-e2e", "import tool refused");
        var file = Path.Combine(_folder, "one.ndjson");
        await File.WriteAllTextAsync(file, "{\"title\":\"t\",\"body\":\"b\"}\n", Cancel);
        var run = await ImportAsync(subscriber, file);
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("403", run.Report.GetProperty("gaveUp").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(file + ".import-checkpoint.json"));
        var usage = await ImportAsync(subscriber, file, "--batch", "0");
        Assert.Equal(2, usage.ExitCode);
    }

    [Fact]
    public async Task An_opml_file_adds_its_feeds_through_the_gateway_and_reports_every_outline()
    {
        await using var feeds = await FeedServer.StartAsync(Cancel);
        var marker = Guid.NewGuid().ToString("N")[..8];
        var opml = Path.Combine(_folder, "feeds.opml");
        await File.WriteAllTextAsync(opml, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <opml version="2.0"><head><title>feeds {marker}</title></head><body>
              <outline text="News">
                <outline type="rss" text="Alpha {marker}" xmlUrl="{feeds.Url($"alpha-{marker}.xml")}"/>
                <outline type="rss" text="Beta {marker}" xmlUrl="{feeds.Url($"beta-{marker}.xml")}"/>
              </outline>
              <outline type="rss" text="Not a feed address" xmlUrl="ftp://127.0.0.1/{marker}.xml"/>
            </body></opml>
            """, Cancel);
        var ids = new List<Guid>();
        try
        {
            var first = await ImportAsync(RunningSystem.OperatorKey, opml);
            ids.AddRange(first.Report.GetProperty("outlines").EnumerateArray()
                .Where(outline => outline.GetProperty("status").GetString() == "created").Select(outline => Guid.Parse(outline.GetProperty("id").GetString()!)));
            // One outline is invalid: done, but not clean.
            Assert.Equal(1, first.ExitCode);
            Assert.Equal(["created", "created", "invalid"], first.Report.GetProperty("outlines").EnumerateArray().Select(outline => outline.GetProperty("status").GetString()));
            Assert.Contains("3 outlines: 2 created, 0 already there, 1 invalid", first.Output, StringComparison.Ordinal);
            foreach (var id in ids)
                Assert.Contains(marker, (await system.Gateway.GetFromJsonAsync<JsonElement>($"/api/v1/sources/{id}", Cancel)).GetProperty("name").GetString(), StringComparison.Ordinal);

            var again = await ImportAsync(RunningSystem.OperatorKey, opml);
            Assert.Equal(["exists", "exists", "invalid"], again.Report.GetProperty("outlines").EnumerateArray().Select(outline => outline.GetProperty("status").GetString()));

            // Sources are operators' business: an integrator's key is refused, and the tool gives up.
            var integrator = await ImportAsync(await system.IssueKeyAsync("integrator", "default", "opml refused"), opml);
            Assert.Equal(3, integrator.ExitCode);
            Assert.Contains("403", integrator.Output, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var id in ids) await system.Gateway.DeleteAsync($"/api/v1/sources/{id}", Cancel);
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
