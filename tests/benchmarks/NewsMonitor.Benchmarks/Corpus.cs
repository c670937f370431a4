using System.Text.RegularExpressions;

namespace NewsMonitor.Benchmarks;

/// <summary>Inputs shared by the benchmarks: the sample articles, the case table and train-split data.</summary>
public static partial class Corpus
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The three sample articles (tests/data/sample).</summary>
    public static IReadOnlyList<string> Articles { get; } = Directory.GetFiles(Path.Combine(RepoRoot, "tests", "data", "sample"), "*.txt")
        .Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();

    /// <summary>Rows of tests/data/text-cases.tsv of one kind: (input, expected).</summary>
    public static IReadOnlyList<(string Input, string Expected)> Cases(string kind) => File.ReadAllLines(Path.Combine(RepoRoot, "tests", "data", "text-cases.tsv"))
        .Where(line => line.StartsWith(kind + "\t", StringComparison.Ordinal))
        .Select(line => line.Split('\t'))
        .Select(columns => (columns[1], columns[2]))
        .ToList();

    /// <summary>A file of ../shared/data (train splits and gazetteers only).</summary>
    public static string SharedData(string relative) => Path.Combine(RepoRoot, "..", "shared", "data", relative);

    /// <summary>The words of ANERcorp's train split, sentence by sentence.</summary>
    public static IEnumerable<string[]> TrainSentences() => Sentences("ner/anercorp/train.conll");

    /// <summary>The Arabic words of a CoNLL file of ../shared/data (train or dev only), sentence by sentence.</summary>
    public static IEnumerable<string[]> Sentences(string conll)
    {
        var sentence = new List<string>();
        foreach (var line in File.ReadLines(SharedData(conll)))
        {
            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0] == "-DOCSTART-")
            {
                if (sentence.Count > 0) yield return [.. sentence];
                sentence.Clear();
                continue;
            }
            if (ArabicWord().IsMatch(parts[0])) sentence.Add(parts[0]);
        }
        if (sentence.Count > 0) yield return [.. sentence];
    }

    [GeneratedRegex(@"^[\u0621-\u064A]{2,}$")]
    private static partial Regex ArabicWord();

    private static string FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NewsMonitor.sln"))) return directory.FullName;
        }
        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NewsMonitor.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException("Run from the repository: NewsMonitor.sln not found.");
    }
}
