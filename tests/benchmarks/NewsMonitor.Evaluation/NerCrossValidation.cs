using System.Diagnostics;
using NewsMonitor.Entities.Recognition;

namespace NewsMonitor.Evaluation;

/// <summary>
/// k-fold cross-validation of the two-pass tagger over train + dev: contiguous sentence blocks (ANERcorp has no
/// document breaks, and neighbouring sentences share a story, so a random split would leak names between folds),
/// fixed epochs (no selection inside a fold), per-type precision/recall/F1 as mean ± standard deviation of the folds.
/// </summary>
internal static class NerCrossValidation
{
    public static int Run(List<(TaggerWord[] Words, string[] Tags)> sentences, NameGazetteer gazetteer, WordClusters? clusters, int folds, int firstEpochs, int secondEpochs, int parallel)
    {
        Console.WriteLine($"cross-validation: {sentences.Count} sentences (train + dev in file order), {folds} contiguous folds, {firstEpochs} + {secondEpochs} epochs, clusters {(clusters is null ? "off" : clusters.Count + " words")}");
        var watch = Stopwatch.StartNew();
        var blockSize = (sentences.Count + folds - 1) / folds;
        var scores = new EntityScore[folds];
        var consistent = new EntityScore[folds];
        Parallel.For(0, folds, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallel) }, fold =>
        {
            var start = fold * blockSize;
            var end = Math.Min(sentences.Count, start + blockSize);
            var training = sentences.Take(start).Concat(sentences.Skip(end)).ToList();
            var model = NerModel.Train(training, gazetteer, firstEpochs, secondEpochs, clusters: clusters);
            var held = sentences.GetRange(start, end - start);
            var tagged = model.TagDocument(held.Select(s => s.Words).ToList(), NerModel.DefaultWindow);
            var score = new EntityScore();
            foreach (var ((_, tags), predicted) in held.Zip(tagged)) score.Add(tags, predicted);
            scores[fold] = score;
            // The same tags after the document-consistency pass: measured on the same model, so the difference is the pass's alone.
            var repaired = DocumentConsistency.Apply(held.Select(s => s.Words).ToList(), tagged, NerModel.DefaultWindow);
            var withPass = new EntityScore();
            foreach (var ((_, tags), predicted) in held.Zip(repaired)) withPass.Add(tags, predicted);
            consistent[fold] = withPass;
            Console.WriteLine($"fold {fold + 1}: sentences {start}-{end - 1}, entity-f1 {score.MicroF1:0.0000}, with consistency pass {withPass.MicroF1:0.0000} ({watch.Elapsed.TotalSeconds:0} s)");
        });
        Console.WriteLine("tagger (two passes):");
        Print(scores, Console.Out);
        Console.WriteLine("tagger + document consistency pass:");
        Print(consistent, Console.Out);
        return 0;
    }

    /// <summary>Per-type mean ± sample standard deviation over folds, and the pooled (all folds' counts summed) micro-F1.</summary>
    public static void Print(IReadOnlyList<EntityScore> scores, TextWriter output)
    {
        var types = scores.SelectMany(score => score.Types).Distinct().Order(StringComparer.Ordinal).Append("all").ToList();
        output.WriteLine($"  {"type",-6} {"precision",15} {"recall",15} {"f1",15}");
        foreach (var type in types)
        {
            var values = scores.Select(score => score.Of(type)).ToList();
            output.WriteLine($"  {type,-6} {Format(values.Select(v => v.P))} {Format(values.Select(v => v.R))} {Format(values.Select(v => v.F1))}");
        }
        var pooled = new EntityScore();
        foreach (var score in scores) pooled.Merge(score);
        output.WriteLine($"cv-f1 mean {scores.Average(score => score.MicroF1):0.0000} sd {StandardDeviation(scores.Select(score => score.MicroF1).ToList()):0.0000}; pooled {pooled.MicroF1:0.0000}");
    }

    private static string Format(IEnumerable<double> values)
    {
        var list = values.ToList();
        return $"{list.Average(),7:0.000} ±{StandardDeviation(list):0.000}";
    }

    private static double StandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return 0;
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}

/// <summary>
/// Extraction cost per article of the shipped model beside a previous model file, in the same process and run:
/// the dev sentences joined into articles of 15 sentences, each model extracting every article in alternating
/// rounds (so load on a shared machine hits both alike), median of the rounds.
/// </summary>
internal static class NerSpeed
{
    public static int Run(string devFile, string previousModel, int rounds)
    {
        var sentences = Conll.Read(devFile);
        var articles = sentences.Chunk(15).Select(chunk => string.Join("\n", chunk.Select(s => string.Join(' ', s.Words)))).ToList();
        var catalog = EntityCatalog.BuiltIn();
        var recognizers = new (string Name, EntityRecognizer Recognizer)[]
        {
            ("previous (" + Path.GetFileName(previousModel) + ")", new EntityRecognizer(BuiltInData.LoadTagger(File.OpenRead(previousModel)), catalog)),
            ("shipped (" + (BuiltInData.TrainedTagger.UsesClusters ? "with" : "without") + " word clusters)", new EntityRecognizer(BuiltInData.TrainedTagger, catalog)),
        };
        foreach (var (_, recognizer) in recognizers) foreach (var article in articles) recognizer.Extract(article); // warm-up: JIT, word cache
        var times = recognizers.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var r = 0; r < recognizers.Length; r++)
            {
                var watch = Stopwatch.StartNew();
                foreach (var article in articles) recognizers[r].Recognizer.Extract(article);
                times[r].Add(watch.Elapsed.TotalMilliseconds / articles.Count);
            }
        }
        Console.WriteLine($"{articles.Count} articles of 15 dev sentences ({articles.Average(a => a.Length):0} characters on average), {rounds} alternating rounds, median ms per article:");
        for (var r = 0; r < recognizers.Length; r++)
            Console.WriteLine($"  {recognizers[r].Name,-40} {Median(times[r]),8:0.00} ms  (rounds: {string.Join(' ', times[r].Select(t => t.ToString("0.0")))})");
        Console.WriteLine($"ratio shipped/previous {Median(times[1]) / Median(times[0]):0.00}");
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
