using System.Diagnostics;
using NewsMonitor.Classification.Topics.Model;

namespace NewsMonitor.Evaluation;

/// <summary>Training and evaluation of the topic model, with the baselines the issue asks for in the same run.</summary>
internal static class Topics
{
    public static int Evaluate(string file, string format, string dataDirectory, string? modelPath)
    {
        var mapping = TopicData.Mapping(format);
        var model = modelPath is null ? NewsMonitor.Classification.Topics.TopicModels.Shipped : LinearTopicModel.Load(File.OpenRead(modelPath));
        var test = TopicData.Read(file, format);
        var train = TopicData.Read(Path.Combine(dataDirectory, format, format == "asnd" ? "train.csv" : "train.tsv"), format);
        var datasetLabels = mapping.Keys.Order(StringComparer.Ordinal).ToArray();
        Console.WriteLine($"{file}: {test.Count} texts, {datasetLabels.Length} labels; model {model.Version}");
        var testFeatures = test.Select(row => TopicFeatures.Of(row.Text)).ToList();

        // Baseline 1: the most frequent label of the training split.
        var majority = train.GroupBy(row => row.Label).MaxBy(group => group.Count())!.Key;
        Report("baseline: majority class", test.Select(_ => majority).ToList());

        // Baseline 2: multinomial naive Bayes on the same features, trained on the dataset's training split.
        var bayes = NaiveBayes.Train(train.Select(row => (TopicFeatures.Of(row.Text), row.Label)).ToList(), datasetLabels);
        Report("baseline: multinomial naive Bayes (same features)", testFeatures.Select(bayes.Predict).ToList());

        // The model: its best label among the dataset's, mapped back.
        var watch = Stopwatch.StartNew();
        var candidates = datasetLabels.Select(label => mapping[label]).ToArray();
        var predicted = testFeatures.Select(x => datasetLabels[Array.IndexOf(candidates, BestAmong(model, x, candidates))]).ToList();
        watch.Stop();
        var (macro, accuracy) = Report($"model {model.Version} ({watch.Elapsed.TotalMilliseconds:0} ms)", predicted);
        Console.WriteLine($"macro-f1 {macro:0.0000} accuracy {accuracy:0.0000}");
        return 0;

        (double Macro, double Accuracy) Report(string title, List<string> predictions)
        {
            Console.WriteLine(title);
            Console.WriteLine($"  {"label",-28} {"precision",9} {"recall",7} {"f1",7} {"gold",5}");
            var f1s = new List<double>();
            foreach (var (label, p, r, f, gold) in PerLabel(test.Select(row => row.Label).ToList(), predictions, datasetLabels))
            {
                f1s.Add(f);
                Console.WriteLine($"  {label,-28} {p,9:0.0000} {r,7:0.0000} {f,7:0.0000} {gold,5}");
            }
            var accuracyValue = (double)test.Where((row, i) => row.Label == predictions[i]).Count() / test.Count;
            Console.WriteLine($"  macro-F1 {f1s.Average():0.0000}  accuracy {accuracyValue:0.0000}");
            return (f1s.Average(), accuracyValue);
        }
    }

    public static int Train(string dataDirectory, int maxEpochs, string output)
    {
        var train = new List<(FeatureVector X, string[] Labels)>();
        var dev = new List<(string Format, FeatureVector X, string Label)>();
        foreach (var format in new[] { "asnd", "sib200" })
        {
            var mapping = TopicData.Mapping(format);
            var extension = format == "asnd" ? "csv" : "tsv";
            train.AddRange(TopicData.Read(Path.Combine(dataDirectory, format, "train." + extension), format).Select(row => (TopicFeatures.Of(row.Text), new[] { mapping[row.Label] })));
            dev.AddRange(TopicData.Read(Path.Combine(dataDirectory, format, "dev." + extension), format).Select(row => (format, TopicFeatures.Of(row.Text), mapping[row.Label])));
        }
        var labels = TopicData.Asnd.Values.Concat(TopicData.Sib200.Values).Distinct().Order(StringComparer.Ordinal).ToArray();
        Console.WriteLine($"train {train.Count} texts (ASND + SIB-200), dev {dev.Count}; labels {string.Join(' ', labels)}");
        var best = (Epoch: 0, Score: -1.0);
        var watch = Stopwatch.StartNew();
        var rate = float.Parse(Environment.GetEnvironmentVariable("TOPIC_LR") ?? "0.2", System.Globalization.CultureInfo.InvariantCulture);
        var l2 = float.Parse(Environment.GetEnvironmentVariable("TOPIC_L2") ?? "1e-5", System.Globalization.CultureInfo.InvariantCulture);
        LinearTopicModel.Train(Version, labels, train, maxEpochs, rate, l2, afterEpoch: (epoch, model) =>
        {
            var score = DevMacroF1(model, dev);
            Console.WriteLine($"epoch {epoch,2}: dev macro-F1 ASND {score.Asnd:0.0000} SIB-200 {score.Sib:0.0000} ({watch.Elapsed.TotalSeconds:0.0} s)");
            if (score.Asnd + score.Sib > best.Score) best = (epoch, score.Asnd + score.Sib);
        });
        var final = LinearTopicModel.Train(Version, labels, train, best.Epoch, rate, l2).Calibrated(dev.Select(row => (row.X, new[] { row.Label })).ToList());
        using (var file = File.Create(output)) final.Save(file);
        var shipped = LinearTopicModel.Load(File.OpenRead(output));
        var check = DevMacroF1(shipped, dev);
        Console.WriteLine($"chose {best.Epoch} epochs; wrote {output} ({new FileInfo(output).Length / 1024} KiB); calibrated dev macro-F1 ASND {check.Asnd:0.0000} SIB-200 {check.Sib:0.0000}");
        return 0;
    }

