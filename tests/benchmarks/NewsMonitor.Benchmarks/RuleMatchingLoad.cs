using System.Diagnostics;
using System.Globalization;
using NewsMonitor.Text.Rules;
using NewsMonitor.Text;

namespace NewsMonitor.Benchmarks;

/// <summary>
/// `matcher --subscriptions N`: generates N realistic rules (Arabic words of the sample corpus and ANERcorp
/// train, gazetteer names, phrases, boolean mixes, wildcards, NEAR, entity and topic filters), matches a stream
/// of articles through the presearcher, and evaluates every rule naively on some of the same articles in the
/// same run on the sample articles and ANERcorp dev. Ends with `speedup &lt;naive/indexed&gt; p99-ms &lt;per-article p99&gt;`.
/// </summary>
public static class RuleMatchingLoad
{
    private const int Passes = 3;

    private static readonly string[] Topics = ["politics", "international", "defense", "conflict", "economy", "technology", "health", "sports"];

    /// <summary>The generated rules and articles of a run (also used to profile the matcher).</summary>
    public static (List<RuleEntry> Rules, List<ArticleFacts> Articles) Workload(int subscriptions)
    {
        var random = new Random(2026);
        var (words, phrases, contentWords) = Vocabulary();
        var names = Names();
        var rules = new List<RuleEntry>(subscriptions);
        while (rules.Count < subscriptions)
        {
            if (AlertRule.Parse(Generate(random, words, names, phrases, contentWords)).Rule is { } rule) rules.Add(new RuleEntry(Guid.NewGuid(), rule));
        }
        return (rules, Articles(random, names));
    }

    private static string[] Names() => File.ReadLines(Corpus.SharedData("ner/gazetteers/LocGazetteer.txt"))
        .Concat(File.ReadLines(Corpus.SharedData("ner/gazetteers/PersGazetteer.txt")))
        .Where(name => name.Length > 3 && !name.StartsWith("====", StringComparison.Ordinal) && !name.StartsWith("****", StringComparison.Ordinal)).Distinct().ToArray();

