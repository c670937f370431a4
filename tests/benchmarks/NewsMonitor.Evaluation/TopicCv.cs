using System.Diagnostics;
using System.Globalization;
using NewsMonitor.Classification.Topics.Model;

namespace NewsMonitor.Evaluation;

/// <summary>
/// Model selection by stratified k-fold cross-validation over train + dev of ASND and SIB-200 together (the
/// product trains on both, mapped onto the taxonomy). Every candidate is trained on k−1 folds of both datasets
/// and scored on the held-out fold of each, in the dataset's own label set; the table gives the folds' mean ±
/// standard deviation beside the figure of the same candidate trained on train and scored on dev. Features are
/// computed once and reused by every fold and candidate.
/// </summary>
internal static class TopicCv
{
    public const int Seed = 20261130;

    /// <summary>Every taxonomy label a dataset maps to, in a fixed order: the columns of a margin vector.</summary>
    public static readonly string[] Labels = TopicData.Asnd.Values.Concat(TopicData.Sib200.Values).Distinct().Order(StringComparer.Ordinal).ToArray();

    private static readonly string[] Formats = ["asnd", "sib200"];

    /// <summary>The candidates compared by default: the baselines, the current model's recipe, and the challengers.</summary>
    public const string DefaultCandidates =
        "majority; bayes; name=linear-1 recipe (logistic lr 0.2 l2 1e-5),epochs=8; loss=hinge,epochs=8; nb=1,epochs=8; features=separate,epochs=8";

    /// <summary>One text of train or dev, with its features (the product's, and word-only and character-only).</summary>
    internal sealed record Item(string Format, string Text, string Label, bool Dev, FeatureVector X, FeatureVector Words, FeatureVector Chars)
    {
        public int Fold { get; set; }

        /// <summary>The product's features plus light-stemmed words (<c>features=stems</c>), computed when first asked for.</summary>
        public FeatureVector? Stemmed { get; set; }
    }

    /// <summary>A candidate: trains on <c>train</c> and reports one or more named variants' margins over <see cref="Labels"/>.</summary>
    internal delegate void Candidate(List<Item> train, List<Item> heldOut, Action<string, Func<Item, float[]>> report);

    public static List<Item> Load(string dataDirectory, int folds, int seed = Seed)
    {
        var items = new List<Item>();
        var watch = Stopwatch.StartNew();
        foreach (var format in Formats)
        {
            var mapping = TopicData.Mapping(format);
            var extension = format == "asnd" ? "csv" : "tsv";
            foreach (var (file, dev) in new[] { ("train", false), ("dev", true) })
            {
                var rows = TopicData.Read(Path.Combine(dataDirectory, format, file + "." + extension), format);
                items.AddRange(rows.Select(row => new Item(format, row.Text, mapping[row.Label], dev, TopicFeatures.Of(row.Text),
                    TopicFeatures.Of(row.Text, TopicFeatureParts.Words), TopicFeatures.Of(row.Text, TopicFeatureParts.Characters))));
            }
        }
        AssignFolds(items, folds, seed);
        Console.WriteLine($"{items.Count} texts (ASND {items.Count(i => i.Format == "asnd")}, SIB-200 {items.Count(i => i.Format == "sib200")}), features in {watch.Elapsed.TotalSeconds:0} s; {folds} folds stratified by dataset and label, seed {seed}");
        return items;
    }

    /// <summary>Stratified folds: within each (dataset, label) the items are shuffled by the seed and dealt round-robin, continuing where the last group stopped.</summary>
    public static void AssignFolds(List<Item> items, int folds, int seed)
    {
        var random = new Random(seed);
        var next = 0;
        foreach (var group in items.GroupBy(item => (item.Format, item.Label)).OrderBy(g => g.Key.Format, StringComparer.Ordinal).ThenBy(g => g.Key.Label, StringComparer.Ordinal))
        {
            var members = group.ToArray();
            random.Shuffle(members);
            foreach (var item in members) item.Fold = next++ % folds;
        }
    }

