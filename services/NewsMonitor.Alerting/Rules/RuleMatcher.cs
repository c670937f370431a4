using NewsMonitor.Text;

namespace NewsMonitor.Alerting.Rules;

/// <summary>A rule to evaluate, keyed by its subscription.</summary>
public sealed record RuleEntry(Guid SubscriptionId, AlertRule Rule);

/// <summary>A subscription whose rule matched, and the terms that made it match.</summary>
public sealed record RuleHit(Guid SubscriptionId, IReadOnlyList<string> Matched);

/// <summary>
/// Matches many rules against one article: every term of every rule goes into one phrase matcher
/// (morphology-aware through the text core), the article is scanned once, and only rules with at
/// least one term found are evaluated. Pure.
/// </summary>
public sealed class RuleMatcher
{
    private readonly PhraseMatcher<(int Rule, TermNode Term)> _terms = new();
    private readonly IReadOnlyList<RuleEntry> _rules;

    /// <summary>Indexes the terms of <paramref name="rules"/>.</summary>
    public RuleMatcher(IReadOnlyList<RuleEntry> rules)
    {
        _rules = rules;
        for (var i = 0; i < rules.Count; i++)
            foreach (var term in rules[i].Rule.Terms)
                _terms.Add(term.Text, (i, term));
    }

    /// <summary>The rules that hold for <paramref name="text"/>.</summary>
    public IReadOnlyList<RuleHit> Match(string text)
    {
        var found = new Dictionary<int, HashSet<TermNode>>();
        foreach (var match in _terms.FindAll(text))
        {
            if (!found.TryGetValue(match.Payload.Rule, out var terms)) found[match.Payload.Rule] = terms = new HashSet<TermNode>(ReferenceEqualityComparer.Instance);
            terms.Add(match.Payload.Term);
        }
        var hits = new List<RuleHit>();
        foreach (var (index, terms) in found.OrderBy(pair => pair.Key))
        {
            var rule = _rules[index].Rule;
            if (rule.Matches(terms.Contains)) hits.Add(new RuleHit(_rules[index].SubscriptionId, rule.MatchedTerms(terms.Contains)));
        }
        return hits;
    }
}
