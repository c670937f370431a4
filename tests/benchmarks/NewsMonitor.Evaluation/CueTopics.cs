using System.Globalization;
using NewsMonitor.Classification.Topics;

namespace NewsMonitor.Evaluation;

/// <summary>
/// Fits and evaluates the defense and international scores (<see cref="CueTopicScores"/>) on the hand-labelled
/// sample in tests/data/topics-defense-international: fitted on its <c>fit</c> part only, reported on its
/// <c>eval</c> part (held apart), beside the flat lexicon-1 score it replaces.
/// </summary>
internal static class CueTopics
{
    // Fixed, not tuned: a mild penalty for five parameters fitted on 140 rows.
    private const double L2 = 1.0;

    // The recipe of the model whose scores are inputs: the shipped one (lexicon-2 was fitted on an older recipe,
    // "loss=hinge,epochs=5,offsets=1"; lexicon-3 and lexicon-4 on Topics.ShippedSpec of their day).
    private const string InputSpec = Topics.ShippedSpec;

    public static int Fit(string sampleDirectory, string dataDirectory, string output)
    {
        var texts = File.ReadAllLines(Path.Combine(sampleDirectory, "sample.tsv")).Skip(1).Select(line => line.Split('\t'))
            .ToDictionary(cells => cells[0], cells => (Part: cells[1], Text: cells[5]), StringComparer.Ordinal);
        var labels = File.ReadAllLines(Path.Combine(sampleDirectory, "labels.tsv")).Skip(1).Select(line => line.Split('\t')).ToList();
        var lexicon = TopicLexicon.BuiltIn;
        // The model's inputs must come from a model that never saw the sample: the shipped recipe, trained without it.
        var sampled = texts.Values.Select(t => t.Text).ToHashSet(StringComparer.Ordinal);
        var items = TopicCv.Load(dataDirectory, 5).Where(item => !sampled.Contains(Flat(item.Text))).ToList();
        var model = LinearSpec.Parse(InputSpec).TrainFinal(items, out _);
        Console.WriteLine($"model for the inputs: {InputSpec} on {items.Count} texts (train + dev without the sample)");
        var rows = labels.Select(cells => (Part: cells[1], Weights: lexicon.CueWeights("", texts[cells[0]].Text), Model: ModelScores(model, texts[cells[0]].Text), Gold: new Dictionary<string, bool>
        {
            ["defense"] = cells[2] == "1",
            ["international"] = cells[3] == "1",
        })).ToList();
        var fit = rows.Where(row => row.Part == "fit").ToList();
        var heldOut = rows.Where(row => row.Part == "eval").ToList();
        Console.WriteLine($"sample: {fit.Count} fit, {heldOut.Count} held out; L2 {L2}");
        var coefficients = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var label in new[] { "defense", "international" })
        {
            coefficients[label] = CueTopicScores.Fit(fit.Select(row => (CueTopicScores.Features(row.Weights, row.Model), row.Gold[label])).ToList(), L2);
            Console.WriteLine($"{label}: positives fit {fit.Count(r => r.Gold[label])}, held out {heldOut.Count(r => r.Gold[label])}; coefficients {string.Join(' ', coefficients[label].Select(c => c.ToString("0.000", CultureInfo.InvariantCulture)))}");
            var calibrated = heldOut.Select(row => CueTopicScores.Probability(coefficients[label], CueTopicScores.Features(row.Weights, row.Model))).ToList();
            var flat = heldOut.Select(row => row.Weights.GetValueOrDefault(label) / (row.Weights.GetValueOrDefault(label) + 3.0)).ToList();
            var gold = heldOut.Select(row => row.Gold[label]).ToList();
            Report("  lexicon-1 (flat cue score)", flat, gold);
            Report($"  {CueTopicScores.Version} (fitted)        ", calibrated, gold);
        }
        var written = CueTopicScores.Format(coefficients);
        File.WriteAllText(output, written);
        var check = CueTopicScores.Parse(written);
        const string nato = "قمة حلف الناتو في واشنطن";
        Console.WriteLine($"wrote {output}; a short NATO text scores {string.Join(", ", check.Scores(lexicon.CueWeights("", nato), ModelScores(model, nato)).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value:0.000}"))}");
        return 0;
    }

    // As sample.py wrote the text: tabs and line breaks as spaces, trimmed.
    private static string Flat(string text) => text.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ').Trim();

    // The trained labels' probabilities as TopicClassifier computes them for a body without a title.
    private static Dictionary<string, double> ModelScores(NewsMonitor.Classification.Topics.Model.LinearTopicModel model, string body)
    {
        var probabilities = model.Probabilities(NewsMonitor.Classification.Topics.Model.TopicFeatures.Of("\n\n" + body));
        return model.Labels.Select((label, i) => (label, i)).ToDictionary(p => p.label, p => Math.Round(probabilities[p.i], 4), StringComparer.Ordinal);
    }

    // Precision, recall and F1 at 0.5, Brier score and mean predicted vs observed rate on held-out rows.
    private static void Report(string name, List<double> scores, List<bool> gold)
    {
        int tp = 0, fp = 0, fn = 0;
        for (var i = 0; i < gold.Count; i++)
        {
            var assigned = scores[i] >= 0.5;
            if (assigned && gold[i]) tp++;
            else if (assigned) fp++;
            else if (gold[i]) fn++;
        }
        var precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        var recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        var brier = scores.Zip(gold, (s, g) => (s - (g ? 1 : 0)) * (s - (g ? 1 : 0))).Average();
        Console.WriteLine($"{name} precision {precision:0.000} recall {recall:0.000} f1 {f1:0.000} brier {brier:0.000} mean score {scores.Average():0.000} observed rate {gold.Average(g => g ? 1.0 : 0):0.000} (tp {tp} fp {fp} fn {fn})");
    }
}
