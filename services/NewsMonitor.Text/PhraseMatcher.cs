namespace NewsMonitor.Text;

/// <summary>Where a phrase occurs in a text.</summary>
/// <param name="Start">Offset where the phrase starts in the original text (after proclitics of its first word).</param>
/// <param name="Length">From <see cref="Start"/> to the end of its last token.</param>
/// <param name="TokenCount">How many tokens the phrase spans.</param>
/// <param name="Payload">What the phrase was registered with.</param>
/// <param name="TokenIndex">Position of the phrase's first token among the text's word and number tokens.</param>
public readonly record struct PhraseMatch<T>(int Start, int Length, int TokenCount, T Payload, int TokenIndex = 0);

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
        ForEachMatch(text, matches.Add);
        return matches;
    }

    /// <summary>Hands every occurrence to <paramref name="found"/> without collecting them (no large lists for long texts).</summary>
    public void ForEachMatch(AnalyzedText text, Action<PhraseMatch<T>> found)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(found);
        if (_root.Children is null) return;
        var tokens = text.Tokens;
        var content = text.Content;
        for (var i = 0; i < content.Count; i++)
        {
            foreach (var key in tokens[content[i].Index].Keys)
            {
                if (_root.Children.TryGetValue(key, out var node)) Walk(tokens, content, i, i, node, found);
            }
        }
    }

    /// <summary>
    /// Hands the payloads of every phrase that occurs in <paramref name="text"/> to <paramref name="found"/>, each phrase
    /// once however often it occurs: what a presearcher needs (which phrases are there, not where), without one call per
    /// payload per occurrence (a word in 3,000 rules that occurs 20 times would be 60,000 calls).
    /// </summary>
    public void ForEachDistinctPhrase(AnalyzedText text, Action<IReadOnlyList<T>> found)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(found);
        if (_root.Children is null) return;
        var reported = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var tokens = text.Tokens;
        var content = text.Content;
        for (var i = 0; i < content.Count; i++)
        {
            foreach (var key in tokens[content[i].Index].Keys)
            {
                if (_root.Children.TryGetValue(key, out var node)) WalkDistinct(tokens, content, i, node, reported, found);
            }
        }
    }

    private static void WalkDistinct(List<AnalyzedToken> tokens, IReadOnlyList<(int Index, bool BreakBefore)> content, int j, Node node, HashSet<Node> reported, Action<IReadOnlyList<T>> found)
    {
        if (node.Payloads is not null && reported.Add(node)) found(node.Payloads);
        if (node.Children is null || j + 1 >= content.Count || content[j + 1].BreakBefore) return;
        foreach (var key in tokens[content[j + 1].Index].Keys)
        {
            if (node.Children.TryGetValue(key, out var next)) WalkDistinct(tokens, content, j + 1, next, reported, found);
        }
    }

    // Follows every reading of the next token: two phrases may continue through different readings of one word
    // (علاقات and العلاقات for العلاقات), so each matching branch of the trie is walked.
    private static void Walk(List<AnalyzedToken> tokens, IReadOnlyList<(int Index, bool BreakBefore)> content, int first, int j, Node node, Action<PhraseMatch<T>> found)
    {
        if (node.Payloads is not null)
        {
            var start = tokens[content[first].Index].ContentStart;
            var end = tokens[content[j].Index].End;
            foreach (var payload in node.Payloads) found(new PhraseMatch<T>(start, end - start, j - first + 1, payload, first));
        }
        if (node.Children is null || j + 1 >= content.Count || content[j + 1].BreakBefore) return;
        foreach (var key in tokens[content[j + 1].Index].Keys)
        {
            if (node.Children.TryGetValue(key, out var next)) Walk(tokens, content, first, j + 1, next, found);
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
}

/// <summary>The keys a word can be read as when matching phrases, computed once per distinct written word.</summary>
internal static class MatchKeys
{
    public static string[] Of(string surface, string lexical, WordAnalysis analysis, bool known, ArabicLexicon lexicon)
    {
        var keys = new List<string>(4) { lexical };
        Add(keys, surface);
        // A phrase written without the article also finds the definite form: ناتو in الناتو.
        if (analysis.HasArticle && lexical.Length > 3 && lexical.StartsWith("ال", StringComparison.Ordinal)) Add(keys, lexicon.Intern(lexical.AsSpan(2)));
        if (!known) AddLightStrips(surface, keys);
        return [.. keys];
    }

    // For words the lexicon cannot validate: peel و ف, then ب ك ل (لل = ل + ال), keeping stems of three letters or more.
    private static void AddLightStrips(string key, List<string> keys)
    {
        var afterConjunction = key.Length > 3 && key[0] is 'و' or 'ف' ? key[1..] : null;
        foreach (var form in new[] { key, afterConjunction })
        {
            if (form is null) continue;
            Add(keys, form);
            if (form.Length <= 3) continue;
            if (form.StartsWith("لل", StringComparison.Ordinal)) Add(keys, "ا" + form[1..]);
            if (form[0] is 'ب' or 'ل' or 'ك') Add(keys, form[1..]);
        }
    }

    private static void Add(List<string> keys, string key)
    {
        if (key.Length >= 2 && !keys.Contains(key)) keys.Add(key);
    }
}
