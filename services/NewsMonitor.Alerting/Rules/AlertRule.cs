namespace NewsMonitor.Alerting.Rules;

/// <summary>A node of a parsed rule.</summary>
public abstract record RuleNode;

/// <summary>A word or a quoted phrase, with where it starts in the rule text.</summary>
public sealed record TermNode(string Text, bool Quoted, int Position) : RuleNode;

/// <summary>Both sides must match.</summary>
public sealed record AndNode(RuleNode Left, RuleNode Right) : RuleNode;

/// <summary>Either side must match.</summary>
public sealed record OrNode(RuleNode Left, RuleNode Right) : RuleNode;

/// <summary>The operand must not match.</summary>
public sealed record NotNode(RuleNode Operand) : RuleNode;

/// <summary>Why a rule text could not be parsed: a zero-based position in the text and what was expected there.</summary>
public sealed record RuleError(int Position, string Message);

/// <summary>A parsed alert rule: its syntax tree and its terms in order of appearance.</summary>
public sealed class AlertRule
{
    /// <summary>Longest rule text accepted.</summary>
    public const int MaxLength = 2_000;

    /// <summary>Most terms one rule may contain.</summary>
    public const int MaxTerms = 64;

    private AlertRule(string text, RuleNode root, IReadOnlyList<TermNode> terms)
    {
        Text = text;
        Root = root;
        Terms = terms;
    }

    /// <summary>The rule as written.</summary>
    public string Text { get; }

    /// <summary>The syntax tree.</summary>
    public RuleNode Root { get; }

    /// <summary>Every term, in order of appearance.</summary>
    public IReadOnlyList<TermNode> Terms { get; }

    /// <summary>Parses <paramref name="text"/>; exactly one of the results is non-null.</summary>
    public static (AlertRule? Rule, RuleError? Error) Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, new RuleError(0, "The rule is empty: write at least one word or \"quoted phrase\"."));
        if (text.Length > MaxLength) return (null, new RuleError(MaxLength, $"The rule is {text.Length} characters long; the limit is {MaxLength}."));
        var parser = new RuleParser(text);
        var (root, error) = parser.Parse();
        if (error is not null) return (null, error);
        if (parser.Terms.Count > MaxTerms) return (null, new RuleError(parser.Terms[MaxTerms].Position, $"The rule has {parser.Terms.Count} terms; the limit is {MaxTerms}."));
        var rule = new AlertRule(text, root!, parser.Terms);
        // A rule that holds when none of its terms is found would alert on nearly every article,
        // and the matcher only evaluates rules with a term found; so such rules are refused.
        if (rule.Matches(_ => false)) return (null, new RuleError(0, "The rule matches articles that contain none of its words (it only says what must not appear): add a word or phrase that must appear."));
        return (rule, null);
    }

    /// <summary>Whether the rule holds, given which of its terms were found in the article.</summary>
    public bool Matches(Func<TermNode, bool> found) => Evaluate(Root, found);

    /// <summary>The terms that were found and count for the match (terms under NOT are left out).</summary>
    public IReadOnlyList<string> MatchedTerms(Func<TermNode, bool> found)
    {
        var matched = new List<string>();
        Collect(Root, negated: false);
        return matched;

        void Collect(RuleNode node, bool negated)
        {
            switch (node)
            {
                case TermNode term when !negated && found(term) && !matched.Contains(term.Text):
                    matched.Add(term.Text);
                    break;
                case AndNode and: Collect(and.Left, negated); Collect(and.Right, negated); break;
                case OrNode or: Collect(or.Left, negated); Collect(or.Right, negated); break;
                case NotNode not: Collect(not.Operand, !negated); break;
            }
        }
    }

    private static bool Evaluate(RuleNode node, Func<TermNode, bool> found) => node switch
    {
        TermNode term => found(term),
        AndNode and => Evaluate(and.Left, found) && Evaluate(and.Right, found),
        OrNode or => Evaluate(or.Left, found) || Evaluate(or.Right, found),
        NotNode not => !Evaluate(not.Operand, found),
        _ => false,
    };
}
