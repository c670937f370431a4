using System.Buffers;
using System.Numerics;
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
    private readonly Op[] _compiled;
    private readonly List<Leaf> _leaves = [];

    /// <summary>Indexes the anchors of <paramref name="rules"/>.</summary>
    public RuleMatcher(IReadOnlyList<RuleEntry> rules, TextAnalyzer? analyzer = null)
    {
        _rules = rules;
        _analyzer = analyzer ?? TextAnalyzer.BuiltIn;
        _anchorTerms = new PhraseMatcher<int>(_analyzer);
        _wildcardLookup = _anchorWildcards.GetAlternateLookup<ReadOnlySpan<char>>();
        _compiled = new Op[rules.Count];
        var leafIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i].Rule;
            foreach (var term in rule.Terms) _termKeys[term] = TermKeys(term);
            foreach (var field in rule.Fields) _fieldKeys[field] = FieldKey(field.Field, field.Value);
            _compiled[i] = Compile(rule.Root, leafIds);
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
        // Candidates as a bit per rule: set in any order, read back in rule order without a sort.
        var words = (_rules.Count + 63) / 64;
        var seen = ArrayPool<ulong>.Shared.Rent(Math.Max(words, 1));
        try
        {
            Array.Clear(seen, 0, words);
            var count = 0;
            void Mark(int rule)
            {
                ref var word = ref seen[rule >> 6];
                var bit = 1UL << (rule & 63);
                if ((word & bit) != 0) return;
                word |= bit;
                count++;
            }
            _anchorTerms.ForEachDistinctPhrase(article.Text, payloads => { foreach (var rule in payloads) Mark(rule); });
            if (_anchorWildcards.Count > 0)
            {
                foreach (var key in article.DistinctKeys)
                {
                    for (var length = MinimumWildcardStem; length <= key.Length; length++)
                    {
                        if (_wildcardLookup.TryGetValue(key.AsSpan(0, length), out var rules)) foreach (var rule in rules) Mark(rule);
                    }
                }
            }
            foreach (var key in article.FieldKeys)
            {
                if (_anchorFields.TryGetValue(key, out var rules)) foreach (var rule in rules) Mark(rule);
            }
            var ordered = new int[count];
            var at = 0;
            for (var w = 0; w < words; w++)
            {
                for (var word = seen[w]; word != 0; word &= word - 1) ordered[at++] = (w << 6) + BitOperations.TrailingZeroCount(word);
            }
            return Evaluate(ordered, article);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(seen);
        }
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
            var leaves = new Leaves(this, article);
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
        var state = new LeafState(this, article);
        try
        {
            for (var i = from; i < to; i++)
            {
                var rule = candidates[i];
                var op = _compiled[rule];
                if (!op.Holds(state)) continue;
                var matched = new List<string>(2);
                op.Collect(state, negated: false, matched);
                hits.Add(new RuleHit(_rules[rule].Id, matched));
            }
        }
        finally
        {
            state.Release();
        }
        return hits;
    }

    // A rule compiled for evaluation: its leaves interned across all rules (the same word in 5,000 rules is one
    // leaf, looked up once per article), its operators as objects that evaluate themselves, so deciding a rule is
    // array reads and virtual calls instead of a type switch and a dictionary lookup per leaf.
    private Op Compile(RuleNode node, Dictionary<string, int> leafIds) => node switch
    {
        TermNode term => new LeafOp(Intern(TermLeaf(term), leafIds), term.Display),
        FieldNode field => new LeafOp(Intern(new Leaf(LeafKind.Field, [], false, _fieldKeys[field], 0, 0, 0), leafIds), field.Display),
        NearNode near => new LeafOp(Intern(new Leaf(LeafKind.Near, [], false, "", Intern(TermLeaf(near.Left), leafIds), Intern(TermLeaf(near.Right), leafIds), near.Distance), leafIds), near.Display),
        AndNode and => new AndOp(Compile(and.Left, leafIds), Compile(and.Right, leafIds)),
        OrNode or => new OrOp(Compile(or.Left, leafIds), Compile(or.Right, leafIds)),
        NotNode not => new NotOp(Compile(not.Operand, leafIds)),
        _ => throw new ArgumentOutOfRangeException(nameof(node), node.GetType().Name, "Unknown rule node."),
    };

    private Leaf TermLeaf(TermNode term) => new(LeafKind.Term, _termKeys[term], term.Wildcard, "", 0, 0, 0);

    private int Intern(Leaf leaf, Dictionary<string, int> leafIds)
    {
        var key = leaf.Kind switch
        {
            LeafKind.Term => (leaf.Wildcard ? "w\u0001" : "t\u0001") + string.Join('\u0001', leaf.Keys),
            LeafKind.Field => "f\u0001" + leaf.FieldKey,
            _ => $"n\u0001{leaf.Left}\u0001{leaf.Right}\u0001{leaf.Distance}",
        };
        if (leafIds.TryGetValue(key, out var id)) return id;
        leafIds[key] = id = _leaves.Count;
        _leaves.Add(leaf);
        return id;
    }

    private enum LeafKind : byte { Term, Field, Near }

    /// <summary>A distinct leaf: a term's keys (or wildcard prefix), a field key, or two term leaves and a distance.</summary>
    private sealed record Leaf(LeafKind Kind, string[] Keys, bool Wildcard, string FieldKey, int Left, int Right, int Distance);

    /// <summary>What is decided of the leaves for one article (one part of it, when evaluated in parallel).</summary>
    private sealed class LeafState(RuleMatcher matcher, ArticleIndex article)
    {
        private const byte Holds = 1, Fails = 2;
        private readonly byte[] _decided = Rent(matcher._leaves.Count);
        private Dictionary<int, List<int>>? _positions;

        private static byte[] Rent(int count)
        {
            var decided = ArrayPool<byte>.Shared.Rent(Math.Max(count, 1));
            Array.Clear(decided, 0, count);
            return decided;
        }

        public void Release() => ArrayPool<byte>.Shared.Return(_decided);

        public bool Decide(int leaf)
        {
            var known = _decided[leaf];
            if (known != 0) return known == Holds;
            var spec = matcher._leaves[leaf];
            var holds = spec.Kind switch
            {
                LeafKind.Term => Positions(leaf, spec).Count > 0,
                LeafKind.Field => article.FieldKeys.Contains(spec.FieldKey),
                _ => Leaves.Near(Positions(spec.Left, matcher._leaves[spec.Left]), Positions(spec.Right, matcher._leaves[spec.Right]), spec.Distance),
            };
            _decided[leaf] = holds ? Holds : Fails;
            return holds;
        }

        private List<int> Positions(int leaf, Leaf term)
        {
            _positions ??= [];
            if (!_positions.TryGetValue(leaf, out var found)) _positions[leaf] = found = article.Find(term.Keys, term.Wildcard);
            return found;
        }
    }

    private abstract class Op
    {
        public abstract bool Holds(LeafState state);

        /// <summary>As <see cref="AlertRule.MatchedTerms"/>: leaves that hold and are not under NOT, each once, in rule order.</summary>
        public abstract void Collect(LeafState state, bool negated, List<string> matched);
    }

    private sealed class LeafOp(int leaf, string display) : Op
    {
        public override bool Holds(LeafState state) => state.Decide(leaf);

        public override void Collect(LeafState state, bool negated, List<string> matched)
        {
            if (!negated && state.Decide(leaf) && !matched.Contains(display)) matched.Add(display);
        }
    }

    private sealed class AndOp(Op left, Op right) : Op
    {
        public override bool Holds(LeafState state) => left.Holds(state) && right.Holds(state);

        public override void Collect(LeafState state, bool negated, List<string> matched)
        {
            left.Collect(state, negated, matched);
            right.Collect(state, negated, matched);
        }
    }

    private sealed class OrOp(Op left, Op right) : Op
    {
        public override bool Holds(LeafState state) => left.Holds(state) || right.Holds(state);

        public override void Collect(LeafState state, bool negated, List<string> matched)
        {
            left.Collect(state, negated, matched);
            right.Collect(state, negated, matched);
        }
    }

    private sealed class NotOp(Op operand) : Op
    {
        public override bool Holds(LeafState state) => !operand.Holds(state);

        public override void Collect(LeafState state, bool negated, List<string> matched) => operand.Collect(state, !negated, matched);
    }

    /// <summary>Decides the leaves of one rule for one article by scanning its tokens: the naive baseline's leaf test.</summary>
    private sealed class Leaves
    {
        private readonly RuleMatcher _matcher;
        private readonly ArticleIndex _article;

        public Leaves(RuleMatcher matcher, ArticleIndex article)
        {
            _matcher = matcher;
            _article = article;
            Holds = Leaf;
        }

        /// <summary>The leaf test handed to <see cref="AlertRule.Matches"/>, allocated once.</summary>
        public Func<RuleNode, bool> Holds { get; }

        /// <summary>Positions of a term, found by scanning every token.</summary>
        public List<int> Positions(TermNode term) => _article.Scan(_matcher._termKeys[term], term.Wildcard);

        private bool Leaf(RuleNode node) => node switch
        {
            TermNode term => Positions(term).Count > 0,
            FieldNode field => _article.FieldKeys.Contains(_matcher._fieldKeys[field]),
            NearNode near => Near(Positions(near.Left), Positions(near.Right), near.Distance),
            _ => false,
        };

        internal static bool Near(List<int> left, List<int> right, int distance)
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
