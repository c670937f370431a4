namespace NewsMonitor.Text;

/// <summary>Where a phrase occurs in a text.</summary>
/// <param name="Start">Offset of the first token in the original text.</param>
/// <param name="Length">From the first token's start to the last token's end.</param>
/// <param name="TokenCount">How many tokens the phrase spans.</param>
/// <param name="Payload">What the phrase was registered with.</param>
public readonly record struct PhraseMatch<T>(int Start, int Length, int TokenCount, T Payload);

/// <summary>
/// Finds many phrases in one pass over a text's tokens through a trie of normalised token keys.
/// The first token of a phrase also matches its proclitic-attached forms (الناتو in للناتو, روسيا in وروسيا).
/// </summary>
public sealed class PhraseMatcher<T>
{
    private sealed class Node
    {
        public Dictionary<string, Node>? Children;
        public List<T>? Payloads;
    }

    private readonly Node _root = new();

    /// <summary>Number of distinct phrases registered.</summary>
    public int Count { get; private set; }

    /// <summary>Registers a phrase; returns false when it has no tokens.</summary>
    public bool Add(string phrase, T payload)
    {
        var tokens = Tokenizer.Tokenize(phrase);
        if (tokens.Count == 0) return false;
        var node = _root;
        foreach (var token in tokens)
        {
            node.Children ??= new Dictionary<string, Node>(StringComparer.Ordinal);
            if (!node.Children.TryGetValue(token.Key, out var next))
            {
                next = new Node();
                node.Children[token.Key] = next;
            }
            node = next;
        }
        if (node.Payloads is null) Count++;
        (node.Payloads ??= []).Add(payload);
        return true;
    }

    /// <summary>Every occurrence of every phrase, in text order (overlaps included).</summary>
    public List<PhraseMatch<T>> FindAll(string text) => FindAll(Tokenizer.Tokenize(text));

    /// <summary>Every occurrence of every phrase in already tokenised text.</summary>
    public List<PhraseMatch<T>> FindAll(IReadOnlyList<Token> tokens)
    {
        var matches = new List<PhraseMatch<T>>();
        if (_root.Children is null) return matches;
        for (var i = 0; i < tokens.Count; i++)
        {
            foreach (var reading in Clitics.Readings(tokens[i].Key))
            {
                if (!_root.Children.TryGetValue(reading, out var node)) continue;
                var j = i;
                while (true)
                {
                    if (node.Payloads is not null)
                    {
                        var end = tokens[j].Start + tokens[j].Length;
                        foreach (var payload in node.Payloads)
                        {
                            matches.Add(new PhraseMatch<T>(tokens[i].Start, end - tokens[i].Start, j - i + 1, payload));
                        }
                    }
                    if (node.Children is null || j + 1 >= tokens.Count || !node.Children.TryGetValue(tokens[j + 1].Key, out var next)) break;
                    node = next;
                    j++;
                }
            }
        }
        return matches;
    }

    /// <summary>Leftmost-longest, non-overlapping occurrences: what a reader would mark in the text.</summary>
    public List<PhraseMatch<T>> FindLongest(string text)
    {
        var all = FindAll(text);
        all.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        var chosen = new List<PhraseMatch<T>>();
        var reachedEnd = -1;
        var lastStart = -1;
        var lastLength = -1;
        foreach (var match in all)
        {
            // Same span with another payload (the same name in two lists) is kept; overlaps are not.
            if (match.Start == lastStart && match.Length == lastLength) { chosen.Add(match); continue; }
            if (match.Start < reachedEnd) continue;
            chosen.Add(match);
            reachedEnd = match.Start + match.Length;
            lastStart = match.Start;
            lastLength = match.Length;
        }
        return chosen;
    }
}
