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

    /// <summary>
    /// The shipped model's recipe, chosen by <c>cv-topics</c> (docs/topics.md): every setting here won on the
    /// folds' mean, not on dev.
    /// </summary>
    public const string ShippedSpec = "loss=hinge,idf=1,lr=0.05,power=0.5,epochs=5";

    /// <summary>
    /// Trains the shipped model on train + dev of both datasets with <paramref name="spec"/>: per-label thresholds
    /// and the shared Platt calibration are fitted on a stratified fifth held out from a first model, then the
    /// model is retrained on everything. Deterministic (fixed seeds, one thread): the same command writes the same bytes.
    /// </summary>
    public static int Train(string dataDirectory, string spec, string output)
    {
        var watch = Stopwatch.StartNew();
        var items = TopicCv.Load(dataDirectory, 5);
        var parsed = LinearSpec.Parse(spec);
        var model = parsed.TrainFinal(items, out _).Named(Version);
        using (var file = File.Create(output)) model.Save(file);
        var shipped = LinearTopicModel.Load(File.OpenRead(output));
        Console.WriteLine($"{spec}: trained on {items.Count} texts (train + dev) in {watch.Elapsed.TotalSeconds:0} s; wrote {output} ({new FileInfo(output).Length / 1024} KiB, version {shipped.Version})");
        return 0;
    }

    public const string Version = "linear-4";

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
