using BenchmarkDotNet.Attributes;
using NewsMonitor.Classification.Topics;
using NewsMonitor.Text;

namespace NewsMonitor.Benchmarks;

/// <summary>
/// Topic classification per article beside the text core's raw tokenisation of the same text (the baseline, same
/// run): the cue lexicon alone, the product classifier (features, trained model, lexicon), and the whole decision with
/// 200 operator topics (rules in the alert rule language, a fifth of them filtering on entities). Three sample articles
/// per operation.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 12)]
public class TopicClassificationBenchmarks
{
    private IReadOnlyList<string> _articles = [];
    private IReadOnlyList<ArticleTopics> _noted = [];
    private OperatorTopicRules _rules = OperatorTopicRules.None;

    [GlobalSetup]
    public void Setup()
    {
        _articles = Corpus.Articles;
        _ = TopicClassifier.BuiltIn.Classify("", _articles[0]); // load the model outside the measurement
        var at = DateTimeOffset.UnixEpoch;
        var nato = new NewsMonitor.Contracts.ExtractedEntity("nato", "ORG", "NATO", []);
        _noted = _articles.Select(article =>
        {
            var noted = ArticleTopics.Create(new ArticleTextNoted(Guid.NewGuid(), "", article, "bench", "ar", at, at));
            return noted.Apply(new ArticleEntitiesNoted(noted.Id, [nato], at));
        }).ToList();
        // Rule words drawn from the articles themselves, so that some rules hold and the matcher does real work.
        var words = _articles.SelectMany(article => Tokenizer.Tokenize(article).Where(token => token.Kind == TokenKind.Word).Select(token => article.Substring(token.Start, token.Length))).Where(word => word.Length > 3).Distinct().Take(400).ToList();
        var topics = Enumerable.Range(0, 200).Select(i => new OperatorTopic($"topic-{i}",
            i % 5 == 0 ? $"{words[i]} AND entity:NATO" : $"({words[i]} OR \"{words[i + 1]} {words[i + 2]}\") AND NOT كريكيت", null, at, at));
        _rules = new OperatorTopicRules(topics, 1);
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
        foreach (var article in _articles) labels += TopicLexicon.BuiltIn.Scores("", article).Count;
        return labels;
    }

    [Benchmark(Description = "Product classifier (linear-4 + lexicon-4)")]
    public int Classifier()
    {
        var labels = 0;
        foreach (var article in _articles) labels += TopicClassifier.BuiltIn.Classify("", article).Scores.Count;
        return labels;
    }

    [Benchmark(Description = "Classifier + 200 operator topics (TopicAssignment)")]
    public int WithOperatorTopics()
    {
        var labels = 0;
        foreach (var article in _noted) labels += TopicAssignment.Decide(article, TopicClassifier.BuiltIn, _rules, DateTimeOffset.UnixEpoch)!.Topics.Count;
        return labels;
    }
}
