using System.Globalization;
using NewsMonitor.Classification.Topics.Model;

namespace NewsMonitor.Evaluation;

/// <summary>
/// How the product's multi-label rule behaves on held-out texts, per recipe: the final fit (calibration on a fifth of
/// the training part) on k−1 folds, then every held-out text's labels at or above the threshold. Reports how many
/// texts end <c>unknown</c>, how many labels the others get, the precision of assigned labels and the recall of the
/// gold one, with and without the evidence rule (a label needs the text's own features to raise its margin above an
/// empty text's), and what a few texts with nothing topical in them get.
/// </summary>
internal static class TopicAssignmentCv
{
    private static readonly string[] Probes = ["zzz qqq", "hello world", "lorem ipsum dolor sit amet", "12345 67890", "qwerty asdf", "كرة", "وزير", "مرحبا"];

    public static int Run(string dataDirectory, int folds, string specs)
    {
        var items = TopicCv.Load(dataDirectory, folds);
        Console.WriteLine("| recipe | rule | unknown | labels per known text | precision | recall of gold | probes given a label |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var spec in specs.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parsed = LinearSpec.Parse(spec);
            var totals = new Dictionary<Rule, (int Texts, int Unknown, int Assigned, int Correct, int GoldFound)>();
            var probeLines = new List<string>();
            for (var fold = 0; fold < folds; fold++)
            {
                var train = items.Where(item => item.Fold != fold).ToList();
                var heldOut = items.Where(item => item.Fold == fold).ToList();
                var model = parsed.TrainFinal(train, out _);
                var empty = model.Margins(new FeatureVector([], []));
                foreach (var evidence in Enum.GetValues<Rule>())
                {
                    var t = totals.GetValueOrDefault(evidence);
                    foreach (var item in heldOut)
                    {
                        var assigned = Assigned(model, empty, parsed.Features(item), evidence);
                        t.Texts++;
                        if (assigned.Count == 0) { t.Unknown++; continue; }
                        t.Assigned += assigned.Count;
                        if (assigned.Contains(item.Label)) { t.Correct++; t.GoldFound++; }
                    }
                    totals[evidence] = t;
                    if (fold == 0 && evidence == Rule.Threshold)
                    {
                        // The strongest push of a text's own features toward any label (margin above the empty text's).
                        static float Push(float[] margins, float[] empty) => margins.Select((m, l) => m - empty[l]).Max();
                        var pushes = heldOut.Select(item => Push(model.Margins(parsed.Features(item)), empty)).Order().ToList();
                        Console.WriteLine($"  {spec} strongest push, held-out percentiles 0.1/1/5/50: " + string.Join(" / ",
                            new[] { 0.001, 0.01, 0.05, 0.5 }.Select(q => pushes[(int)(q * (pushes.Count - 1))].ToString("0.000", CultureInfo.InvariantCulture))));
                        foreach (var probe in Probes)
                            Console.WriteLine($"  {spec} strongest push of \"{probe}\": {Push(model.Margins(TopicFeatures.Of(probe)), empty).ToString("0.000", CultureInfo.InvariantCulture)}");
                    }
                    if (fold == 0)
                    {
                        foreach (var probe in Probes)
                        {
                            var labels = Assigned(model, empty, TopicFeatures.Of(probe), evidence);
                            if (labels.Count > 0) probeLines.Add($"{evidence}: \"{probe}\" → {string.Join(", ", labels)}");
                        }
                    }
                }
                Console.Error.WriteLine($"{spec}: fold {fold + 1}/{folds} done");
            }
            foreach (var (evidence, t) in totals)
            {
                var known = t.Texts - t.Unknown;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {spec} | {evidence} | {(double)t.Unknown / t.Texts:0.000} | {(double)t.Assigned / Math.Max(1, known):0.00} | {(double)t.Correct / Math.Max(1, t.Assigned):0.000} | {(double)t.GoldFound / t.Texts:0.000} | {probeLines.Count(line => line.StartsWith(evidence + ":", StringComparison.Ordinal))} of {Probes.Length} |"));
            }
            foreach (var line in probeLines) Console.WriteLine($"  {spec} {line}");
        }
        return 0;
    }

    private enum Rule { Threshold, TextPushesSomeLabel, TextPushesEachLabel }

    private static List<string> Assigned(LinearTopicModel model, float[] empty, FeatureVector x, Rule rule)
    {
        var probabilities = model.Probabilities(x);
        var margins = model.Margins(x);
        var labels = new List<string>();
        if (rule != Rule.Threshold && x.Indices.Length == 0) return labels;
        if (rule == Rule.TextPushesSomeLabel && margins.Select((m, l) => m - empty[l]).Max() <= 0) return labels;
        var evidence = rule == Rule.TextPushesEachLabel;
        for (var label = 0; label < probabilities.Length; label++)
        {
            if (probabilities[label] < LinearTopicModel.Threshold) continue;
            if (evidence && margins[label] <= empty[label]) continue;
            labels.Add(model.Labels[label]);
        }
        return labels;
    }
}
