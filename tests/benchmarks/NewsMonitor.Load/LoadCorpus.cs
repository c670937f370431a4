using System.Text;
using System.Text.RegularExpressions;
using NewsMonitor.Evaluation;
using NewsMonitor.Text;

namespace NewsMonitor.Load;

/// <summary>
/// Reads the material the articles and rules are made of: the sample articles (tests/data/sample and
/// ../shared/corpus/sample) and the TRAIN splits of ../shared/data (ANERcorp, ASND, SIB-200). Never a test split.
/// </summary>
public static partial class LoadCorpus
{
    /// <summary>The repository root (the folder holding NewsMonitor.sln) above the working or the build directory.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    private static string SharedData(string relative) => Path.Combine(RepoRoot, "..", "shared", "data", relative);

    /// <summary>Paragraphs of the sample articles: leads of the generated articles.</summary>
    public static IReadOnlyList<string> Leads()
    {
        var folders = new[] { Path.Combine(RepoRoot, "tests", "data", "sample"), Path.Combine(RepoRoot, "..", "shared", "corpus", "sample") };
        return folders.Where(Directory.Exists).SelectMany(folder => Directory.GetFiles(folder, "*.txt"))
            .SelectMany(file => File.ReadAllText(file).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(paragraph => paragraph.Length >= 200).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Sentences of the train splits: ANERcorp train (words joined back, punctuation attached), ASND train posts
    /// (hashtags, mentions, links and retweet marks removed) and SIB-200 train.
    /// </summary>
    public static IReadOnlyList<string> Sentences()
    {
        var sentences = new List<string>();
        sentences.AddRange(ConllSentences(SharedData("ner/anercorp/train.conll")).Select(words => Join(words)).Where(s => s.Length >= 40));
        // The topic files through the evaluation's own reader (RFC 4180 for ASND's CSV, SIB-200's TSV), linked in.
        sentences.AddRange(TopicData.Read(SharedData("topics/asnd/train.csv"), "asnd").Select(row => CleanPost(row.Text)).Where(s => s.Length >= 40 && MostlyArabic(s)));
        sentences.AddRange(TopicData.Read(SharedData("topics/sib200/train.tsv"), "sib200").Select(row => row.Text.Trim()).Where(s => s.Length >= 40));
        return sentences.Select(s => s.EndsWith('.') || s.EndsWith('؟') || s.EndsWith('!') ? s : s + ".").Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Names of people and places (ANERGazet) for phrase rules and entity filters.</summary>
    public static IReadOnlyList<string> Names() => new[] { "PersGazetteer.txt", "LocGazetteer.txt", "OrgGazetteer.txt" }
        .SelectMany(file => File.ReadLines(SharedData("ner/gazetteers/" + file)))
        .Select(name => name.Trim()).Where(name => name.Length > 3 && ArabicLetters().IsMatch(name) && !name.Contains('"'))
        .Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Content words (four letters or more, not function words) and two-word phrases of <paramref name="sentences"/>
    /// that are neither too rare to ever match nor so common that every article matches (seen in 0.05–2 % of sentences).
    /// </summary>
    public static (IReadOnlyList<string> Words, IReadOnlyList<string> Phrases) Vocabulary(IReadOnlyList<string> sentences)
    {
        var lexicon = ArabicLexicon.BuiltIn;
        bool Content(string word) => word.Length >= 4 && ArabicLetters().IsMatch(word) && !lexicon.Lookup(ArabicNormalizer.Normalize(word)).IsStopword;
        var wordCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var phraseCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var sentence in sentences)
        {
            var words = Tokenizer.Tokenize(sentence).Where(token => token.Kind == TokenKind.Word).Select(token => sentence.Substring(token.Start, token.Length)).ToArray();
            foreach (var word in words.Where(Content).Distinct()) wordCounts[word] = wordCounts.GetValueOrDefault(word) + 1;
            for (var i = 0; i + 1 < words.Length; i++)
            {
                if (Content(words[i]) && Content(words[i + 1])) phraseCounts[words[i] + " " + words[i + 1]] = phraseCounts.GetValueOrDefault(words[i] + " " + words[i + 1]) + 1;
            }
        }
        var low = Math.Max(2, sentences.Count / 2000);
        var high = Math.Max(low + 1, sentences.Count / 50);
        return (wordCounts.Where(pair => pair.Value >= low && pair.Value <= high).Select(pair => pair.Key).Order(StringComparer.Ordinal).ToList(),
            phraseCounts.Where(pair => pair.Value >= 2).Select(pair => pair.Key).Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>A social post as a news sentence: no retweet mark, mentions, links or '#'; underscores of hashtags as spaces; one line.</summary>
    public static string CleanPost(string post)
    {
        ArgumentNullException.ThrowIfNull(post);
        var text = RetweetMark().Replace(post, "");
        text = Link().Replace(text, "");
        text = Mention().Replace(text, "");
        text = text.Replace('#', ' ').Replace('_', ' ').Replace("…", "", StringComparison.Ordinal).Replace('|', ' ');
        return Spaces().Replace(text, " ").Trim(' ', ':', '-', '.');
    }

    private static bool MostlyArabic(string text) => text.Count(c => c is >= '\u0600' and <= '\u06FF') * 2 > text.Count(char.IsLetter);

    private static string Join(IReadOnlyList<string> words)
    {
        var text = new StringBuilder();
        foreach (var word in words)
        {
            if (text.Length > 0 && !(word.Length == 1 && ".,:;!?،؛؟)".Contains(word[0], StringComparison.Ordinal)) && text[^1] != '(') text.Append(' ');
            text.Append(word);
        }
        return text.ToString();
    }

    private static IEnumerable<List<string>> ConllSentences(string path)
    {
        var sentence = new List<string>();
        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0] == "-DOCSTART-")
            {
                if (sentence.Count > 0) yield return sentence;
                sentence = [];
                continue;
            }
            sentence.Add(parts[0]);
            if (parts[0] == ".") { yield return sentence; sentence = []; }
        }
        if (sentence.Count > 0) yield return sentence;
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "NewsMonitor.sln"))) return directory.FullName;
            }
        }
        throw new InvalidOperationException("Run from the repository: NewsMonitor.sln not found.");
    }

    [GeneratedRegex(@"^[\u0621-\u064A ]+$")]
    private static partial Regex ArabicLetters();
    [GeneratedRegex(@"^RT\s+@\w+:\s*")]
    private static partial Regex RetweetMark();
    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Link();
    [GeneratedRegex(@"@\w+")]
    private static partial Regex Mention();
    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
