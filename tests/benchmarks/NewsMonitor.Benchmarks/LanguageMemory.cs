using System.Diagnostics;
using System.Globalization;
using NewsMonitor.Ingestion.Articles;

namespace NewsMonitor.Benchmarks;

/// <summary>
/// What ingestion's language detector costs (issue 14): the process's working set and managed heap before and after
/// building it over its 15 languages with every model preloaded, as the service does, and the time per detection on the
/// sample articles. One mode per process: Lingua keeps its models for the whole process.
/// </summary>
public static class LanguageMemory
{
    public static void Run(bool highAccuracy)
    {
        var (workingSet, managed) = Measure();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"before: working set {workingSet} MB, managed heap {managed} MB"));
        var clock = Stopwatch.StartNew();
        var detector = new LanguageDetection(highAccuracy: highAccuracy, preload: true);
        var built = clock.Elapsed;
        (workingSet, managed) = Measure();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(highAccuracy ? "high" : "low")}-accuracy detector over {LanguageDetection.Languages.Count} languages built in {built.TotalSeconds:F1} s: working set {workingSet} MB, managed heap {managed} MB"));

        foreach (var article in Corpus.Articles) detector.Detect("", article);
        clock.Restart();
        const int rounds = 20;
        for (var i = 0; i < rounds; i++) foreach (var article in Corpus.Articles) detector.Detect("", article);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"detection: {clock.Elapsed.TotalMilliseconds / (rounds * Corpus.Articles.Count):F2} ms per article (first {LanguageDetection.MaxSampleLength:N0} characters); sample 1 is {detector.Detect("", Corpus.Articles[0])}"));
        GC.KeepAlive(detector);
    }

    private static (long WorkingSet, long Managed) Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return (process.WorkingSet64 >> 20, GC.GetTotalMemory(true) >> 20);
    }
}
