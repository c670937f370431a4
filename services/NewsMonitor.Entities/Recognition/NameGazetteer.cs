using NewsMonitor.Text;

namespace NewsMonitor.Entities.Recognition;

/// <summary>
/// Name lists (ANERGazet and the curated alias table) as tagger features: which tokens of a sentence lie in
/// a listed name of which type, and which words occur inside names of a type at all. Pure; built once.
/// </summary>
public sealed class NameGazetteer
{
    private const int MaxNameTokens = 8;
    private readonly Dictionary<string, List<(string[] Tokens, string Type)>> _byFirstToken = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _wordTypes = new(StringComparer.Ordinal);

    /// <summary>Number of names listed.</summary>
    public int Count { get; private set; }

    /// <summary>Adds a name of type <paramref name="type"/> (PERS, LOC, ORG).</summary>
    public void Add(string name, string type)
    {
        var tokens = Tokenizer.PhraseKey(name).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0 || tokens.Length > MaxNameTokens || tokens[0].Length < 2) return;
        if (!_byFirstToken.TryGetValue(tokens[0], out var names)) _byFirstToken[tokens[0]] = names = [];
        if (names.Exists(existing => existing.Type == type && existing.Tokens.AsSpan().SequenceEqual(tokens))) return;
        names.Add((tokens, type));
        Count++;
        foreach (var token in tokens)
        {
            if (token.Length < 3) continue;
            // A word seen in names of more than one type says only "part of some name".
            _wordTypes[token] = _wordTypes.TryGetValue(token, out var known) && known != type ? "ANY" : type;
        }
    }

    /// <summary>For each word: the type and position (B or I) of the longest listed name covering it and whether that name is one word, or null.</summary>
    public (string Type, bool Begin, bool Single)?[] Cover(ReadOnlySpan<TaggerWord> words)
    {
        var cover = new (string Type, bool Begin, bool Single)?[words.Length];
        var i = 0;
        while (i < words.Length)
        {
            var (length, type) = LongestAt(words, i);
            if (length == 0) { i++; continue; }
            for (var j = 0; j < length; j++) cover[i + j] = (type!, j == 0, length == 1);
            i += length;
        }
        return cover;
    }

    /// <summary>The name type a single word belongs to (PERS, LOC, ORG, ANY), or null.</summary>
    public string? WordType(in TaggerWord word) =>
        _wordTypes.TryGetValue(word.LexicalKey, out var type) || _wordTypes.TryGetValue(word.Key, out type) ? type : null;

    private (int Length, string? Type) LongestAt(ReadOnlySpan<TaggerWord> words, int start)
    {
        var best = (0, (string?)null);
        foreach (var first in FirstKeys(words[start]))
        {
            if (!_byFirstToken.TryGetValue(first, out var names)) continue;
            foreach (var (tokens, type) in names)
            {
                if (tokens.Length <= best.Item1 || start + tokens.Length > words.Length) continue;
                var matches = true;
                for (var j = 1; j < tokens.Length && matches; j++) matches = words[start + j].Key == tokens[j];
                if (matches) best = (tokens.Length, type);
            }
        }
        return best;
    }

    private static IEnumerable<string> FirstKeys(TaggerWord word)
    {
        yield return word.Key;
        if (word.LexicalKey != word.Key) yield return word.LexicalKey;
    }
}