    public static void Run(int subscriptions, int naiveArticles)
    {
        var random = new Random(2026);
        var (words, phrases, contentWords) = Vocabulary();
        var names = Names();

        var texts = new List<string>();
        var rules = new List<RuleEntry>(subscriptions);
        var watch = Stopwatch.StartNew();
        while (rules.Count < subscriptions)
        {
            var text = Generate(random, words, names, phrases, contentWords);
            if (AlertRule.Parse(text).Rule is { } rule) rules.Add(new RuleEntry(Guid.NewGuid(), rule));
            if (texts.Count < 12) texts.Add(text);
        }
        var parse = watch.Elapsed;
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        watch.Restart();
        var matcher = new RuleMatcher(rules);
        var build = watch.Elapsed;
        var bytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        Console.WriteLine($"{rules.Count:N0} rules generated and parsed in {parse.TotalSeconds:F1} s, indexed in {build.TotalSeconds:F1} s, index {bytes / 1024.0 / 1024.0:F0} MB managed heap; for example:");
        foreach (var text in texts) Console.WriteLine("  " + text);

        var articles = Articles(random, names);
        // Warm-up passes over the stream (JIT, the analyzer's per-word cache, as a running service has them), and the
        // garbage of building 100,000 rules collected, then the measured passes. Three, not one: tiered compilation
        // recompiles a method after 30 calls, and after a single pass one article of the first measured pass (the
        // 10th, every run) took 30-34 ms instead of 3 while that happened, a stall a running service pays once.
        for (var warmUp = 0; warmUp < 3; warmUp++) foreach (var article in articles) matcher.Match(article);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        // The stream is matched three times over (150 article matches), so the p99 is not just the single slowest.
        var times = new List<double>();
        var hits = 0;
        var slowest = (Ms: 0.0, Characters: 0, Alerts: 0);
        for (var pass = 0; pass < Passes; pass++)
        {
            foreach (var article in articles)
            {
                watch.Restart();
                var found = matcher.Match(article).Count;
                var ms = watch.Elapsed.TotalMilliseconds;
                if (pass == 0) hits += found;
                times.Add(ms);
                if (ms > slowest.Ms) slowest = (ms, article.Text.Length, found);
            }
        }
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"slowest article: {slowest.Ms:F2} ms, {slowest.Characters} characters, {slowest.Alerts} alerts"));
        var analysis = articles.Select(article => { watch.Restart(); TextAnalyzer.BuiltIn.Analyze(article.Text); return watch.Elapsed.TotalMilliseconds; }).Average();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"analysis alone (the baseline every matcher pays): {analysis:F2} ms per article, {articles.Average(article => article.Text.Length):F0} characters on average"));
        double P(double q) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(q * times.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"indexed: {articles.Count} articles × {Passes} passes, {hits:N0} alerts a pass, per article mean {times.Average():F2} ms, p50 {P(0.5):F2} ms, p99 {P(0.99):F2} ms, max {times[^1]:F2} ms"));

        var naive = new List<double>();
        var indexed = new List<double>();
        foreach (var article in articles.Take(naiveArticles))
        {
            watch.Restart();
            var expected = matcher.MatchNaively(article);
            naive.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            var actual = matcher.Match(article);
            indexed.Add(watch.Elapsed.TotalMilliseconds);
            var difference = expected.Select(hit => hit.Id).ToHashSet();
            difference.SymmetricExceptWith(actual.Select(hit => hit.Id));
            if (difference.Count > 0)
            {
                var byId = rules.ToDictionary(rule => rule.Id, rule => rule.Rule.Text);
                var side = expected.Any(hit => difference.Contains(hit.Id)) ? "only naive" : "only indexed";
                throw new InvalidOperationException($"The presearcher and naive evaluation disagree ({side}) on: " + string.Join(" | ", difference.Take(5).Select(id => byId[id])) + "\nin: " + article.Text[..Math.Min(300, article.Text.Length)]);
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"naive: every rule evaluated directly on {naive.Count} of the same articles: mean {naive.Average():F0} ms per article (indexed on the same: {indexed.Average():F2} ms); same alerts"));
        Console.WriteLine($"memory: {GC.GetTotalMemory(false) / 1024.0 / 1024.0:F0} MB managed heap in use, {Environment.WorkingSet / 1024.0 / 1024.0:F0} MB working set");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"speedup {naive.Average() / indexed.Average():F1} p99-ms {P(0.99):F2}"));
    }

    private static string Generate(Random random, string[] words, string[] names, string[] phrases, string[] contentWords)
    {
        string N() => names[random.Next(names.Length)];
        string W() => words[random.Next(words.Length)];
        string C() => contentWords[random.Next(contentWords.Length)];
        string Q() => $"\"{phrases[random.Next(phrases.Length)]}\"";
        var roll = random.Next(100);
        return roll switch
        {
            < 20 => W(),
            < 35 => Q(),
            < 45 => $"\"{N()}\"",
            < 60 => $"{W()} {C()}",
            < 70 => $"({W()} OR {Q()}) {C()}",
            < 76 => $"{W()} NOT {C()}",
            < 80 => Prefix(W()) + "*",
            < 86 => $"{W()} NEAR/5 {C()}",
            < 93 => $"{C()} entity:\"{N()}\"",
            _ => $"topic:{Topics[random.Next(Topics.Length)]} {W()}",
        };
    }

    // A wildcard on the first five letters of a name word, after a conjunction or preposition: أوكرا* from وأوكرانيا.
    private static string Prefix(string word)
    {
        var stem = word.Length > 5 && word[0] is 'و' or 'ب' or 'ل' ? word[1..] : word;
        return stem[..Math.Min(5, stem.Length)];
    }

    // Name words (words ANERcorp train tags as part of a name, five letters or more), other content words (not
    // function words), and two-word phrases of content words, from ANERcorp train and the sample corpus.
    private static (string[] Words, string[] Phrases, string[] ContentWords) Vocabulary()
    {
        var lexicon = ArabicLexicon.BuiltIn;
        var sentences = Corpus.TrainSentences().Concat(Corpus.Articles.Select(article => Tokenizer.Tokenize(article)
            .Where(token => token.Kind == TokenKind.Word).Select(token => article.Substring(token.Start, token.Length)).ToArray())).ToList();
        bool Content(string word) => word.Length >= 4 && !lexicon.Lookup(ArabicNormalizer.Normalize(word)).IsStopword;
        var named = File.ReadLines(Corpus.SharedData("ner/anercorp/train.conll")).Select(line => line.Split(' '))
            .Where(parts => parts.Length == 2 && parts[1] != "O" && ArabicNormalizer.Normalize(parts[0]).Length >= 5 && Content(parts[0]))
            .Select(parts => parts[0]).Distinct().ToArray();
        var content = sentences.SelectMany(sentence => sentence).Where(Content).Distinct().ToArray();
        var phrases = sentences.SelectMany(sentence => sentence.Zip(sentence.Skip(1), (a, b) => (a, b)))
            .Where(pair => Content(pair.a) && Content(pair.b)).Select(pair => pair.a + " " + pair.b).Distinct().ToArray();
        return (named, phrases, content);
    }

    // The three samples and articles of 15 sentences of ANERcorp dev (the rules' words come from train, so the
    // articles are not made of them), each with entity and topic facts.
    private static List<ArticleFacts> Articles(Random random, string[] names)
    {
        var texts = Corpus.Articles.ToList();
        var sentences = Corpus.Sentences("ner/anercorp/dev.conll").Select(sentence => string.Join(' ', sentence)).ToList();
        for (var i = 0; i + 15 <= sentences.Count; i += 15) texts.Add(string.Join(". ", sentences.Skip(i).Take(15)));
        return texts.Select(text => new ArticleFacts(text, "benchmark", "ar",
            Enumerable.Range(0, 4).Select(_ => names[random.Next(names.Length)]).Select(name => (name, name, "LOC", (IReadOnlyList<string>)[name])).ToList(),
            [Topics[random.Next(Topics.Length)], Topics[random.Next(Topics.Length)]])).ToList();
    }
}
