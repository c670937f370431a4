using System.Globalization;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using NewsMonitor.Benchmarks;

// dotnet run -c Release --project tests/benchmarks/NewsMonitor.Benchmarks -- text | phrases | entities | topics | accuracy | feeds | all
//                                                                         -- matcher --subscriptions 100000 [--naive-articles 3]
//                                                                         -- sources-memory [--sources 5000] [--seconds 90] [--interval 300]
//                                                                         -- neardup   (NEARDUP_SHOW=0.25 also prints negatives called near copies)
//                                                                         -- language [--high]
//                                                                         -- events-catchup [--events 20000] [--page 1000]
//                                                                         -- reconnect-storm [--clients 100] [--alerts 1000] [--max-connection-ms 1500]
var what = args.FirstOrDefault() ?? "all";
if (what == "sources-memory")
{
    int Option(string name, int fallback) => Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    await PollerMemoryLoad.RunAsync(Option("--sources", 5_000), Option("--seconds", 90), Option("--interval", 300));
    return;
}
if (what == "events-catchup")
{
    int Option(string name, int fallback) => Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    await EventFeedCatchUp.RunAsync(Option("--events", 20_000), Option("--page", 1_000));
    return;
}
if (what == "reconnect-storm")
{
    int Option(string name, int fallback) => Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    await ReconnectStorm.RunAsync(Option("--clients", 100), Option("--alerts", 1_000), Option("--max-connection-ms", 1_500));
    return;
}
if (what == "neardup")
{
    NearDuplicateAccuracy.Run();
    return;
}
if (what == "language")
{
    LanguageMemory.Run(highAccuracy: args.Contains("--high"));
    return;
}
if (what == "matcher")
{
    int Option(string name, int fallback) => Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    RuleMatchingLoad.Run(Option("--subscriptions", 100_000), Option("--naive-articles", 3));
    return;
}
if (what is "accuracy" or "all") PrintAccuracy();
if (what is "text" or "all") PrintRates(BenchmarkRunner.Run<TextAnalysisBenchmarks>(), TextAnalysisBenchmarks.InputTokens, Corpus.Articles.Count);
if (what is "entities" or "all") PrintRates(BenchmarkRunner.Run<EntityExtractionBenchmarks>(), TextAnalysisBenchmarks.InputTokens, Corpus.Articles.Count);
if (what is "topics" or "all") PrintRates(BenchmarkRunner.Run<TopicClassificationBenchmarks>(), TextAnalysisBenchmarks.InputTokens, Corpus.Articles.Count);
if (what is "phrases" or "all")
{
    var (matcher, buildTime, bytes) = PhraseMatcherBenchmarks.Build();
    var found = Corpus.Articles.Sum(article => matcher.FindAll(article).Count);
    Console.WriteLine($"phrase matcher: {matcher.Count:N0} phrases built in {buildTime.TotalSeconds:F1} s, {bytes / 1024.0 / 1024.0:F0} MB managed heap; {found:N0} occurrences in the {Corpus.Articles.Count} articles");
    PrintRates(BenchmarkRunner.Run<PhraseMatcherBenchmarks>(), TextAnalysisBenchmarks.InputTokens, Corpus.Articles.Count);
}
if (what is "feeds" or "all") PrintFeedRates(BenchmarkRunner.Run<FeedParsingBenchmarks>());
return;

static void PrintFeedRates(Summary summary)
{
    Console.WriteLine();
    Console.WriteLine("| benchmark | mean per operation | input MB/s | documents/s | relative to its raw read | allocated per operation |");
    Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
    var means = summary.Reports.Where(report => report.ResultStatistics is not null)
        .ToDictionary(report => report.BenchmarkCase.Descriptor.WorkloadMethod.Name, report => report.ResultStatistics!.Mean);
    foreach (var report in summary.Reports)
    {
        if (report.ResultStatistics is null) continue;
        var method = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
        var pages = method.EndsWith("Pages", StringComparison.Ordinal);
        var (bytes, documents) = pages ? (FeedParsingBenchmarks.PageBytes, FeedParsingBenchmarks.Pages.Count) : (FeedParsingBenchmarks.FeedBytes, FeedParsingBenchmarks.Feeds.Count);
        var meanNs = report.ResultStatistics.Mean;
        var raw = means.GetValueOrDefault(pages ? "RawPages" : "RawFeeds");
        var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo} | {meanNs / 1e3:F1} µs | {bytes / (meanNs / 1e9) / 1e6:F1} | {documents / (meanNs / 1e9):N0} | {(raw > 0 ? (meanNs / raw).ToString("F1", CultureInfo.InvariantCulture) + "× the raw time" : "")} | {allocated / 1024.0:F0} KB |"));
    }
    Console.WriteLine($"({FeedParsingBenchmarks.Feeds.Count} feed documents, {FeedParsingBenchmarks.FeedBytes:N0} bytes; {FeedParsingBenchmarks.Pages.Count} pages, {FeedParsingBenchmarks.PageBytes:N0} bytes per operation)");
}

static void PrintAccuracy()
{
    var (cases, ours, lucene, rows) = SegmentationAccuracy.Run();
    Console.WriteLine("| word | expected | expected stem | NewsMonitor stem | Lucene light10 stem |");
    Console.WriteLine("| --- | --- | --- | --- | --- |");
    foreach (var row in rows) Console.WriteLine(row);
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"segmentation stem accuracy on {cases} cases: NewsMonitor {ours}/{cases} ({100.0 * ours / cases:F1}%), Lucene.Net light10 {lucene}/{cases} ({100.0 * lucene / cases:F1}%)"));
}

static void PrintRates(Summary summary, int tokensPerOperation, int articlesPerOperation)
{
    Console.WriteLine();
    Console.WriteLine($"| benchmark | mean per operation | input tokens/s | relative to baseline | allocated per article |");
    Console.WriteLine("| --- | --- | --- | --- | --- |");
    var baseline = summary.Reports.FirstOrDefault(report => report.BenchmarkCase.Descriptor.Baseline)?.ResultStatistics?.Mean;
    foreach (var report in summary.Reports)
    {
        if (report.ResultStatistics is null) continue;
        var meanNs = report.ResultStatistics.Mean;
        var rate = tokensPerOperation / (meanNs / 1e9);
        var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo} | {meanNs / 1e6:F2} ms | {rate / 1e6:F2} M | {(baseline is { } b ? (b / meanNs).ToString("F2", CultureInfo.InvariantCulture) + "× rate" : "")} | {allocated / articlesPerOperation / 1024.0:F0} KB |"));
    }
    Console.WriteLine($"({tokensPerOperation:N0} word and number tokens in {articlesPerOperation} articles per operation)");
}
