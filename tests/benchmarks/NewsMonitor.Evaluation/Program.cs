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
    ["cv-topics", ..] => TopicCv.Run(DataPath("topics"), int.Parse(Option(args, "--folds") ?? "5", CultureInfo.InvariantCulture), Option(args, "--candidates") ?? TopicCv.DefaultCandidates,
        Option(args, "--reference") ?? TopicCv.DefaultReference,
        int.Parse(Option(args, "--seed") ?? TopicCv.Seed.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)),
    ["assign-topics", ..] => TopicAssignmentCv.Run(DataPath("topics"), int.Parse(Option(args, "--folds") ?? "5", CultureInfo.InvariantCulture),
        Option(args, "--candidates") ?? Topics.ShippedSpec),
    ["fit-cue-topics", ..] => CueTopics.Fit(Option(args, "--sample") ?? Path.Combine(RepoRoot(), "tests/data/topics-defense-international"), DataPath("topics"),
        Option(args, "--out") ?? Path.Combine(RepoRoot(), "services/NewsMonitor.Classification/Data", "cue-topics.tsv")),
    ["train-topics", ..] => Topics.Train(DataPath("topics"), Option(args, "--spec") ?? Topics.ShippedSpec,
        Option(args, "--out") ?? Path.Combine(RepoRoot(), "services/NewsMonitor.Classification/Data", "topic-model.bin")),
    ["ner", var file, ..] => Ner.Evaluate(file, Option(args, "--model")),
    ["ner-cv", ..] => NerCrossValidation.Run(
        Ner.Read(Option(args, "--train") ?? DataPath("ner/anercorp/train.conll")).Concat(Ner.Read(Option(args, "--dev") ?? DataPath("ner/anercorp/dev.conll"))).ToList(),
        BuiltInData.NameGazetteer, Ner.Clusters(Option(args, "--clusters") ?? "built-in"),
        int.Parse(Option(args, "--folds") ?? "5", CultureInfo.InvariantCulture),
        int.Parse(Option(args, "--first-epochs") ?? "15", CultureInfo.InvariantCulture),
        int.Parse(Option(args, "--second-epochs") ?? "12", CultureInfo.InvariantCulture),
        int.Parse(Option(args, "--parallel") ?? "1", CultureInfo.InvariantCulture),
        Ner.Variants(Option(args, "--variants") ?? "shipped=" + (Option(args, "--features") ?? "None")),
        args.Contains("--first-only"), args.Contains("--scan"),
        Option(args, "--fold") is { } onlyFold ? int.Parse(onlyFold, CultureInfo.InvariantCulture) : null,
        Option(args, "--train-blocks") is { } trainBlocks ? int.Parse(trainBlocks, CultureInfo.InvariantCulture) : null),
    ["ner-speed", var previous, ..] => NerSpeed.Run(Option(args, "--dev") ?? DataPath("ner/anercorp/dev.conll"), previous, int.Parse(Option(args, "--rounds") ?? "7", CultureInfo.InvariantCulture)),
    ["ner-clusters", ..] => Ner.BuildClusters(DataPath(""), Option(args, "--out") ?? Path.Combine(RepoRoot(), "services/NewsMonitor.Entities/Data", BuiltInData.ClustersFile)),
    ["train-ner", ..] => Ner.Train(
        Option(args, "--train") ?? DataPath("ner/anercorp/train.conll"),
        Option(args, "--dev") ?? DataPath("ner/anercorp/dev.conll"),
        int.Parse(Option(args, "--epochs") ?? "16", CultureInfo.InvariantCulture),
        Option(args, "--out") ?? Path.Combine(RepoRoot(), "services/NewsMonitor.Entities/Data", BuiltInData.TaggerModelFile),
        Ner.Clusters(Option(args, "--clusters") ?? "built-in"),
        Option(args, "--first-epochs") is { } firstEpochs ? int.Parse(firstEpochs, CultureInfo.InvariantCulture) : null,
        Option(args, "--second-epochs") is { } secondEpochs ? int.Parse(secondEpochs, CultureInfo.InvariantCulture) : null,
        Ner.FeatureSet(Option(args, "--features") ?? "None"), args.Contains("--with-dev")),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage:
          topics <file> --format asnd|sib200 [--model f]  per-label P/R/F1 and accuracy of the shipped topic model, with majority and naive Bayes baselines
          cv-topics [--folds k] [--candidates "spec;spec"] [--reference variant] [--seed folds-seed]
                                                        stratified k-fold CV over train+dev of ASND and SIB-200: mean ± sd macro-F1 and accuracy, and dev, per candidate;
                                                        each variant's per-fold difference from the reference (default "loss=hinge,idf=1 e4", the shipped recipe); per-label F1
          train-topics [--spec s] [--out f]             rebuild the topic model from train + dev of ASND and SIB-200 with the recipe cv-topics chose
          assign-topics [--folds k] [--candidates "spec;spec"]
                                                        the product's multi-label rule on held-out folds: share unknown, labels per text, precision, gold recall, and gibberish probes
          fit-cue-topics [--sample dir] [--out f]       fit the defense/international scores on the hand-labelled sample; P/R on its held-out part
          extract <file.txt>                            the entities the service would store for a text file
          ner <file.conll> [--model <ner-model.bin>]     entity-level P/R/F1 of the shipped tagger and a gazetteer-only baseline
          train-ner [--train f] [--dev f] [--epochs n] [--out f] [--clusters built-in|off|f] [--first-epochs n --second-epochs m]
                    [--features A+B] [--with-dev]       rebuild the tagger from ANERcorp train (train + dev with --with-dev: epochs must be given);
                                                        epochs chosen on dev unless given; --features: NerFeatureSet flags joined by +
          ner-cv [--folds 5] [--first-epochs 15] [--second-epochs 12] [--clusters built-in|off|f] [--parallel 1] [--features A+B]
                 [--variants "name=A+B;name=None"] [--first-only] [--scan] [--fold k] [--train-blocks k]
                                                        k-fold cross-validation over train + dev (contiguous blocks): per-type P/R/F1 mean ± sd,
                                                        per variant, paired fold differences to the first; --first-only trains the first pass
                                                        alone (a cheap screen), --scan reports mean F1 after each (last pass's) epoch,
                                                        --train-blocks trains on k of the other blocks only (a learning-curve point)
          ner-speed <previous-ner-model.bin> [--rounds 7]  ms per article of the shipped model beside a previous one, same run
          ner-clusters [--out f]                        rebuild the word clusters from the allowed unlabelled text (ANERcorp train/dev words, topic train/dev texts)
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
        Console.WriteLine($"{file}: {sentences.Count} sentences, {sentences.Sum(s => s.Words.Length)} tokens; tagger {tagger.FeatureCount} feature rows (features {tagger.FeatureSet}), gazetteer {gazetteer.Count} names");

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
        var consistent = new EntityScore();
        foreach (var ((_, tags), predicted) in sentences.Zip(DocumentConsistency.Apply(sentences.Select(s => s.Words).ToList(), tagged, NerModel.DefaultWindow))) consistent.Add(tags, predicted);
        consistent.Print($"tagger + document consistency pass (untagged repeats of tagged names, ±{NerModel.DefaultWindow} sentences)", Console.Out);
        Console.WriteLine($"consistency-f1 {consistent.MicroF1:0.0000}");
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

    public static int Train(string trainFile, string devFile, int maxEpochs, string output, WordClusters? clusters, int? firstEpochs = null, int? secondEpochs = null,
        NerFeatureSet set = NerFeatureSet.None, bool withDev = false)
    {
        var train = Read(trainFile);
        var dev = Read(devFile);
        Console.WriteLine($"train {train.Count} sentences, dev {dev.Count}; up to {maxEpochs} epochs; features {set}{(withDev ? "; training on train + dev" : "")}");
        var watch = Stopwatch.StartNew();
        var gazetteer = BuiltInData.NameGazetteer;
        if (firstEpochs is { } f && secondEpochs is { } e)
        {
            // Epochs given (e.g. the ones cross-validation used): no selection runs, the same seeds give the same file.
            var given = NerModel.Train(withDev ? [.. train, .. dev] : train, gazetteer, f, e, clusters: clusters, set: set);
            using (var file = File.Create(output)) given.Save(file);
            Console.WriteLine($"{f} + {e} epochs given; wrote {output} ({new FileInfo(output).Length / 1024} KiB, {given.FeatureCount} rows); dev entity-f1 {Score(given, dev):0.0000}{(withDev ? " (dev was trained on: not an estimate)" : "")} ({watch.Elapsed.TotalSeconds:0} s)");
            return 0;
        }
        if (withDev) throw new ArgumentException("--with-dev needs --first-epochs and --second-epochs (dev cannot choose epochs it is trained on).");
        if (set != NerFeatureSet.None) throw new ArgumentException("--features needs --first-epochs and --second-epochs (choose them with ner-cv --scan).");
        // First pass alone: epochs chosen on dev.
        var first = (Epoch: 0, F1: -1.0);
        Console.WriteLine($"word clusters: {(clusters is null ? "off" : clusters.Count + " words")}");
        PerceptronTagger.Train(train, gazetteer, maxEpochs, clusters: clusters, afterEpoch: (epoch, model) =>
        {
            var score = new EntityScore();
            foreach (var (words, tags) in dev) score.Add(tags, model.Tag(words));
            Console.WriteLine($"first pass epoch {epoch,2}: dev entity-f1 {score.MicroF1:0.0000} ({watch.Elapsed.TotalSeconds:0.0} s)");
            if (score.MicroF1 > first.F1) first = (epoch, score.MicroF1);
        });
        // Second pass over held-out first-pass tags: epochs chosen on dev, then the same seeds rebuild that model.
        var second = (Epoch: 0, F1: -1.0);
        NerModel.Train(train, gazetteer, first.Epoch, maxEpochs, clusters: clusters, afterEpoch: (epoch, model) =>
        {
            var f1 = Score(model, dev);
            Console.WriteLine($"second pass epoch {epoch,2}: dev entity-f1 {f1:0.0000} ({watch.Elapsed.TotalSeconds:0.0} s)");
            if (f1 > second.F1) second = (epoch, f1);
        });
        var final = NerModel.Train(train, gazetteer, first.Epoch, second.Epoch, clusters: clusters);
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

    /// <summary>NerFeatureSet flags written <c>A+B</c> (or <c>None</c>).</summary>
    public static NerFeatureSet FeatureSet(string option) => Enum.Parse<NerFeatureSet>(option.Replace('+', ','), ignoreCase: true);

    /// <summary><c>name=A+B;name=None</c>: the variants ner-cv compares, the first being the reference.</summary>
    public static List<(string Name, NerFeatureSet Set)> Variants(string option) =>
        [.. option.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(variant =>
            variant.Split('=', 2) is [var name, var set] ? (name, FeatureSet(set)) : (variant, FeatureSet(variant)))];

    /// <summary><c>built-in</c>: the clusters shipped in Data (none if absent); <c>off</c>: none; otherwise a clusters file.</summary>
    public static WordClusters? Clusters(string option)
    {
        if (option == "off") return null;
        if (option == "built-in") return BuiltInData.WordClusters;
        using var reader = new StreamReader(option);
        return WordClusters.Read(reader);
    }

    /// <summary>
    /// Word clusters from every piece of Arabic text the project may learn from: the words of ANERcorp train and
    /// dev (labels unused) and the texts of the ASND and SIB-200 train and dev splits. Test splits are never read.
    /// </summary>
    public static int BuildClusters(string dataRoot, string output)
    {
        var watch = Stopwatch.StartNew();
        var analyzer = TextAnalyzer.BuiltIn;
        var sentences = new List<IReadOnlyList<string>>();
        foreach (var split in new[] { "train", "dev" })
            sentences.AddRange(Read(Path.Combine(dataRoot, "ner/anercorp", split + ".conll")).Select(s => s.Words.Select(w => w.LexicalKey).ToList()));
        var conll = sentences.Count;
        foreach (var (file, format) in new[] { ("asnd/train.csv", "asnd"), ("asnd/dev.csv", "asnd"), ("sib200/train.tsv", "sib200"), ("sib200/dev.tsv", "sib200") })
        {
            foreach (var (text, _) in TopicData.Read(Path.Combine(dataRoot, "topics", file), format))
                sentences.Add(analyzer.Analyze(text).Tokens.Select(token => token.LexicalKey).ToList());
        }
        Console.WriteLine($"{conll} ANERcorp sentences, {sentences.Count - conll} topic texts, {sentences.Sum(s => s.Count)} tokens");
        var clusters = WordClusters.Build(sentences);
        using (var writer = new StreamWriter(output, false, new System.Text.UTF8Encoding(false))) clusters.Write(writer);
        Console.WriteLine($"wrote {output}: {clusters.Count} words in {clusters.ClusterCount} clusters, {new FileInfo(output).Length / 1024} KiB ({watch.Elapsed.TotalSeconds:0.0} s)");
        return 0;
    }

    internal static List<(TaggerWord[] Words, string[] Tags)> Read(string file)
    {
        var analyzer = TextAnalyzer.BuiltIn;
        return Conll.Read(file).Select(sentence => (TaggerWord.FromWords(sentence.Words, analyzer), sentence.Tags)).ToList();
    }

    private static string[] GazetteerTags(NameGazetteer gazetteer, TaggerWord[] words) =>
        gazetteer.Cover(words).Select(cover => cover is { } c ? (c.Begin ? "B-" : "I-") + c.Type : "O").ToArray();
}
