using NewsMonitor.Text;

namespace NewsMonitor.Text.Rules;

/// <summary>A rule to evaluate, keyed by what it belongs to (a subscription, an operator topic).</summary>
public sealed record RuleEntry(Guid Id, AlertRule Rule);

/// <summary>An entry whose rule matched, and the terms and filters that made it match.</summary>
public sealed record RuleHit(Guid Id, IReadOnlyList<string> Matched);

/// <summary>What is known of an article when rules are evaluated.</summary>
/// <param name="Text">Title and body.</param>
/// <param name="Source">The article's source, if any.</param>
/// <param name="Language">Its language code.</param>
/// <param name="Entities">Entity ids, canonical names, and mention texts and aliases, with their types, once extracted (null before).</param>
/// <param name="Topics">Topic labels, once classified (null before).</param>
public sealed record ArticleFacts(string Text, string? Source = null, string? Language = null,
    IReadOnlyList<(string Id, string Name, string Type, IReadOnlyList<string> Mentions)>? Entities = null, IReadOnlyList<string>? Topics = null)
{
    /// <summary>The field-filter keys that hold: <c>entity:…</c>, <c>type:…</c>, <c>topic:…</c>, <c>source:…</c>, <c>lang:…</c>.</summary>
    public HashSet<string> FieldKeys()
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (Source is not null) keys.Add(RuleMatcher.FieldKey("source", Source));
        if (Language is not null) keys.Add(RuleMatcher.FieldKey("lang", Language));
        foreach (var (id, name, type, mentions) in Entities ?? [])
        {
            keys.Add(RuleMatcher.FieldKey("entity", id));
            keys.Add(RuleMatcher.FieldKey("entity", name));
            foreach (var mention in mentions) keys.Add(RuleMatcher.FieldKey("entity", mention));
            keys.Add(RuleMatcher.FieldKey("type", type));
        }
        foreach (var topic in Topics ?? []) keys.Add(RuleMatcher.FieldKey("topic", topic));
        return keys;
    }
}

/// <summary>
/// Matches many rules against one article the way Lucene's Monitor does. A presearcher index holds, for each
/// rule, only its anchors: the leaves of which at least one must be present for the rule to hold (for AND the
/// rarer side's, for OR both sides', never a negated leaf), chosen by how rare the lexicon says a word is.
/// An article is analysed once; its anchors are found in one pass of the text core's morphology-aware phrase
/// matcher (wildcards through their prefixes, filters through the article's facts), and only the rules so
/// selected are evaluated, their other leaves looked up in an index of the article's own keys.
/// Exact, not a heuristic: the parser refuses any rule that holds when none of its leaves does. Pure.
/// </summary>
public sealed class RuleMatcher
{
    private const int MinimumWildcardStem = 3;
    private readonly IReadOnlyList<RuleEntry> _rules;
    private readonly TextAnalyzer _analyzer;
    private readonly PhraseMatcher<int> _anchorTerms;
    private readonly Dictionary<string, List<int>> _anchorWildcards = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _anchorFields = new(StringComparer.Ordinal);
    private readonly Dictionary<TermNode, string[]> _termKeys = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<FieldNode, string> _fieldKeys = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, List<int>>.AlternateLookup<ReadOnlySpan<char>> _wildcardLookup;

