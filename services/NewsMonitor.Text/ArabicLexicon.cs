using System.Text;

namespace NewsMonitor.Text;

/// <summary>What the lexicon knows of a word key.</summary>
/// <param name="Count">How often the word was seen in the sources (0: unknown).</param>
/// <param name="IsName">Listed in a gazetteer as (part of) a name.</param>
/// <param name="IsStopword">A function word (particle, pronoun, preposition).</param>
public readonly record struct LexiconEntry(int Count, bool IsName, bool IsStopword);

/// <summary>
/// The word list the clitic segmenter validates against: ANERcorp train tokens, ANERGazet names, stop words
/// and the sample corpus, with counts (built by build/data/lexicon.py, shipped in the assembly).
/// Look-ups take spans and allocate nothing.
/// </summary>
public sealed class ArabicLexicon
{
    private readonly Dictionary<string, LexiconEntry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LexiconEntry>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>Creates an empty lexicon.</summary>
    public ArabicLexicon() => _lookup = _entries.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly Lazy<ArabicLexicon> BuiltInLexicon = new(LoadBuiltIn);

    /// <summary>The lexicon shipped with the library.</summary>
    public static ArabicLexicon BuiltIn => BuiltInLexicon.Value;

    /// <summary>Number of distinct keys.</summary>
    public int Count => _entries.Count;

    /// <summary>Adds (or adds to) a word; the key is normalised first.</summary>
    public void Add(string word, int count, bool isName = false, bool isStopword = false)
    {
        var key = ArabicNormalizer.Normalize(word);
        if (key.Length == 0) return;
        _entries[key] = _entries.TryGetValue(key, out var existing)
            ? new LexiconEntry(existing.Count + count, existing.IsName || isName, existing.IsStopword || isStopword)
            : new LexiconEntry(count, isName, isStopword);
    }

    /// <summary>What is known of <paramref name="key"/> (an already normalised key).</summary>
    public LexiconEntry Lookup(ReadOnlySpan<char> key) => _lookup.TryGetValue(key, out var entry) ? entry : default;

    /// <summary>The stored string equal to <paramref name="key"/>, so known words need no new string.</summary>
    public string Intern(ReadOnlySpan<char> key) => _lookup.TryGetValue(key, out var stored, out _) ? stored : new string(key);

    private static ArabicLexicon LoadBuiltIn()
    {
        var lexicon = new ArabicLexicon();
        using var stream = typeof(ArabicLexicon).Assembly.GetManifestResourceStream("NewsMonitor.Text.Data.lexicon.tsv")
            ?? throw new InvalidOperationException("The embedded lexicon is missing from the build.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            var columns = line.Split('\t');
            if (columns.Length < 2 || !int.TryParse(columns[1], out var count)) continue;
            var flags = columns.Length > 2 ? columns[2] : "";
            lexicon.Add(columns[0], count, flags.Contains('n', StringComparison.Ordinal), flags.Contains('s', StringComparison.Ordinal));
        }
        return lexicon;
    }
}
