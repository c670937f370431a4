using NewsMonitor.Text;

namespace NewsMonitor.Alerting.Rules;

/// <summary>A rule to evaluate, keyed by its subscription.</summary>
public sealed record RuleEntry(Guid SubscriptionId, AlertRule Rule);

/// <summary>A subscription whose rule matched, and the terms and filters that made it match.</summary>
public sealed record RuleHit(Guid SubscriptionId, IReadOnlyList<string> Matched);

/// <summary>What is known of an article when rules are evaluated.</summary>
/// <param name="Text">Title and body.</param>
/// <param name="Source">The article's source, if any.</param>
/// <param name="Language">Its language code.</param>
/// <param name="Entities">Entity ids, canonical names and mention texts with their types, once extracted (null before).</param>
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
/// Matches many rules against one article the way Lucene's Monitor does: a presearcher index from every
/// rule's terms, wildcards and filters to the rules, so that an article is checked only against rules with at
/// least one leaf present — and every accepted rule has one, since a rule that holds with nothing found is
/// refused by the parser. Terms are found in one pass of the text core's morphology-aware phrase matcher.
/// Pure; <see cref="MatchNaively"/> evaluates every rule directly, for comparison.
/// </summary>
public sealed class RuleMatcher
{
    private const int MinimumWildcardStem = 3;
    private readonly IReadOnlyList<RuleEntry> _rules;
    private readonly TextAnalyzer _analyzer;
    private readonly PhraseMatcher<(int Rule, TermNode Term)> _terms;
    private readonly Dictionary<string, List<(int Rule, TermNode Term)>> _wildcards = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(int Rule, FieldNode Field)>> _fields = new(StringComparer.Ordinal);
    private readonly Dictionary<TermNode, string[]> _termKeys = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, List<(int Rule, TermNode Term)>>.AlternateLookup<ReadOnlySpan<char>> _wildcardLookup;

