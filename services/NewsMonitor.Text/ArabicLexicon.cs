using System.Text;

namespace NewsMonitor.Text;

/// <summary>What the lexicon knows of a word key.</summary>
/// <param name="Count">How often the word was seen in the sources (0: unknown).</param>
/// <param name="IsName">Listed in a gazetteer as (part of) a name.</param>
/// <param name="IsStopword">A function word (particle, pronoun, preposition).</param>
public readonly record struct LexiconEntry(int Count, bool IsName, bool IsStopword)
{
    /// <summary>log(1 + <see cref="Count"/>): how well the word is attested, as the segmenter weighs it.</summary>
    public double Weight { get; } = Math.Log(1 + Count);
}

/// <summary>
/// The word list the clitic segmenter validates against: ANERcorp train tokens, ANERGazet names, stop words
/// and the sample corpus, with counts (built by build/data/lexicon.py, shipped in the assembly).
/// Look-ups take spans and allocate nothing.
/// </summary>
public sealed class ArabicLexicon
{
    private readonly Dictionary<string, LexiconEntry> _entries = new(KeyComparer.Instance);
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

    /// <summary>Whether <paramref name="key"/> is listed; when it is, the stored string and what is known of it.</summary>
    internal bool TryGet(ReadOnlySpan<char> key, out string stored, out LexiconEntry entry) => _lookup.TryGetValue(key, out stored!, out entry);

    /// <summary>What is known of <paramref name="key"/>, and the stored string equal to it (a new one when unknown).</summary>
    public LexiconEntry Lookup(ReadOnlySpan<char> key, out string stored)
    {
        if (_lookup.TryGetValue(key, out var actual, out var entry))
        {
            stored = actual;
            return entry;
        }
        stored = new string(key);
        return default;
    }

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

/// <summary>
/// Ordinal equality with a fast FNV-1a hash, for tables filled only from shipped word lists (never from
/// input), so they need no hash randomisation against flooding.
/// </summary>
internal sealed class KeyComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<char>, string>
{
    public static readonly KeyComparer Instance = new();

    public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

    public int GetHashCode(string obj) => Hash(obj);

    public bool Equals(ReadOnlySpan<char> alternate, string other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<char> alternate) => Hash(alternate);

    public string Create(ReadOnlySpan<char> alternate) => new(alternate);

    private static int Hash(ReadOnlySpan<char> key)
    {
        var hash = 2166136261u;
        foreach (var c in key) hash = (hash ^ c) * 16777619u;
        return (int)hash;
    }
}
