using BenchmarkDotNet.Attributes;
using NewsMonitor.Entities.Recognition;
using NewsMonitor.Text;

namespace NewsMonitor.Benchmarks;

/// <summary>
/// Entity extraction per article beside the text core's raw tokenisation of the same text (the baseline,
/// measured in the same run): the three sample articles per operation. Extraction = analysis, catalog matching
/// over 670 entities, both tagger passes, coreference and numeric entities.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 12)]
public class EntityExtractionBenchmarks
{
    private IReadOnlyList<string> _articles = [];
    private EntityRecognizer _recognizer = null!;
    private EntityRecognizer? _previous;

    /// <summary>Environment variable naming a previous model file to measure beside the shipped one in the same run.</summary>
    public const string PreviousModelVariable = "NEWSMONITOR_NER_PREVIOUS_MODEL";

    [GlobalSetup]
    public void Setup()
    {
        _articles = Corpus.Articles;
        _recognizer = new EntityRecognizer(BuiltInData.TrainedTagger, EntityCatalog.BuiltIn());
        _ = _recognizer.Extract(_articles[0]); // load model, lexicon and word cache outside the measurement
        // e.g. git show <commit>:services/NewsMonitor.Entities/Data/ner-model.bin > /tmp/previous.bin
        if (Environment.GetEnvironmentVariable(PreviousModelVariable) is { Length: > 0 } previous)
        {
            _previous = new EntityRecognizer(BuiltInData.LoadTagger(File.OpenRead(previous)), EntityCatalog.BuiltIn());
            _ = _previous.Extract(_articles[0]);
        }
    }

    [Benchmark(Baseline = true, Description = "Text core tokenisation")]
    public int Tokenize()
    {
        var tokens = 0;
        foreach (var article in _articles) tokens += Tokenizer.Tokenize(article).Count;
        return tokens;
    }

    [Benchmark(Description = "Entity extraction (tagger + catalog + coreference + numbers)")]
    public int Extract()
    {
        var entities = 0;
        foreach (var article in _articles) entities += _recognizer.Extract(article).Count;
        return entities;
    }

    [Benchmark(Description = "Entity extraction with the previous model (NEWSMONITOR_NER_PREVIOUS_MODEL)")]
    public int ExtractPrevious()
    {
        var recognizer = _previous ?? throw new InvalidOperationException($"Set {PreviousModelVariable} to a previous ner-model.bin to measure it beside the shipped one.");
        var entities = 0;
        foreach (var article in _articles) entities += recognizer.Extract(article).Count;
        return entities;
    }
}
