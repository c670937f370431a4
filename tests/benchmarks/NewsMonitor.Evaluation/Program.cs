using System.Diagnostics;
using System.Globalization;
using NewsMonitor.Entities.Recognition;
using NewsMonitor.Evaluation;
using NewsMonitor.Text;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

return args switch
{
    ["extract", var file, ..] => Ner.Extract(file),
    ["topics", var file, ..] => Topics.Evaluate(file, Option(args, "--format") ?? "asnd", DataPath("topics"), Option(args, "--model")),
    ["cv-topics", ..] => TopicCv.Run(DataPath("topics"), int.Parse(Option(args, "--folds") ?? "5", CultureInfo.InvariantCulture), Option(args, "--candidates") ?? TopicCv.DefaultCandidates),
    ["fit-cue-topics", ..] => CueTopics.Fit(Option(args, "--sample") ?? Path.Combine(RepoRoot(), "tests/data/topics-defense-international"), DataPath("topics"),
        Option(args, "--out") ?? Path.Combine(RepoRoot(), "services/NewsMonitor.Classification/Data", "cue-topics.tsv")),
    ["train-topics", ..] => Topics.Train(DataPath("topics"), Option(args, "--spec") ?? Topics.ShippedSpec,
        Option(args, "--out") ?? Path.Combine(RepoRoot(), "services/NewsMonitor.Classification/Data", "topic-model.bin")),
    ["ner", var file, ..] => Ner.Evaluate(file, Option(args, "--model")),
    ["train-ner", ..] => Ner.Train(
        Option(args, "--train") ?? DataPath("ner/anercorp/train.conll"),
        Option(args, "--dev") ?? DataPath("ner/anercorp/dev.conll"),
        int.Parse(Option(args, "--epochs") ?? "16", CultureInfo.InvariantCulture),
        Option(args, "--out") ?? Path.Combine(RepoRoot(), "services/NewsMonitor.Entities/Data", BuiltInData.TaggerModelFile)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage:
          topics <file> --format asnd|sib200 [--model f]  per-label P/R/F1 and accuracy of the shipped topic model, with majority and naive Bayes baselines
          cv-topics [--folds k] [--candidates "spec;spec"]  stratified k-fold CV over train+dev of ASND and SIB-200: mean ± sd macro-F1 and accuracy, and dev, per candidate
          train-topics [--spec s] [--out f]             rebuild the topic model from train + dev of ASND and SIB-200 with the recipe cv-topics chose
          fit-cue-topics [--sample dir] [--out f]       fit the defense/international scores on the hand-labelled sample; P/R on its held-out part
          extract <file.txt>                            the entities the service would store for a text file
          ner <file.conll> [--model <ner-model.bin>]     entity-level P/R/F1 of the shipped tagger and a gazetteer-only baseline
          train-ner [--train f] [--dev f] [--epochs n] [--out f]   rebuild the tagger from ANERcorp train; epochs chosen on dev
        """);
    return 2;
}

static string? Option(string[] args, string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

static string RepoRoot()
{
    var directory = new DirectoryInfo(AppContext.BaseDirectory);
    while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "NewsMonitor.sln"))) directory = directory.Parent;
    return directory?.FullName ?? Directory.GetCurrentDirectory();
}

static string DataPath(string relative) => Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared", "data", relative));

internal static class Ner
{
    public static int Evaluate(string file, string? modelPath)
    {
        var sentences = Read(file);
        var tagger = modelPath is null ? BuiltInData.TrainedTagger : BuiltInData.LoadTagger(File.OpenRead(modelPath));
        var gazetteer = BuiltInData.NameGazetteer;
        Console.WriteLine($"{file}: {sentences.Count} sentences, {sentences.Sum(s => s.Words.Length)} tokens; tagger {tagger.FeatureCount} feature rows, gazetteer {gazetteer.Count} names");

        var baseline = new EntityScore();
        foreach (var (words, tags) in sentences) baseline.Add(tags, GazetteerTags(gazetteer, words));
        baseline.Print("baseline: gazetteer only (ANERGazet + alias table, longest match)", Console.Out);

        var score = new EntityScore();
        var watch = Stopwatch.StartNew();
        var errors = new List<string>();
        var tagged = tagger.TagDocument(sentences.Select(s => s.Words).ToList(), NerModel.DefaultWindow);
        foreach (var ((words, tags), predicted) in sentences.Zip(tagged))
        {
            score.Add(tags, predicted);
            var found = BioTags.Spans(predicted).ToHashSet();
            foreach (var span in BioTags.Spans(tags).Where(span => !found.Contains(span)))
                errors.Add($"missed {span.Type}: {string.Join(' ', words[span.Start..span.End].Select(w => w.Key))} | got {string.Join(' ', predicted[span.Start..span.End])} | before {(span.Start > 0 ? words[span.Start - 1].Key : "")}");
        }
        watch.Stop();
        foreach (var error in errors.Take(int.Parse(Environment.GetEnvironmentVariable("NER_ERRORS") ?? "0", CultureInfo.InvariantCulture))) Console.WriteLine(error);
        score.Print($"tagger: two-pass averaged perceptron, document memory ±{NerModel.DefaultWindow} sentences ({watch.Elapsed.TotalMilliseconds:0} ms)", Console.Out);
        Console.WriteLine($"baseline-f1 {baseline.MicroF1:0.0000}");
        Console.WriteLine($"entity-f1 {score.MicroF1:0.0000}");
        return 0;
    }

    public static int Extract(string file)
    {
        var recognizer = new EntityRecognizer(BuiltInData.TrainedTagger, EntityCatalog.BuiltIn());
        foreach (var entity in recognizer.Extract(File.ReadAllText(file)))
            Console.WriteLine($"{entity.Type,-8} {entity.Id,-28} {entity.Name} | {string.Join(" / ", entity.Mentions.Select(m => m.Text).Distinct())}");
        return 0;
    }

    public static int Train(string trainFile, string devFile, int maxEpochs, string output)
    {
        var train = Read(trainFile);
        var dev = Read(devFile);
        Console.WriteLine($"train {train.Count} sentences, dev {dev.Count}; up to {maxEpochs} epochs");
        var watch = Stopwatch.StartNew();
        var gazetteer = BuiltInData.NameGazetteer;
        // First pass alone: epochs chosen on dev.
        var first = (Epoch: 0, F1: -1.0);
        PerceptronTagger.Train(train, gazetteer, maxEpochs, (epoch, model) =>
        {
            var score = new EntityScore();
            foreach (var (words, tags) in dev) score.Add(tags, model.Tag(words));
            Console.WriteLine($"first pass epoch {epoch,2}: dev entity-f1 {score.MicroF1:0.0000} ({watch.Elapsed.TotalSeconds:0.0} s)");
            if (score.MicroF1 > first.F1) first = (epoch, score.MicroF1);
        });
        // Second pass over held-out first-pass tags: epochs chosen on dev, then the same seeds rebuild that model.
        var second = (Epoch: 0, F1: -1.0);
        NerModel.Train(train, gazetteer, first.Epoch, maxEpochs, afterEpoch: (epoch, model) =>
        {
            var f1 = Score(model, dev);
            Console.WriteLine($"second pass epoch {epoch,2}: dev entity-f1 {f1:0.0000} ({watch.Elapsed.TotalSeconds:0.0} s)");
            if (f1 > second.F1) second = (epoch, f1);
        });
        var final = NerModel.Train(train, gazetteer, first.Epoch, second.Epoch);
        using (var file = File.Create(output)) final.Save(file);
        var shipped = BuiltInData.LoadTagger(File.OpenRead(output));
        Console.WriteLine($"chose {first.Epoch} + {second.Epoch} epochs; wrote {output} ({new FileInfo(output).Length / 1024} KiB, {shipped.FeatureCount} rows); dev entity-f1 of the written model {Score(shipped, dev):0.0000}");
        return 0;
    }

    private static double Score(NerModel tagger, List<(TaggerWord[] Words, string[] Tags)> sentences)
    {
        var score = new EntityScore();
        var tagged = tagger.TagDocument(sentences.Select(s => s.Words).ToList(), NerModel.DefaultWindow);
        foreach (var ((_, tags), predicted) in sentences.Zip(tagged)) score.Add(tags, predicted);
        return score.MicroF1;
    }

    private static List<(TaggerWord[] Words, string[] Tags)> Read(string file)
    {
        var analyzer = TextAnalyzer.BuiltIn;
        return Conll.Read(file).Select(sentence => (TaggerWord.FromWords(sentence.Words, analyzer), sentence.Tags)).ToList();
    }

    private static string[] GazetteerTags(NameGazetteer gazetteer, TaggerWord[] words) =>
        gazetteer.Cover(words).Select(cover => cover is { } c ? (c.Begin ? "B-" : "I-") + c.Type : "O").ToArray();
}