    /// <summary>The variant the others are compared with fold by fold: the shipped recipe (<c>Topics.ShippedSpec</c>: hinge with TF-IDF, rate 0.05, balance power 0.5, 5 epochs).</summary>
    public const string DefaultReference = "loss=hinge,idf=1,lr=0.05,power=0.5 e5";

    /// <summary>
    /// Runs every candidate of <paramref name="specs"/> over <paramref name="folds"/> folds dealt by <paramref name="seed"/>
    /// (another seed deals other folds: a gain that survives it is not one lucky split).
    /// </summary>
    public static int Run(string dataDirectory, int folds, string specs, string reference = DefaultReference, int seed = Seed)
    {
        var items = Load(dataDirectory, folds, seed);
        var candidates = ParseCandidates(specs);
        // (variant, split, format) → (macro-F1, accuracy, F1 per label); split −1 is train → dev.
        var results = new Dictionary<(string Variant, int Split, string Format), (double Macro, double Accuracy, double[] F1)>();
        var order = new List<string>();
        var printed = new HashSet<string>(StringComparer.Ordinal);
        var rows = new List<string>();
        var watch = Stopwatch.StartNew();
        foreach (var (name, candidate) in candidates)
        {
            for (var split = -1; split < folds; split++)
            {
                var train = items.Where(item => split < 0 ? !item.Dev : item.Fold != split).ToList();
                var heldOut = items.Where(item => split < 0 ? item.Dev : item.Fold == split).ToList();
                candidate(train, heldOut, (variant, scorer) =>
                {
                    if (!order.Contains(variant)) order.Add(variant);
                    var margins = heldOut.Select(scorer).ToList();
                    foreach (var format in Formats)
                        results[(variant, split, format)] = Score(heldOut, margins, format);
                });
                // Progress: how long one fold takes tells whether a run can finish in the time left.
                Console.Error.WriteLine($"{name}: {(split < 0 ? "train → dev" : $"fold {split + 1}/{folds}")} done at {watch.Elapsed.TotalSeconds:0} s");
            }
            Console.Error.WriteLine($"{name}: done at {watch.Elapsed.TotalSeconds:0} s");
            foreach (var variant in order.Where(v => !printed.Contains(v)))
            {
                rows.Add(Row(variant));
                printed.Add(variant);
                // The paired difference as soon as it is known (put the reference's candidate first): a run cut short still says it.
                Console.Error.WriteLine(rows[^1] + (order.Contains(reference) ? $" Δ sum vs {reference}: {Difference(variant)}" : ""));
            }
        }
        Console.WriteLine($"| model | ASND CV macro-F1 | ASND CV accuracy | ASND dev macro-F1 | SIB-200 CV macro-F1 | SIB-200 CV accuracy | SIB-200 dev macro-F1 |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var row in rows) Console.WriteLine(row);
        string Row(string variant)
        {
            var cells = new List<string>();
            foreach (var format in Formats)
            {
                var scores = Enumerable.Range(0, folds).Select(split => results[(variant, split, format)]).ToList();
                cells.Add(MeanSd(scores.Select(s => s.Macro)));
                cells.Add(MeanSd(scores.Select(s => s.Accuracy)));
                cells.Add(results[(variant, -1, format)].Macro.ToString("0.000", CultureInfo.InvariantCulture));
            }
            return $"| {variant} | {string.Join(" | ", cells)} |";
        }
        var best = order.MaxBy(variant => Enumerable.Range(0, folds).Average(split => Sum(variant, split)))!;
        Console.WriteLine($"best by CV (mean of ASND + SIB-200 macro-F1): {best}");
        if (order.Contains(reference))
        {
            // Paired by fold: every variant saw the same folds, so the spread of the differences is the honest yardstick.
            Console.WriteLine();
            Console.WriteLine($"ASND + SIB-200 macro-F1 per fold, and the difference from {reference} on the same fold (mean ± sd of the {folds} differences):");
            Console.WriteLine("| model | sum per fold | sum mean | difference |");
            Console.WriteLine("| --- | --- | --- | --- |");
            foreach (var variant in order)
            {
                var sums = Enumerable.Range(0, folds).Select(split => Sum(variant, split)).ToList();
                var perFold = string.Join(" ", sums.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)));
                var mean = sums.Average().ToString("0.000", CultureInfo.InvariantCulture);
                Console.WriteLine($"| {variant} | {perFold} | {mean} | {Difference(variant)} |");
            }
        }
        foreach (var variant in new[] { reference, best }.Where(order.Contains).Distinct())
            PrintPerLabel(variant);
        return 0;