    public const string Version = "linear-1";

    // The model's most probable label among the candidates (taxonomy labels of one dataset); labels it lacks never win.
    private static string BestAmong(LinearTopicModel model, FeatureVector x, IReadOnlyList<string> candidates)
    {
        var probabilities = model.Probabilities(x);
        var labels = model.Labels.ToList();
        return candidates.MaxBy(label => labels.IndexOf(label) is var column and >= 0 ? probabilities[column] : -1)!;
    }

    // Precision, recall and F1 of each label, single-label predictions against gold.
    private static List<(string Label, double Precision, double Recall, double F1, int Gold)> PerLabel(IReadOnlyList<string> gold, IReadOnlyList<string> predicted, IEnumerable<string> labels) =>
        labels.Select(label =>
        {
            var correct = gold.Where((value, i) => value == label && predicted[i] == label).Count();
            var found = predicted.Count(value => value == label);
            var expected = gold.Count(value => value == label);
            var precision = found == 0 ? 0 : (double)correct / found;
            var recall = expected == 0 ? 0 : (double)correct / expected;
            return (label, precision, recall, precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall), expected);
        }).ToList();

    private static (double Asnd, double Sib) DevMacroF1(LinearTopicModel model, List<(string Format, FeatureVector X, string Label)> dev)
    {
        double Score(string format)
        {
            var taxonomy = TopicData.Mapping(format).Values.ToArray();
            var rows = dev.Where(row => row.Format == format).ToList();
            var predicted = rows.Select(row => BestAmong(model, row.X, taxonomy)).ToList();
            return PerLabel(rows.Select(row => row.Label).ToList(), predicted, taxonomy).Average(score => score.F1);
        }
        return (Score("asnd"), Score("sib200"));
    }
}

/// <summary>
/// Multinomial naive Bayes over the same hashed features, each present feature counted once (binarised, as
/// Wang and Manning recommend for text), Laplace smoothing: the classic text baseline.
/// </summary>
internal sealed class NaiveBayes
{
    private readonly string[] _labels;
    private readonly double[] _priors;
    private readonly Dictionary<int, double>[] _logLikelihood;
    private readonly double[] _unseen;

    private NaiveBayes(string[] labels, double[] priors, Dictionary<int, double>[] logLikelihood, double[] unseen)
    {
        _labels = labels;
        _priors = priors;
        _logLikelihood = logLikelihood;
        _unseen = unseen;
    }

    public static NaiveBayes Train(List<(FeatureVector X, string Label)> examples, string[] labels)
    {
        var priors = new double[labels.Length];
        var likelihood = new Dictionary<int, double>[labels.Length];
        var unseen = new double[labels.Length];
        var vocabulary = examples.SelectMany(example => example.X.Indices).Distinct().Count();
        for (var l = 0; l < labels.Length; l++)
        {
            var mine = examples.Where(example => example.Label == labels[l]).ToList();
            priors[l] = Math.Log((mine.Count + 1.0) / (examples.Count + labels.Length));
            var counts = new Dictionary<int, double>();
            foreach (var (x, _) in mine)
            {
                foreach (var index in x.Indices) counts[index] = counts.GetValueOrDefault(index) + 1;
            }
            var total = counts.Values.Sum() + vocabulary;
            likelihood[l] = counts.ToDictionary(pair => pair.Key, pair => Math.Log((pair.Value + 1) / total));
            unseen[l] = Math.Log(1 / total);
        }
        return new NaiveBayes(labels, priors, likelihood, unseen);
    }

    public string Predict(FeatureVector x)
    {
        var best = (Label: _labels[0], Score: double.NegativeInfinity);
        for (var l = 0; l < _labels.Length; l++)
        {
            var score = _priors[l];
            foreach (var index in x.Indices) score += _logLikelihood[l].GetValueOrDefault(index, _unseen[l]);
            if (score > best.Score) best = (_labels[l], score);
        }
        return best.Label;
    }
}