    /// <summary>Indexes the anchors of <paramref name="rules"/>.</summary>
    public RuleMatcher(IReadOnlyList<RuleEntry> rules, TextAnalyzer? analyzer = null)
    {
        _rules = rules;
        _analyzer = analyzer ?? TextAnalyzer.BuiltIn;
        _anchorTerms = new PhraseMatcher<int>(_analyzer);
        _wildcardLookup = _anchorWildcards.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i].Rule;
            foreach (var term in rule.Terms) _termKeys[term] = TermKeys(term);
            foreach (var field in rule.Fields) _fieldKeys[field] = FieldKey(field.Field, field.Value);
            var anchors = Anchors(rule.Root) ?? [.. rule.Terms, .. rule.Fields];
            foreach (var anchor in anchors)
            {
                switch (anchor)
                {
                    case TermNode { Wildcard: true } wildcard: Add(_anchorWildcards, _termKeys[wildcard][0], i); break;
                    case TermNode term: _anchorTerms.Add(term.Text, i); break;
                    case FieldNode field: Add(_anchorFields, _fieldKeys[field], i); break;
                }
            }
        }
    }

    /// <summary>Number of rules indexed.</summary>
    public int Count => _rules.Count;

    /// <summary>The key a field filter and an article fact meet on.</summary>
    public static string FieldKey(string field, string value) => field + ":" + (field switch
    {
        "type" => value.Trim().ToUpperInvariant(),
        "topic" or "lang" => value.Trim().ToLowerInvariant(),
        _ => Tokenizer.PhraseKey(value),
    });

    /// <summary>The rules that hold for the article, found through the presearcher index.</summary>
    public IReadOnlyList<RuleHit> Match(ArticleFacts facts)
    {
        var article = new ArticleIndex(_analyzer.Analyze(facts.Text), facts.FieldKeys());
        var candidates = new HashSet<int>();
        _anchorTerms.ForEachMatch(article.Text, match => candidates.Add(match.Payload));
        if (_anchorWildcards.Count > 0)
        {
            foreach (var key in article.DistinctKeys)
            {
                for (var length = MinimumWildcardStem; length <= key.Length; length++)
                {
                    if (_wildcardLookup.TryGetValue(key.AsSpan(0, length), out var rules)) candidates.UnionWith(rules);
                }
            }
        }
        foreach (var key in article.FieldKeys)
        {
            if (_anchorFields.TryGetValue(key, out var rules)) candidates.UnionWith(rules);
        }
        var ordered = candidates.ToArray();
        Array.Sort(ordered);
        return Evaluate(ordered, article);
    }

    /// <summary>
    /// Every rule evaluated on its own, each term searched for in the article's tokens: the naive baseline
    /// the benchmark compares the index with.
    /// </summary>
    public IReadOnlyList<RuleHit> MatchNaively(ArticleFacts facts)
    {
        var article = new ArticleIndex(_analyzer.Analyze(facts.Text), facts.FieldKeys());
        var hits = new List<RuleHit>();
        foreach (var entry in _rules)
        {
            var leaves = new Leaves(this, article, cacheTerms: false);
            if (entry.Rule.Matches(leaves.Holds)) hits.Add(new RuleHit(entry.Id, entry.Rule.MatchedTerms(leaves.Holds)));
        }
        return hits;
    }

    // Many candidates (a long article against many rules) are split across the cores: the article index is
    // read-only, and each part keeps its own cache of term positions; hits keep the candidates' order.
    private const int ParallelThreshold = 512;

    private List<RuleHit> Evaluate(int[] candidates, ArticleIndex article)
    {
        var parts = candidates.Length >= ParallelThreshold ? Math.Min(Environment.ProcessorCount, candidates.Length / (ParallelThreshold / 2)) : 1;
        if (parts <= 1) return Evaluate(candidates, 0, candidates.Length, article);
        var results = new List<RuleHit>[parts];
        var size = (candidates.Length + parts - 1) / parts;
        Parallel.For(0, parts, part => results[part] = Evaluate(candidates, part * size, Math.Min(candidates.Length, (part + 1) * size), article));
        return results.SelectMany(hits => hits).ToList();
    }

    private List<RuleHit> Evaluate(int[] candidates, int from, int to, ArticleIndex article)
    {
        var hits = new List<RuleHit>();
        var leaves = new Leaves(this, article, cacheTerms: true);
        for (var i = from; i < to; i++)
        {
            var entry = _rules[candidates[i]];
            if (entry.Rule.Matches(leaves.Holds)) hits.Add(new RuleHit(entry.Id, entry.Rule.MatchedTerms(leaves.Holds)));
        }
        return hits;
    }

    /// <summary>Decides the leaves of rules for one article; term positions are remembered across rules.</summary>
    private sealed class Leaves
    {
        private readonly RuleMatcher _matcher;
        private readonly ArticleIndex _article;
        private readonly Dictionary<TermNode, List<int>>? _positions;

        public Leaves(RuleMatcher matcher, ArticleIndex article, bool cacheTerms)
        {
            _matcher = matcher;
            _article = article;
            _positions = cacheTerms ? new Dictionary<TermNode, List<int>>(ReferenceEqualityComparer.Instance) : null;
            Holds = Leaf;
        }

        /// <summary>The leaf test handed to <see cref="AlertRule.Matches"/>, allocated once.</summary>
        public Func<RuleNode, bool> Holds { get; }

        /// <summary>Positions of a term: through the article's key index, or by scanning every token (naive).</summary>
        public List<int> Positions(TermNode term)
        {
            var keys = _matcher._termKeys[term];
            if (_positions is null) return _article.Scan(keys, term.Wildcard);
            if (!_positions.TryGetValue(term, out var found)) _positions[term] = found = _article.Find(keys, term.Wildcard);
            return found;
        }

        private bool Leaf(RuleNode node) => node switch
        {
            TermNode term => Positions(term).Count > 0,
            FieldNode field => _article.FieldKeys.Contains(_matcher._fieldKeys[field]),
            NearNode near => Near(Positions(near.Left), Positions(near.Right), near.Distance),
            _ => false,
        };

        private static bool Near(List<int> left, List<int> right, int distance)
        {
            foreach (var a in left)
            {
                foreach (var b in right)
                {
                    if (a != b && Math.Abs(a - b) <= distance) return true;
                }
            }
            return false;
        }
    }

    // Leaves of which at least one must hold for the node to hold; null when there is no such set (under NOT).
    private List<RuleNode>? Anchors(RuleNode node) => node switch
    {
        TermNode or FieldNode => [node],
        NearNode near => [Rarity(near.Left) <= Rarity(near.Right) ? near.Left : near.Right],
        OrNode or => Anchors(or.Left) is { } left && Anchors(or.Right) is { } right ? [.. left, .. right] : null,
        AndNode and => (Anchors(and.Left), Anchors(and.Right)) switch
        {
            (null, var right) => right,
            (var left, null) => left,
            (var left, var right) => left!.Sum(Rarity) <= right!.Sum(Rarity) ? left : right,
        },
        _ => null,
    };

    // How common a leaf is (lower is rarer): the lexicon's weight of a term's rarest word; an entity is rare in
    // any one article, while a topic, a type, a source or a language holds for a large share of them.
    private double Rarity(RuleNode node) => node switch
    {
        TermNode { Wildcard: false } term when _termKeys.TryGetValue(term, out var keys) && keys.Length > 0 =>
            keys.Min(key => _analyzer.Segmenter.Lexicon.Lookup(key).Weight),
        TermNode => 6.0,
        FieldNode { Field: "entity" } => 2.0,
        _ => 10.0,
    };

    private string[] TermKeys(TermNode term) => term.Wildcard
        ? [ArabicNormalizer.Normalize(term.Text)]
        : _analyzer.Analyze(term.Text).Tokens.Where(token => token.IsContent).Select(token => token.LexicalKey).ToArray();

    private static void Add(Dictionary<string, List<int>> index, string key, int rule)
    {
        if (!index.TryGetValue(key, out var list)) index[key] = list = [];
        if (list.Count == 0 || list[^1] != rule) list.Add(rule);
    }

    /// <summary>One article's word and number tokens, where each of their keys occurs, and its facts.</summary>
    private sealed class ArticleIndex
    {
        private readonly List<AnalyzedToken> _content = [];
        private readonly List<bool> _breakBefore = [];
        private readonly Dictionary<string, List<int>> _keyPositions = new(StringComparer.Ordinal);
        private string[]? _sortedKeys;

        private string[] SortedKeys()
        {
            var keys = _keyPositions.Keys.ToArray();
            Array.Sort(keys, StringComparer.Ordinal);
            return keys;
        }

        public ArticleIndex(AnalyzedText text, HashSet<string> fieldKeys)
        {
            Text = text;
            FieldKeys = fieldKeys;
            foreach (var (index, breakBefore) in text.Content)
            {
                var token = text.Tokens[index];
                var keys = token.MatchKeys;
                for (var k = 0; k < keys.Count; k++)
                {
                    if (!_keyPositions.TryGetValue(keys[k], out var list)) _keyPositions[keys[k]] = list = [];
                    list.Add(_content.Count);
                }
                _content.Add(token);
                _breakBefore.Add(breakBefore);
            }
        }

        public AnalyzedText Text { get; }

        public HashSet<string> FieldKeys { get; }

        public IEnumerable<string> DistinctKeys => _keyPositions.Keys;

        /// <summary>Where a term starts, through the key index.</summary>
        public List<int> Find(string[] keys, bool wildcard)
        {
            if (keys.Length == 0) return [];
            if (wildcard)
            {
                // Keys with the prefix are adjacent in ordinal order: binary-search the first, read on while they match.
                var prefix = keys[0];
                _sortedKeys ??= SortedKeys();
                var at = Array.BinarySearch(_sortedKeys, prefix, StringComparer.Ordinal);
                if (at < 0) at = ~at;
                List<int>? found = null;
                for (; at < _sortedKeys.Length && _sortedKeys[at].StartsWith(prefix, StringComparison.Ordinal); at++)
                {
                    (found ??= []).AddRange(_keyPositions[_sortedKeys[at]]);
                }
                if (found is null) return [];
                found.Sort();
                return found;
            }
            if (!_keyPositions.TryGetValue(keys[0], out var starts)) return [];
            return keys.Length == 1 ? starts : starts.Where(start => Continues(start, keys)).ToList();
        }

        /// <summary>Where a term starts, by reading every token: what a matcher without an index does.</summary>
        public List<int> Scan(string[] keys, bool wildcard)
        {
            var found = new List<int>();
            if (keys.Length == 0) return found;
            for (var i = 0; i < _content.Count; i++)
            {
                if (wildcard ? _content[i].MatchKeys.Any(key => key.StartsWith(keys[0], StringComparison.Ordinal))
                             : _content[i].MatchKeys.Contains(keys[0]) && Continues(i, keys))
                    found.Add(i);
            }
            return found;
        }

        private static bool Has(IReadOnlyList<string> keys, string key)
        {
            for (var i = 0; i < keys.Count; i++)
            {
                if (string.Equals(keys[i], key, StringComparison.Ordinal)) return true;
            }
            return false;
        }

        private bool Continues(int start, string[] keys)
        {
            if (start + keys.Length > _content.Count) return false;
            for (var k = 1; k < keys.Length; k++)
            {
                if (_breakBefore[start + k] || !Has(_content[start + k].MatchKeys, keys[k])) return false;
            }
            return true;
        }
    }
}