        double Sum(string variant, int split) => results[(variant, split, "asnd")].Macro + results[(variant, split, "sib200")].Macro;
        string Difference(string variant) => MeanSd(Enumerable.Range(0, folds).Select(split => Sum(variant, split) - Sum(reference, split)));

        // F1 of each dataset label over the folds: where the macro-F1 is lost.
        void PrintPerLabel(string variant)
        {
            Console.WriteLine();
            Console.WriteLine($"per-label F1 over the {folds} folds (mean ± sd), {variant}:");
            Console.WriteLine("| dataset | label | texts | F1 |");
            Console.WriteLine("| --- | --- | --- | --- |");
            foreach (var format in Formats)
            {
                var mapping = TopicData.Mapping(format);
                foreach (var (column, (label, mapped)) in mapping.Select((pair, column) => (column, (pair.Key, pair.Value))))
                {
                    var texts = items.Count(item => item.Format == format && item.Label == mapped);
                    Console.WriteLine($"| {format} | {label} | {texts} | {MeanSd(Enumerable.Range(0, folds).Select(split => results[(variant, split, format)].F1[column]))} |");
                }
            }
        }
    }

    private static string MeanSd(IEnumerable<double> values)
    {
        var list = values.ToList();
        var mean = list.Average();
        var sd = Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, list.Count - 1));
        return string.Create(CultureInfo.InvariantCulture, $"{mean:0.000} ± {sd:0.000}");
    }

    /// <summary>
    /// Macro-F1, accuracy and each label's F1 (in the dataset mapping's order) of one dataset's held-out items:
    /// each gets its best label among that dataset's.
    /// </summary>
    public static (double Macro, double Accuracy, double[] F1) Score(List<Item> heldOut, List<float[]> margins, string format)
    {
        var columns = TopicData.Mapping(format).Values.Select(label => Array.IndexOf(Labels, label)).ToArray();
        var gold = new List<int>();
        var predicted = new List<int>();
        for (var i = 0; i < heldOut.Count; i++)
        {
            if (heldOut[i].Format != format) continue;
            gold.Add(Array.IndexOf(Labels, heldOut[i].Label));
            predicted.Add(columns.MaxBy(column => margins[i][column]));
        }
        return MacroF1(gold, predicted, columns);
    }

    public static (double Macro, double Accuracy, double[] F1) MacroF1(List<int> gold, List<int> predicted, int[] columns)
    {
        var f1 = new double[columns.Length];
        for (var c = 0; c < columns.Length; c++)
        {
            var column = columns[c];
            int correct = 0, found = 0, expected = 0;
            for (var i = 0; i < gold.Count; i++)
            {
                if (predicted[i] == column) { found++; if (gold[i] == column) correct++; }
                if (gold[i] == column) expected++;
            }
            var precision = found == 0 ? 0 : (double)correct / found;
            var recall = expected == 0 ? 0 : (double)correct / expected;
            f1[c] = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        }
        return (f1.Average(), gold.Count == 0 ? 0 : (double)gold.Where((g, i) => g == predicted[i]).Count() / gold.Count, f1);
    }

    /// <summary>
    /// Candidates separated by ';'. <c>majority</c>, <c>bayes</c>, or a linear model as comma-separated settings:
    /// <c>loss=logistic|hinge|sqhinge, balanced=1|0, power=1 (how far balancing goes: each side's weight to this power), lr=0.2, l2=1e-5, epochs=N, nb=alpha (NBSVM), features=both|words|chars|separate|stems (both + light-stemmed words),
    /// offsets=1 (per-label thresholds), idf=1 (TF-IDF: idf from the training part, kept in the model), name=...</c>. Without <c>offsets</c> every epoch 1..N is a variant.
    /// </summary>
    public static List<(string Name, Candidate Candidate)> ParseCandidates(string specs) =>
        specs.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(spec => spec switch
        {
            "majority" => ("majority", (Candidate)Majority),
            "bayes" => ("bayes", (Candidate)Bayes),
            _ => (spec, Linear(LinearSpec.Parse(spec))),
        }).ToList();

    private static void Majority(List<Item> train, List<Item> heldOut, Action<string, Func<Item, float[]>> report)
    {
        var majority = Formats.ToDictionary(format => format, format => train.Where(i => i.Format == format).GroupBy(i => i.Label).MaxBy(g => g.Count())!.Key);
        report("majority class (per dataset)", item => Labels.Select(label => label == majority[item.Format] ? 1f : 0f).ToArray());
    }

    private static void Bayes(List<Item> train, List<Item> heldOut, Action<string, Func<Item, float[]>> report)
    {
        var models = Formats.ToDictionary(format => format, format => NaiveBayes.Train(
            train.Where(i => i.Format == format).Select(i => (i.X, i.Label)).ToList(), [.. TopicData.Mapping(format).Values]));
        report("multinomial naive Bayes (per dataset, same features)", item => { var label = models[item.Format].Predict(item.X); return Labels.Select(l => l == label ? 1f : 0f).ToArray(); });
    }

    private static Candidate Linear(LinearSpec spec) => (train, heldOut, report) =>
    {
        if (spec.Offsets)
        {
            var model = spec.TrainFinal(train, out var plain);
            report(spec.Name + " (no per-label thresholds)", item => plain.Margins(spec.Features(item)));
            report(spec.Name, item => model.Margins(spec.Features(item)));
            return;
        }
        if (spec.Parts == "separate")
        {
            // Two models, word n-grams and character n-grams, trained alone; their margins averaged epoch by epoch.
            var wordMargins = new List<Dictionary<Item, float[]>>();
            LinearTopicModel.Train(spec.Name, Labels, train.Select(i => (i.Words, new[] { i.Label })).ToList(), spec.Training, (epoch, model) =>
                wordMargins.Add(Margins(model, i => i.Words)));
            LinearTopicModel.Train(spec.Name, Labels, train.Select(i => (i.Chars, new[] { i.Label })).ToList(), spec.Training, (epoch, model) =>
            {
                var words = wordMargins[epoch - 1];
                report($"{spec.Name} e{epoch}", item => model.Margins(item.Chars).Zip(words[item], (c, w) => (c + w) / 2).ToArray());
            });
            return;
        }
        LinearTopicModel.Train(spec.Name, Labels, train.Select(i => (spec.Features(i), new[] { i.Label })).ToList(), spec.Training, (epoch, model) =>
            report($"{spec.Name} e{epoch}", item => model.Margins(spec.Features(item))));

        // The word model goes on training after each epoch: its held-out margins are kept per epoch.
        Dictionary<Item, float[]> Margins(LinearTopicModel model, Func<Item, FeatureVector> features)
        {
            var margins = new Dictionary<Item, float[]>(ReferenceEqualityComparer.Instance);
            foreach (var item in heldOut) margins[item] = model.Margins(features(item));
            return margins;
        }
    };
}

