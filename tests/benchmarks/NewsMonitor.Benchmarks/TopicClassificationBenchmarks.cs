using BenchmarkDotNet.Attributes;
using NewsMonitor.Classification.Topics;
using NewsMonitor.Text;

namespace NewsMonitor.Benchmarks;

/// <summary>
/// Topic classification per article beside the text core's raw tokenisation of the same text (the baseline, same
/// run): the cue lexicon alone, and the product classifier (features, trained model, lexicon). Three sample articles
/// per operation.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 12)]
public class TopicClassificationBenchmarks
{
    private IReadOnlyList<string> _articles = [];

    [GlobalSetup]
    public void Setup()
    {
        _articles = Corpus.Articles;
        _ = TopicClassifier.BuiltIn.Classify("", _articles[0]); // load the model outside the measurement
    }

    [Benchmark(Baseline = true, Description = "Text core tokenisation")]
    public int Tokenize()
    {
        var tokens = 0;
        foreach (var article in _articles) tokens += Tokenizer.Tokenize(article).Count;
        return tokens;
    }

    [Benchmark(Description = "Cue lexicon (lexicon-1)")]
    public int Lexicon()
    {
        var labels = 0;
        foreach (var article in _articles) labels += TopicLexicon.BuiltIn.Classify("", article).Count;
        return labels;
    }

    [Benchmark(Description = "Product classifier (linear-1 + lexicon-1)")]
    public int Classifier()
    {
        var labels = 0;
        foreach (var article in _articles) labels += TopicClassifier.BuiltIn.Classify("", article).Scores.Count;
        return labels;
    }
}
