namespace NewsMonitor.Text;

/// <summary>Where a phrase occurs in a text.</summary>
/// <param name="Start">Offset where the phrase starts in the original text (after proclitics of its first word).</param>
/// <param name="Length">From <see cref="Start"/> to the end of its last token.</param>
/// <param name="TokenCount">How many tokens the phrase spans.</param>
/// <param name="Payload">What the phrase was registered with.</param>
public readonly record struct PhraseMatch<T>(int Start, int Length, int TokenCount, T Payload);

/// <summary>
/// Finds many phrases (hundreds of thousands) in one pass over a text's analysed tokens, through a trie
/// of lexical keys. Morphology-aware: a token is read as its surface key, its lexical key (proclitics and
/// enclitic removed: الناتو for للناتو, روسيا for وروسيا), its stem without the article, and, for a word the
/// lexicon does not know, its light proclitic strips. Matches never cross sentence punctuation.
/// </summary>
public sealed class PhraseMatcher<T>
{
    private sealed class Node
    {
        public Dictionary<string, Node>? Children;
        public List<T>? Payloads;
    }

    private readonly Node _root = new();
    private readonly TextAnalyzer _analyzer;

    /// <summary>Creates a matcher over <paramref name="analyzer"/> (the built-in one by default).</summary>
    public PhraseMatcher(TextAnalyzer? analyzer = null) => _analyzer = analyzer ?? TextAnalyzer.BuiltIn;

    /// <summary>Number of distinct phrases registered.</summary>
    public int Count { get; private set; }

    /// <summary>Registers a phrase; returns false when it has no words or numbers.</summary>
    public bool Add(string phrase, T payload)
    {
        var node = _root;
        var any = false;
        foreach (var token in _analyzer.Analyze(phrase).Tokens)
        {
            if (!token.IsContent) continue;
            any = true;
            node.Children ??= new Dictionary<string, Node>(StringComparer.Ordinal);
            if (!node.Children.TryGetValue(token.LexicalKey, out var next))
            {
                next = new Node();
                node.Children[token.LexicalKey] = next;
            }
            node = next;
        }
        if (!any) return false;
        if (node.Payloads is null) Count++;
        (node.Payloads ??= []).Add(payload);
        return true;
    }

    /// <summary>Every occurrence of every phrase, in text order (overlaps included).</summary>
    public List<PhraseMatch<T>> FindAll(string text) => FindAll(_analyzer.Analyze(text));

    /// <summary>Every occurrence of every phrase in an analysed text.</summary>
    public List<PhraseMatch<T>> FindAll(AnalyzedText text)
    {
        var matches = new List<PhraseMatch<T>>();
        if (_root.Children is null) return matches;
        var (content, breakBefore) = ContentTokens(text.Tokens);
        Span<string?> readings = new string?[Readings.Max];
        for (var i = 0; i < content.Count; i++)
        {
            var count = Readings.Of(content[i], readings);
            for (var r = 0; r < count; r++)
            {
                if (!_root.Children.TryGetValue(readings[r]!, out var node)) continue;
                Walk(content, breakBefore, i, node, matches);
            }
        }
        return matches;
    }

    private static void Walk(List<AnalyzedToken> content, List<bool> breakBefore, int first, Node node, List<PhraseMatch<T>> matches)
    {
        var start = content[first].ContentStart;
        var j = first;
        Span<string?> readings = new string?[Readings.Max];
        while (true)
        {
            if (node.Payloads is not null)
            {
                foreach (var payload in node.Payloads) matches.Add(new PhraseMatch<T>(start, content[j].End - start, j - first + 1, payload));
            }
            if (node.Children is null || j + 1 >= content.Count || breakBefore[j + 1]) return;
            Node? next = null;
            var count = Readings.Of(content[j + 1], readings);
            for (var r = 0; r < count && next is null; r++) node.Children.TryGetValue(readings[r]!, out next);
            if (next is null) return;
            node = next;
            j++;
        }
    }

    /// <summary>Leftmost-longest, non-overlapping occurrences: what a reader would mark in the text.</summary>
    public List<PhraseMatch<T>> FindLongest(string text) => Longest(FindAll(text));

    /// <summary>Leftmost-longest, non-overlapping occurrences in an analysed text.</summary>
    public List<PhraseMatch<T>> FindLongest(AnalyzedText text) => Longest(FindAll(text));

    private static List<PhraseMatch<T>> Longest(List<PhraseMatch<T>> all)
    {
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

    private static (List<AnalyzedToken> Content, List<bool> BreakBefore) ContentTokens(List<AnalyzedToken> tokens)
    {
        var content = new List<AnalyzedToken>(tokens.Count);
        var breakBefore = new List<bool>(tokens.Count);
        var pendingBreak = false;
        foreach (var token in tokens)
        {
            if (token.IsContent)
            {
                content.Add(token);
                breakBefore.Add(pendingBreak);
                pendingBreak = false;
            }
            else if (token.Kind == TokenKind.Punctuation && token.Key is "." or "," or ";" or ":" or "!" or "?" or "(" or ")" or "[" or "]")
            {
                pendingBreak = true;
            }
        }
        return (content, breakBefore);
    }
}

/// <summary>The keys a token can be read as when matching phrases.</summary>
internal static class Readings
{
    public const int Max = 8;

    public static int Of(AnalyzedToken token, Span<string?> readings)
    {
        var count = 0;
        readings[count++] = token.LexicalKey;
        if (!ReferenceEquals(token.Key, token.LexicalKey) && token.Key != token.LexicalKey) readings[count++] = token.Key;
        if (token.Analysis.HasArticle && token.LexicalKey.Length > 2 && token.LexicalKey.StartsWith("ال", StringComparison.Ordinal))
            readings[count++] = token.LexicalKey[2..];
        if (!token.Known && token.Kind == TokenKind.Word) count = AddLightStrips(token.Key, readings, count);
        return count;
    }

    // For words the lexicon cannot validate: peel و ف, then ب ك ل (لل = ل + ال), keeping stems of three letters or more.
    private static int AddLightStrips(string key, Span<string?> readings, int count)
    {
        var afterConjunction = key.Length > 3 && key[0] is 'و' or 'ف' ? key[1..] : null;
        foreach (var form in new[] { key, afterConjunction })
        {
            if (form is null) continue;
            if (!ReferenceEquals(form, key)) count = Add(readings, count, form);
            if (form.Length <= 3) continue;
            if (form.StartsWith("لل", StringComparison.Ordinal)) count = Add(readings, count, "ا" + form[1..]);
            if (form[0] is 'ب' or 'ل' or 'ك') count = Add(readings, count, form[1..]);
        }
        return count;
    }

    private static int Add(Span<string?> readings, int count, string reading)
    {
        if (count >= Max || reading.Length < 2) return count;
        for (var i = 0; i < count; i++) if (readings[i] == reading) return count;
        readings[count] = reading;
        return count + 1;
    }
}