    /// <summary>Indexes the terms and filters of <paramref name="rules"/>.</summary>
    public RuleMatcher(IReadOnlyList<RuleEntry> rules, TextAnalyzer? analyzer = null)
    {
        _rules = rules;
        _analyzer = analyzer ?? TextAnalyzer.BuiltIn;
        _terms = new PhraseMatcher<(int, TermNode)>(_analyzer);
        _wildcardLookup = _wildcards.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var i = 0; i < rules.Count; i++)
        {
            foreach (var term in rules[i].Rule.Terms)
            {
                _termKeys[term] = _analyzer.Analyze(term.Text).Tokens.Where(token => token.IsContent).Select(token => token.LexicalKey).ToArray();
                if (term.Wildcard) Add(_wildcards, ArabicNormalizer.Normalize(term.Text), (i, term));
                else _terms.Add(term.Text, (i, term));
            }
            foreach (var field in rules[i].Rule.Fields) Add(_fields, FieldKey(field.Field, field.Value), (i, field));
        }
    }

    /// <summary>Number of rules indexed.</summary>
    public int Count => _rules.Count;

    /// <summary>The key a field filter and an article fact meet on.</summary>
    public static string FieldKey(string field, string value) => field + ":" + (field switch
    {
        "type" => value.Trim().ToUpperInvariant(),
        "topic" or "lang" => value.Trim().ToLowerInvariant(),
        _ => string.Join(' ', Tokenizer.Tokenize(value).Where(token => token.IsContent).Select(token => token.Key)),
    });

    /// <summary>The rules that hold for the article, found through the presearcher index.</summary>
    public IReadOnlyList<RuleHit> Match(ArticleFacts facts)
    {
        var analyzed = _analyzer.Analyze(facts.Text);
        var positions = new Dictionary<TermNode, List<int>>(ReferenceEqualityComparer.Instance);
        var candidates = new SortedSet<int>();
        foreach (var match in _terms.FindAll(analyzed)) Found(positions, candidates, match.Payload.Rule, match.Payload.Term, match.TokenIndex);
        if (_wildcards.Count > 0) FindWildcards(analyzed, positions, candidates);
        var factKeys = facts.FieldKeys();
        var fields = new HashSet<FieldNode>(ReferenceEqualityComparer.Instance);
        foreach (var key in factKeys)
        {
            if (!_fields.TryGetValue(key, out var filters)) continue;
            foreach (var (rule, field) in filters)
            {
                fields.Add(field);
                candidates.Add(rule);
            }
        }
        var hits = new List<RuleHit>();
        foreach (var index in candidates)
        {
            var rule = _rules[index].Rule;
            bool Holds(RuleNode node) => Leaf(node, positions, fields);
            if (rule.Matches(Holds)) hits.Add(new RuleHit(_rules[index].SubscriptionId, rule.MatchedTerms(Holds)));
        }
        return hits;
    }

    /// <summary>Every rule evaluated directly against the article, without the index: the baseline of the benchmark.</summary>
    public IReadOnlyList<RuleHit> MatchNaively(ArticleFacts facts)
    {
        var analyzed = _analyzer.Analyze(facts.Text);
        var content = analyzed.Tokens.Where(token => token.IsContent).ToList();
        var factKeys = facts.FieldKeys();
        var hits = new List<RuleHit>();
        foreach (var entry in _rules)
        {
            var positions = new Dictionary<TermNode, List<int>>(ReferenceEqualityComparer.Instance);
            var fields = new HashSet<FieldNode>(ReferenceEqualityComparer.Instance);
            foreach (var term in entry.Rule.Terms)
            {
                var found = ScanFor(term, content);
                if (found.Count > 0) positions[term] = found;
            }
            foreach (var field in entry.Rule.Fields)
            {
                if (factKeys.Contains(FieldKey(field.Field, field.Value))) fields.Add(field);
            }
            bool Holds(RuleNode node) => Leaf(node, positions, fields);
            if (entry.Rule.Matches(Holds)) hits.Add(new RuleHit(entry.SubscriptionId, entry.Rule.MatchedTerms(Holds)));
        }
        return hits;
    }

    private static bool Leaf(RuleNode node, Dictionary<TermNode, List<int>> positions, HashSet<FieldNode> fields) => node switch
    {
        TermNode term => positions.ContainsKey(term),
        FieldNode field => fields.Contains(field),
        NearNode near => positions.TryGetValue(near.Left, out var left) && positions.TryGetValue(near.Right, out var right)
                         && left.Any(a => right.Any(b => a != b && Math.Abs(a - b) <= near.Distance)),
        _ => false,
    };

    private List<int> ScanFor(TermNode term, List<AnalyzedToken> content)
    {
        var keys = _termKeys[term];
        var found = new List<int>();
        if (keys.Length == 0) return found;
        for (var i = 0; i + keys.Length <= content.Count; i++)
        {
            var all = true;
            for (var k = 0; k < keys.Length && all; k++)
            {
                var tokenKeys = content[i + k].MatchKeys;
                all = term.Wildcard && k == keys.Length - 1
                    ? tokenKeys.Any(key => key.Length >= keys[k].Length && key.StartsWith(ArabicNormalizer.Normalize(term.Text), StringComparison.Ordinal))
                    : tokenKeys.Contains(keys[k]);
            }
            if (all) found.Add(i);
        }
        return found;
    }

    private void FindWildcards(AnalyzedText analyzed, Dictionary<TermNode, List<int>> positions, SortedSet<int> candidates)
    {
        var index = 0;
        foreach (var token in analyzed.Tokens)
        {
            if (!token.IsContent) continue;
            foreach (var key in token.MatchKeys)
            {
                for (var length = MinimumWildcardStem; length <= key.Length; length++)
                {
                    if (!_wildcardLookup.TryGetValue(key.AsSpan(0, length), out var terms)) continue;
                    foreach (var (rule, term) in terms) Found(positions, candidates, rule, term, index);
                }
            }
            index++;
        }
    }

    private static void Found(Dictionary<TermNode, List<int>> positions, SortedSet<int> candidates, int rule, TermNode term, int tokenIndex)
    {
        if (!positions.TryGetValue(term, out var list)) positions[term] = list = [];
        if (!list.Contains(tokenIndex)) list.Add(tokenIndex);
        candidates.Add(rule);
    }

    private static void Add<TValue>(Dictionary<string, List<TValue>> index, string key, TValue value)
    {
        if (!index.TryGetValue(key, out var list)) index[key] = list = [];
        list.Add(value);
    }
}
