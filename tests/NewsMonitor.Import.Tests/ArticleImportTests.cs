using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NewsMonitor.Import.Articles;
using NewsMonitor.Import.Http;
using NewsMonitor.Testing;
using Spectre.Console;

namespace NewsMonitor.Import.Tests;

/// <summary>
/// The import loop against a real loopback HTTP server answering per item as the batch endpoint does (api.md): stopping
/// after a batch and running again sends every line exactly once; the checkpoint records the answered batches.
/// </summary>
public sealed class ArticleImportTests : IAsyncLifetime
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"nm-import-{Guid.NewGuid():N}");
    private readonly List<string> _received = [];
    private readonly List<string> _contentTypes = [];
    private WebApplication _peer = null!;
    private Action<int>? _onRequest;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _peer = await LoopbackHttpServer.StartAsync(app => app.MapPost("/api/v1/articles/batch", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            List<string> lines;
            if (request.ContentType!.StartsWith("application/json", StringComparison.Ordinal))
                lines = JsonDocument.Parse(body).RootElement.EnumerateArray().Select(element => element.GetRawText()).ToList();
            else lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
            int count;
            lock (_received)
            {
                _received.AddRange(lines);
                _contentTypes.Add(request.ContentType!);
                count = _contentTypes.Count;
            }
            _onRequest?.Invoke(count);
            var items = lines.Select((line, index) =>
            {
                try
                {
                    var title = JsonDocument.Parse(line).RootElement.GetProperty("title").GetString()!;
                    return (object)new { index, status = title.StartsWith("dup", StringComparison.Ordinal) ? "duplicate" : "accepted" };
                }
                catch (Exception exception) when (exception is JsonException or KeyNotFoundException)
                {
                    return new { index, status = "invalid", errors = new Dictionary<string, string[]> { ["body"] = ["not an article"] } };
                }
            }).ToList();
            return Results.Json(new { items });
        }));
    }

    public async ValueTask DisposeAsync()
    {
        await _peer.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private static IAnsiConsole Console(StringWriter output) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output), Interactive = InteractionSupport.No, Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors,
    });

    private async Task<ImportResult> RunAsync(ImportOptions options, CancellationToken stop)
    {
        using var http = new HttpClient { BaseAddress = new Uri(LoopbackHttpServer.AddressOf(_peer).TrimEnd('/') + "/") };
        var import = new ArticleImport(options, new GatewayClient(http, options.Key), Console(new StringWriter()));
        return await import.RunAsync(stop, Cancel);
    }

    private ImportOptions Options(string input, int batch = 10, bool restart = false, long? limit = null) =>
        new(input, new Uri(LoopbackHttpServer.AddressOf(_peer)), "nm_k", batch, Checkpoint.DefaultPathFor(input), restart, limit, null);

    [Fact]
    public async Task Stopped_after_a_batch_and_run_again_every_line_is_sent_exactly_once()
    {
        var file = Path.Combine(_folder, "articles.ndjson");
        var lines = Enumerable.Range(1, 25).Select(i => i == 5 ? "this is not json" : JsonSerializer.Serialize(new { title = (i is 7 or 20 ? "dup " : "t ") + i, body = "b" })).ToList();
        await File.WriteAllTextAsync(file, string.Join("\n", lines) + "\n", Cancel);

        using var stop = new CancellationTokenSource();
        _onRequest = _ => stop.Cancel();
        var first = await RunAsync(Options(file), stop.Token);
        Assert.True(first.Interrupted);
        Assert.Equal(130, first.ExitCode);
        Assert.Equal(lines.Take(10), _received);
        var checkpoint = await Checkpoint.LoadAsync(Checkpoint.DefaultPathFor(file), Cancel);
        Assert.Equal(new FileProgress(Encoding.UTF8.GetByteCount(string.Join("\n", lines.Take(10)) + "\n"), 10, new FileInfo(file).Length, 8, 1, 1), checkpoint.Files["articles.ndjson"]);

        _onRequest = null;
        var second = await RunAsync(Options(file), CancellationToken.None);
        Assert.False(second.Interrupted);
        Assert.Equal(lines, _received);
        Assert.Equal((14, 1, 0), (second.Summary.Accepted, second.Summary.Duplicates, second.Summary.Rejected));
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(checkpoint.Files["articles.ndjson"].Offset, second.Summary.SkippedBytes);

        // A third run has nothing left to send; --restart sends everything again.
        var third = await RunAsync(Options(file), CancellationToken.None);
        Assert.Equal(0, third.Summary.Items);
        Assert.Equal(25, _received.Count);
        var again = await RunAsync(Options(file, restart: true), CancellationToken.None);
        Assert.Equal(50, _received.Count);
        Assert.Equal((22, 2, 1), (again.Summary.Accepted, again.Summary.Duplicates, again.Summary.Rejected));
        Assert.Equal(1, again.ExitCode);
    }

    [Fact]
    public async Task On_a_terminal_the_progress_bar_runs_with_file_names_that_look_like_markup()
    {
        var file = Path.Combine(_folder, "[red]odd name[x].ndjson");
        await File.WriteAllTextAsync(file, string.Join("\n", Enumerable.Range(1, 30).Select(i => $"{{\"title\":\"t{i}\",\"body\":\"b\"}}")), Cancel);
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Interactive = InteractionSupport.Yes, Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.TrueColor });
        using var http = new HttpClient { BaseAddress = new Uri(LoopbackHttpServer.AddressOf(_peer).TrimEnd('/') + "/") };
        var import = new ArticleImport(Options(file), new GatewayClient(http, "nm_k"), console);
        var result = await import.RunAsync(CancellationToken.None, Cancel);
        import.Waiting("429 [too many] requests", TimeSpan.FromSeconds(2));
        Assert.Equal(30, result.Summary.Accepted);
        Assert.Contains("[red]odd name[x].ndjson", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(30, _received.Count);
    }

    [Fact]
    public async Task A_folder_of_ndjson_jsonl_and_json_files_is_imported_file_by_file_in_order_with_limit_and_resume()
    {
        var folder = Path.Combine(_folder, "in");
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        await File.WriteAllTextAsync(Path.Combine(folder, "a.ndjson"), "{\"title\":\"a1\",\"body\":\"b\"}\n{\"title\":\"a2\",\"body\":\"b\"}\n", Cancel);
        await File.WriteAllTextAsync(Path.Combine(folder, "b.json"), "[\n {\"title\": \"b1\",\n  \"body\": \"b\"},\n {\"title\": \"b2\", \"body\": \"b\"}\n]\n", Cancel);
        await File.WriteAllTextAsync(Path.Combine(folder, "sub", "c.jsonl"), "{\"title\":\"c1\",\"body\":\"b\"}\n", Cancel);
        await File.WriteAllTextAsync(Path.Combine(folder, "notes.txt"), "not an input", Cancel);

        var first = await RunAsync(Options(folder, batch: 2, limit: 2), CancellationToken.None);
        Assert.True(first.LimitReached);
        Assert.Equal(2, _received.Count);
        var second = await RunAsync(Options(folder, batch: 2), CancellationToken.None);
        Assert.Equal(["a1", "a2", "b1", "b2", "c1"], _received.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("title").GetString()));
        Assert.Equal(["application/x-ndjson", "application/json", "application/x-ndjson"], _contentTypes.Select(type => type.Split(';')[0]));
        Assert.Equal(3, second.Summary.Accepted);
        Assert.True(File.Exists(folder + ".import-checkpoint.json"));
    }
}
