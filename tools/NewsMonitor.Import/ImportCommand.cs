using System.Runtime.InteropServices;
using System.Text.Json;
using NewsMonitor.Import.Articles;
using NewsMonitor.Import.Http;
using NewsMonitor.Import.Opml;
using Spectre.Console;

namespace NewsMonitor.Import;

/// <summary><c>newsmonitor import …</c>: parses the command line, runs the article or OPML import, prints the summary.</summary>
public static class ImportCommand
{
    /// <summary>Runs the command; returns the exit code (<see cref="ImportOptions.Usage"/>).</summary>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, Func<string, string?> environment, CancellationToken stop, CancellationToken abort)
    {
        // The usage text goes out as written: the console would wrap it at 80 columns when not a terminal.
        var output = console.Profile.Out.Writer;
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            output.WriteLine(ImportOptions.Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] != "import")
        {
            output.WriteLine($"unknown command {args[0]}\n\n{ImportOptions.Usage}");
            return 2;
        }
        if (args.Skip(1).Any(arg => arg is "-h" or "--help"))
        {
            output.WriteLine(ImportOptions.Usage);
            return 0;
        }
        var (options, error) = ImportOptions.Parse(args[1..], environment);
        if (options is null)
        {
            console.Write(new Text($"newsmonitor import: {error}\n\n", new Style(Color.Red)));
            output.WriteLine(ImportOptions.Usage);
            return 2;
        }

        using var http = new HttpClient { BaseAddress = new Uri(options.Gateway.ToString().TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("newsmonitor-import/1.0");
        if (InputFiles.IsOpml(options.Input))
            return await OpmlImport.RunAsync(options.Input, new GatewayClient(http, options.Key), console, options.ReportPath, abort);

        if (InputFiles.Of(options.Input).Count == 0)
        {
            console.Write(new Text($"newsmonitor import: no .ndjson, .jsonl or .json files in {options.Input}\n", new Style(Color.Red)));
            return 2;
        }
        ArticleImport? import = null;
        var client = new GatewayClient(http, options.Key, waiting: (reason, wait) => import?.Waiting(reason, wait));
        import = new ArticleImport(options, client, console);
        ImportResult result;
        try
        {
            result = await import.RunAsync(stop, abort);
        }
        catch (JsonException exception)
        {
            console.Write(new Text($"newsmonitor import: the checkpoint {options.CheckpointPath} is unreadable ({exception.Message}); rerun with --restart to start over\n", new Style(Color.Red)));
            return 2;
        }
        Render(console, options, result, client);
        if (options.ReportPath is not null) await File.WriteAllTextAsync(options.ReportPath, Report(result, client), CancellationToken.None);
        return result.ExitCode;
    }

    /// <summary>Runs the process: Ctrl+C or SIGTERM stops after the batch in flight is answered and recorded; a second one aborts it.</summary>
    public static async Task<int> MainAsync(string[] args)
    {
        using var stop = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        void Signal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (stop.IsCancellationRequested) abort.Cancel();
            else stop.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Signal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Signal);
        return await RunAsync(args, AnsiConsole.Console, Environment.GetEnvironmentVariable, stop.Token, abort.Token);
    }

    private static void Render(IAnsiConsole console, ImportOptions options, ImportResult result, GatewayClient client)
    {
        var summary = result.Summary;
        var table = new Table().Title("import summary").AddColumns(new TableColumn("outcome"), new TableColumn("items").RightAligned());
        table.AddRow(new Text("accepted", new Style(Color.Green)), new Text($"{summary.Accepted:N0}"));
        table.AddRow(new Text("duplicates"), new Text($"{summary.Duplicates:N0}"));
        table.AddRow(new Text("rejected", new Style(Color.Red)), new Text($"{summary.Rejected:N0}"));
        foreach (var (status, count) in summary.Other) table.AddRow(new Text(status), new Text($"{count:N0}"));
        table.AddRow(new Text("total"), new Text($"{summary.Items:N0}"));
        console.Write(table);
        if (summary.ReasonCount > 0)
        {
            var reasons = new Table().Title($"rejected: top reasons ({summary.ReasonCount} in all)").AddColumns(new TableColumn("reason"), new TableColumn("items").RightAligned(), new TableColumn("first at"));
            foreach (var reason in summary.TopReasons()) reasons.AddRow(new Text(reason.Reason), new Text($"{reason.Count:N0}"), new Text(reason.FirstAt));
            console.Write(reasons);
        }
        console.WriteLine($"{summary.Files} file(s), {summary.Bytes:N0} bytes this run; {summary.SkippedBytes:N0} bytes done by an earlier run skipped; "
            + $"{client.Requests} request(s), {client.TooManyRequests} answered 429, {client.Retries} retried");
        if (result.GaveUp is not null)
            console.Write(new Text($"gave up: {result.GaveUp}\nrerun the same command to go on from {options.CheckpointPath}\n", new Style(Color.Red)));
        else if (result.Interrupted) console.WriteLine($"interrupted; rerun the same command to go on from {options.CheckpointPath}");
        else if (result.LimitReached) console.WriteLine($"stopped at --limit {options.Limit}; rerun without it to go on from {options.CheckpointPath}");
    }

    /// <summary>The summary as JSON (<c>--report</c>), for scripts.</summary>
    private static string Report(ImportResult result, GatewayClient client)
    {
        var summary = result.Summary;
        return JsonSerializer.Serialize(new
        {
            summary.Accepted, summary.Duplicates, summary.Rejected, other = summary.Other, summary.Items,
            summary.Files, summary.Bytes, summary.SkippedBytes,
            reasons = summary.TopReasons(int.MaxValue),
            client.Requests, client.TooManyRequests, client.Retries,
            result.GaveUp, result.Interrupted, result.LimitReached, result.ExitCode,
        }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });
    }
}
