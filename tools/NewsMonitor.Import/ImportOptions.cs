using System.Globalization;

namespace NewsMonitor.Import;

/// <summary>The command line of <c>newsmonitor import</c>, parsed.</summary>
/// <param name="Input">A file (.ndjson, .jsonl, .json, .opml) or a folder of article files.</param>
/// <param name="Gateway">The gateway's base address.</param>
/// <param name="Key">The API key (an integrator's for articles, an operator's for OPML).</param>
/// <param name="Batch">Items per request.</param>
/// <param name="CheckpointPath">Where the resume point is kept.</param>
/// <param name="Restart">Ignore (and overwrite) the checkpoint.</param>
/// <param name="Limit">Stop after this many items this run (the checkpoint says where; a rerun goes on), or null.</param>
/// <param name="ReportPath">Where to write the summary as JSON too, or null.</param>
public sealed record ImportOptions(string Input, Uri Gateway, string Key, int Batch, string CheckpointPath, bool Restart, long? Limit, string? ReportPath)
{
    /// <summary>Environment variable read when <c>--key</c> is not given.</summary>
    public const string KeyVariable = "NEWSMONITOR_API_KEY";

    /// <summary>Environment variable read when <c>--gateway</c> is not given.</summary>
    public const string GatewayVariable = "NEWSMONITOR_GATEWAY";

    /// <summary>The gateway <c>deploy/local/up</c> starts.</summary>
    public const string DefaultGateway = "http://127.0.0.1:8080";

    /// <summary>The usage text.</summary>
    public const string Usage = """
        usage: newsmonitor import <file.ndjson | folder | feeds.opml> [options]

          Articles (NDJSON lines; a folder of .ndjson, .jsonl and .json files; a .json file holds one article or an
          array) go through POST /api/v1/articles/batch with an integrator's (or operator's) key. An OPML file of feeds
          goes to POST /api/v1/sources/opml with an operator's key.

          --gateway <url>      the gateway (default $NEWSMONITOR_GATEWAY, else http://127.0.0.1:8080)
          --key <key>          the API key (default $NEWSMONITOR_API_KEY; prefer the variable: a command line is visible to others)
          --batch <n>          articles per request, 1-1000 (default 200)
          --checkpoint <file>  resume point (default <input>.import-checkpoint.json next to the input)
          --restart            ignore the checkpoint and import everything again
          --limit <n>          stop after n articles this run; a rerun goes on from there
          --report <file>      also write the summary as JSON

        exit codes: 0 done, nothing rejected; 1 done, some items rejected (the summary says why); 2 usage;
                    3 gave up (gateway unreachable, key refused, repeated server errors; rerun to resume); 130 interrupted
        """;

    /// <summary>
    /// Parses <paramref name="args"/> (after the <c>import</c> verb); <paramref name="environment"/> reads environment variables.
    /// Returns the options, or the problem with the command line.
    /// </summary>
    public static (ImportOptions? Options, string? Error) Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        string? input = null, gateway = null, key = null, checkpoint = null, report = null;
        int batch = 200;
        long? limit = null;
        var restart = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? Value() => i + 1 < args.Count ? args[++i] : null;
            switch (arg)
            {
                case "--gateway": gateway = Value() ?? ""; break;
                case "--key": key = Value() ?? ""; break;
                case "--checkpoint": checkpoint = Value() ?? ""; break;
                case "--report": report = Value() ?? ""; break;
                case "--restart": restart = true; break;
                case "--batch":
                    if (!int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out batch) || batch is < 1 or > Articles.BatchLimits.EndpointMaxItems)
                        return (null, $"--batch takes a number from 1 to {Articles.BatchLimits.EndpointMaxItems}");
                    break;
                case "--limit":
                    if (!long.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1) return (null, "--limit takes a positive number");
                    limit = n;
                    break;
                default:
                    if (arg.StartsWith("--", StringComparison.Ordinal)) return (null, $"unknown option {arg}");
                    if (input is not null) return (null, $"one input only (got {input} and {arg})");
                    input = arg;
                    break;
            }
        }
        if (input is null) return (null, "name a file or folder to import");
        if (!File.Exists(input) && !Directory.Exists(input)) return (null, $"{input} does not exist");
        gateway ??= environment(GatewayVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultGateway;
        if (!Uri.TryCreate(gateway, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            return (null, $"--gateway must be an http or https address (got \"{gateway}\")");
        key ??= environment(KeyVariable);
        if (string.IsNullOrWhiteSpace(key)) return (null, $"give an API key with --key or {KeyVariable}");
        if (checkpoint is "" || report is "") return (null, "--checkpoint and --report take a file name");
        return (new ImportOptions(input, address, key.Trim(), batch, checkpoint ?? Articles.Checkpoint.DefaultPathFor(input), restart, limit, report), null);
    }
}