/// <summary>A linear candidate's settings, parsed from <c>key=value</c> pairs.</summary>
internal sealed record LinearSpec(string Name, TopicTraining Training, string Parts, bool Offsets)
{
    public static LinearSpec Parse(string spec)
    {
        var settings = spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : "1", StringComparer.Ordinal);
        string Get(string key, string fallback) => settings.GetValueOrDefault(key, fallback);
        float Number(string key, string fallback) => float.Parse(Get(key, fallback), CultureInfo.InvariantCulture);
        var loss = Get("loss", "logistic") switch
        {
            "logistic" => TopicLoss.Logistic,
            "hinge" => TopicLoss.Hinge,
            "sqhinge" => TopicLoss.SquaredHinge,
            var other => throw new ArgumentException($"unknown loss {other}"),
        };
        var training = new TopicTraining((int)Number("epochs", "12"), Number("lr", "0.2"), Number("l2", "1e-5"), loss, Get("balanced", "1") == "1", Number("nb", "0"),
            InverseDocumentFrequency: Get("idf", "0") == "1", BalancePower: Number("power", "1"));
        var name = settings.TryGetValue("name", out var given) ? given : string.Join(",", settings.Where(p => p.Key is not "epochs" || Get("offsets", "0") == "1").Select(p => p.Key + "=" + p.Value));
        return new LinearSpec(name, training, Get("features", "both"), Get("offsets", "0") == "1");
    }

    public FeatureVector Features(TopicCv.Item item) => Parts switch
    {
        "words" => item.Words,
        "chars" => item.Chars,
        "stems" => item.Stemmed ??= TopicFeatures.Of(item.Text, TopicFeatureParts.Both | TopicFeatureParts.Stems),
        _ => item.X,
    };

    /// <summary>
    /// The final fit on <paramref name="train"/>: per-label bias offsets (if asked) and the shared Platt
    /// calibration are chosen on a stratified fifth of <paramref name="train"/> held out from a first model; then
    /// the model is trained on all of <paramref name="train"/> and given them. <paramref name="plain"/> is the
    /// full model without offsets.
    /// </summary>
    public LinearTopicModel TrainFinal(List<TopicCv.Item> train, out LinearTopicModel plain)
    {
        foreach (var item in train) _ = Features(item); // computed once, before the copies share them
        var inner = train.Select(item => item with { }).ToList();
        TopicCv.AssignFolds(inner, 5, TopicCv.Seed + 1);
        var fit = inner.Where(item => item.Fold != 0).ToList();
        var tune = inner.Where(item => item.Fold == 0).ToList();
        var first = LinearTopicModel.Train(Name, TopicCv.Labels, fit.Select(i => (Features(i), new[] { i.Label })).ToList(), Training);
        var offsets = Offsets ? TuneOffsets(tune, tune.Select(item => first.Margins(Features(item))).ToList()) : new float[TopicCv.Labels.Length];
        plain = LinearTopicModel.Train(Name, TopicCv.Labels, train.Select(i => (Features(i), new[] { i.Label })).ToList(), Training);
        var calibration = first.WithBiasOffsets(offsets).Calibrated(tune.Select(item => (Features(item), new[] { item.Label })).ToList());
        return plain.WithBiasOffsets(offsets).WithCalibrationOf(calibration);
    }

    /// <summary>
    /// Per-label bias offsets by coordinate ascent on the sum of the two datasets' macro-F1 over held-out margins
    /// (three rounds over the labels, each trying offsets within ±2 standard deviations of the margins).
    /// </summary>
    public static float[] TuneOffsets(List<TopicCv.Item> heldOut, List<float[]> margins)
    {
        var offsets = new float[TopicCv.Labels.Length];
        var all = margins.SelectMany(m => m).ToList();
        var mean = all.Average();
        var sd = (float)Math.Sqrt(all.Sum(v => (v - mean) * (v - mean)) / all.Count);
        double Objective()
        {
            var shifted = margins.Select(m => m.Select((v, label) => v + offsets[label]).ToArray()).ToList();
            return TopicCv.Score(heldOut, shifted, "asnd").Macro + TopicCv.Score(heldOut, shifted, "sib200").Macro;
        }
        var best = Objective();
        for (var round = 0; round < 3; round++)
        {
            for (var label = 0; label < offsets.Length; label++)
            {
                var kept = offsets[label];
                foreach (var step in Enumerable.Range(-20, 41).OrderBy(Math.Abs))
                {
                    offsets[label] = step * 0.1f * sd;
                    var score = Objective();
                    if (score > best + 1e-9) { best = score; kept = offsets[label]; }
                }
                offsets[label] = kept;
            }
        }
        return offsets;
    }
}
