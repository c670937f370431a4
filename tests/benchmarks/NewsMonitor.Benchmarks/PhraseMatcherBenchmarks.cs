using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using NewsMonitor.Text;

namespace NewsMonitor.Benchmarks;

/// <summary>
/// The phrase matcher with 100,000 phrases loaded (ANERGazet names plus one- to three-word n-grams of
/// ANERcorp train), finding every occurrence in the three sample articles. The baseline is the analysis alone,
/// which the matcher needs anyway, so the difference is the cost of matching.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 12)]
public class PhraseMatcherBenchmarks
{
    public const int PhraseCount = 100_000;
    private PhraseMatcher<int> _matcher = null!;
    private IReadOnlyList<string> _articles = [];

    public static (PhraseMatcher<int> Matcher, TimeSpan BuildTime, long Bytes) Build()
    {
        // Phrases that differ only in spelling variants fold to one key sequence: take them until 100,000 are distinct.
        var phrases = Phrases().Take(PhraseCount * 11 / 10).ToList();
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();
        var matcher = new PhraseMatcher<int>();
        for (var i = 0; i < phrases.Count && matcher.Count < PhraseCount; i++) matcher.Add(phrases[i], i);
        watch.Stop();
        var bytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        return (matcher, watch.Elapsed, bytes);
    }

    /// <summary>Distinct phrases: gazetteer names first, then train-split n-grams.</summary>
    public static IEnumerable<string> Phrases()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in new[] { "PersGazetteer.txt", "LocGazetteer.txt", "OrgGazetteer.txt" })
        {
            foreach (var line in File.ReadLines(Corpus.SharedData("ner/gazetteers/" + file)))
            {
                var name = line.Trim();
                if (name.Length > 2 && !name.StartsWith("====", StringComparison.Ordinal) && !name.StartsWith("****", StringComparison.Ordinal) && seen.Add(name)) yield return name;
            }
        }
        for (var n = 3; n >= 1; n--)
        {
            foreach (var sentence in Corpus.TrainSentences())
            {
                for (var i = 0; i + n <= sentence.Length; i++)
                {
                    var phrase = string.Join(' ', sentence, i, n);
                    if (seen.Add(phrase)) yield return phrase;
                }
            }
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _articles = Corpus.Articles;
        _matcher = Build().Matcher;
        if (_matcher.Count < PhraseCount) throw new InvalidOperationException($"only {_matcher.Count} distinct phrases");
    }

    [Benchmark(Baseline = true, Description = "analysis only")]
    public int AnalyzeOnly()
    {
        var tokens = 0;
        foreach (var article in _articles) tokens += TextAnalyzer.BuiltIn.Analyze(article).Tokens.Count;
        return tokens;
    }

    [Benchmark(Description = "analysis + FindAll, 100,000 phrases")]
    public int FindAll()
    {
        var matches = 0;
        foreach (var article in _articles) matches += _matcher.FindAll(article).Count;
        return matches;
    }
}
