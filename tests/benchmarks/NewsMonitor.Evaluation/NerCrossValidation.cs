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
    public static int Run(List<(TaggerWord[] Words, string[] Tags)> sentences, NameGazetteer gazetteer, WordClusters? clusters, int folds, int firstEpochs, int secondEpochs, int parallel,
        IReadOnlyList<(string Name, NerFeatureSet Set)>? variants = null, bool firstOnly = false, bool scan = false, int? onlyFold = null, int? trainBlocks = null)
    {
        variants ??= [("shipped", NerFeatureSet.None)];
        Console.WriteLine($"cross-validation: {sentences.Count} sentences (train + dev in file order), {folds} contiguous folds{(onlyFold is { } o ? $" (fold {o} only)" : "")}, " +
            $"{(firstOnly ? $"first pass alone, {firstEpochs} epochs" : $"{firstEpochs} + {secondEpochs} epochs")}, clusters {(clusters is null ? "off" : clusters.Count + " words")}, variants {string.Join("; ", variants.Select(v => v.Name + "=" + v.Set))}{(trainBlocks is { } t ? $", training on {t} of the other blocks" : "")}");
        var blockSize = (sentences.Count + folds - 1) / folds;
        var foldList = onlyFold is { } only ? new[] { only - 1 } : Enumerable.Range(0, folds).ToArray();
        var summary = new List<(string Name, double[] F1)>();
        foreach (var (name, set) in variants)
        {
            var watch = Stopwatch.StartNew();
            var scores = new EntityScore[foldList.Length];
            var consistent = new EntityScore[foldList.Length];
            var byEpoch = new double[foldList.Length][];
            // First pass alone needs each sentence's features once per variant (they do not depend on the fold, unless
            // trigger words, learned from each fold's training sentences, are among them).
            var learned = (set & NerFeatureSet.LearnedTriggers) != 0;
            var shared = firstOnly && !learned ? sentences.Select(s => PerceptronTagger.Extract(s.Words, null, gazetteer, clusters, set, null)).ToList() : null;
            Parallel.For(0, foldList.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallel) }, k =>
            {
                var fold = foldList[k];
                var start = fold * blockSize;
                var end = Math.Min(sentences.Count, start + blockSize);
                var held = sentences.GetRange(start, end - start);
                var epochs = new double[firstOnly ? firstEpochs : secondEpochs];
                EntityScore Score(IReadOnlyList<string[]> tagged)
                {
                    var score = new EntityScore();
                    foreach (var ((_, tags), predicted) in held.Zip(tagged)) score.Add(tags, predicted);
                    return score;
                }
                string[][] tagged;
                if (firstOnly)
                {
                    var rest = Enumerable.Range(0, start).Concat(Enumerable.Range(end, sentences.Count - end)).ToList();
                    var triggers = learned ? TriggerWords.Learn(rest.Select(s => sentences[s])) : null;
                    var features = shared ?? sentences.Select(s => PerceptronTagger.Extract(s.Words, null, gazetteer, clusters, set, triggers)).ToList();
                    string[][] Tagged(PerceptronTagger model) => [.. Enumerable.Range(start, end - start).Select(s => model.Tag(features[s]))];
                    var trained = PerceptronTagger.Train(rest.Select(s => features[s]).ToList(), rest.Select(s => sentences[s].Tags).ToList(), gazetteer, firstEpochs,
                        (epoch, model) => epochs[epoch - 1] = Score(Tagged(model)).MicroF1, clusters, set, triggers);
                    tagged = Tagged(trained);
                }
                else
                {
                    // A learning-curve point: train on the trainBlocks blocks that follow the held-out one (cyclically), not all the others.
                    var training = trainBlocks is { } kept
                        ? Enumerable.Range(1, kept).Select(b => (fold + b) % folds).Order().SelectMany(b => sentences.Skip(b * blockSize).Take(blockSize)).ToList()
                        : sentences.Take(start).Concat(sentences.Skip(end)).ToList();
                    var words = held.Select(s => s.Words).ToList();
                    var model = NerModel.Train(training, gazetteer, firstEpochs, secondEpochs, clusters: clusters, set: set,
                        afterEpoch: scan ? (epoch, candidate) => epochs[epoch - 1] = Score(candidate.TagDocument(words, NerModel.DefaultWindow)).MicroF1 : null);
                    tagged = model.TagDocument(words, NerModel.DefaultWindow);
                }
                scores[k] = Score(tagged);
                byEpoch[k] = epochs;
                // The same tags after the document-consistency pass: measured on the same model, so the difference is the pass's alone.
                consistent[k] = Score(DocumentConsistency.Apply(held.Select(s => s.Words).ToList(), tagged, NerModel.DefaultWindow));
                Console.WriteLine($"{name}: fold {fold + 1}: sentences {start}-{end - 1}, entity-f1 {scores[k].MicroF1:0.0000}, with consistency pass {consistent[k].MicroF1:0.0000} ({watch.Elapsed.TotalSeconds:0} s)");
            });
            Console.WriteLine($"{name} ({set}): tagger ({(firstOnly ? "first pass alone" : "two passes")}):");
            Print(scores, Console.Out);
            Console.WriteLine($"{name}: tagger + document consistency pass:");
            Print(consistent, Console.Out);
            if (firstOnly || scan)
            {
                Console.WriteLine($"{name}: mean entity-f1 by {(firstOnly ? "first-pass" : "second-pass")} epoch: " +
                    string.Join(" ", Enumerable.Range(0, byEpoch[0].Length).Select(e => $"{e + 1}:{byEpoch.Average(f => f[e]):0.0000}")));
            }
            summary.Add((name, scores.Select(score => score.MicroF1).ToArray()));
        }
        Console.WriteLine("summary (micro-F1 per fold; difference to the first variant, paired by fold):");
        foreach (var (name, f1) in summary)
        {
            var difference = f1.Zip(summary[0].F1, (a, b) => a - b).ToList();
            Console.WriteLine($"  {name,-24} {string.Join(" ", f1.Select(v => v.ToString("0.0000")))}  mean {f1.Average():0.0000} sd {StandardDeviation(f1):0.0000}" +
                (name == summary[0].Name ? "" : $"  diff {string.Join(" ", difference.Select(d => d.ToString("+0.0000;-0.0000")))} mean {difference.Average():+0.0000;-0.0000}, better on {difference.Count(d => d > 0)}/{difference.Count}"));
        }
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
