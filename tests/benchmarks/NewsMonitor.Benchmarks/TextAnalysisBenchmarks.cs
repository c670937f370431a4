using BenchmarkDotNet.Attributes;
using Lucene.Net.Analysis.Ar;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Util;
using NewsMonitor.Text;

namespace NewsMonitor.Benchmarks;

/// <summary>
/// The same three articles through Lucene.Net's ArabicAnalyzer (letter tokenizer, stop words, normalisation,
/// light10 stemming) and through our text core: tokenisation alone, and the full analysis (keys, lexicon-checked
/// clitic segmentation, numeric expressions), once segmenting every word and once with the analyzer's cache of
/// already-seen written words warm (what a running service sees). One operation = all three articles.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 12)]
public class TextAnalysisBenchmarks
{
    private readonly ArabicAnalyzer _lucene = new(LuceneVersion.LUCENE_48);
    private IReadOnlyList<string> _articles = [];

    /// <summary>Word and number tokens in one operation's input (our tokenizer's count): the unit of the token rates.</summary>
    public static int InputTokens { get; } = Corpus.Articles.Sum(article => Tokenizer.Tokenize(article).Count(token => token.IsContent));

    [GlobalSetup]
    public void Setup()
    {
        _articles = Corpus.Articles;
        _ = TextAnalyzer.BuiltIn.Analyze("تحميل المعجم"); // load the lexicon outside the measurement
    }

    [Benchmark(Baseline = true, Description = "Lucene.Net ArabicAnalyzer (light10)")]
    public int Lucene()
    {
        var terms = 0;
        foreach (var article in _articles)
        {
            using var stream = _lucene.GetTokenStream("body", new StringReader(article));
            var term = stream.AddAttribute<ICharTermAttribute>();
            stream.Reset();
            while (stream.IncrementToken()) terms += term.Length > 0 ? 1 : 0;
            stream.End();
        }
        return terms;
    }

    [Benchmark(Description = "NewsMonitor tokenise + normalise")]
    public int Tokenize()
    {
        var tokens = 0;
        foreach (var article in _articles) tokens += Tokenizer.Tokenize(article).Count;
        return tokens;
    }

    private readonly TextAnalyzer _cold = new(CliticSegmenter.BuiltIn, rememberWords: false);

    [Benchmark(Description = "NewsMonitor full analysis, every word segmented")]
    public int FullAnalysisCold() => Analyze(_cold);

    [Benchmark(Description = "NewsMonitor full analysis, word cache warm")]
    public int FullAnalysisWarm() => Analyze(TextAnalyzer.BuiltIn);

    private int Analyze(TextAnalyzer analyzer)
    {
        var count = 0;
        foreach (var article in _articles)
        {
            var analyzed = analyzer.Analyze(article);
            count += analyzed.Tokens.Count + analyzed.Numbers.Count;
        }
        return count;
    }
}
