namespace NewsMonitor.Text.Rules;

/// <summary>A node of a parsed rule.</summary>
public abstract record RuleNode;

/// <summary>A word, a quoted phrase or a suffix wildcard (<c>أوكران*</c>), with where it starts in the rule text.</summary>
public sealed record TermNode(string Text, bool Quoted, int Position, bool Wildcard = false) : RuleNode
{
    /// <summary>The term as a match reports it.</summary>
    public string Display { get; } = Wildcard ? Text + "*" : Text;
}

/// <summary>A field filter: <c>entity:"Mark Rutte"</c>, <c>type:PERSON</c>, <c>topic:defense</c>, <c>source:reuters</c>, <c>lang:ar</c>.</summary>
public sealed record FieldNode(string Field, string Value, int Position) : RuleNode
{
    /// <summary>The fields a rule may filter on.</summary>
    public static readonly string[] Fields = ["entity", "type", "topic", "source", "lang"];

    /// <summary>Whether the field is known only once entities or topics have been extracted.</summary>
    public bool NeedsAnalysis => Field is "entity" or "type" or "topic";

    /// <summary>The filter as a match reports it.</summary>
    public string Display { get; } = $"{Field}:{Value}";
}

/// <summary>Both terms occur within <see cref="Distance"/> words of each other, in either order.</summary>
public sealed record NearNode(TermNode Left, TermNode Right, int Distance, int Position) : RuleNode
{
    /// <summary>The pair as a match reports it.</summary>
    public string Display { get; } = $"{Left.Display} NEAR/{Distance} {Right.Display}";
}

/// <summary>Both sides must match.</summary>
public sealed record AndNode(RuleNode Left, RuleNode Right) : RuleNode;

/// <summary>Either side must match.</summary>
public sealed record OrNode(RuleNode Left, RuleNode Right) : RuleNode;

/// <summary>The operand must not match.</summary>
public sealed record NotNode(RuleNode Operand) : RuleNode;

/// <summary>Why a rule text could not be parsed: a zero-based position in the text and what was expected there.</summary>
public sealed record RuleError(int Position, string Message);

/// <summary>A parsed alert rule (grammar in docs/rules.md): its syntax tree, terms and field filters.</summary>
public sealed class AlertRule
{
    /// <summary>Longest rule text accepted.</summary>
    public const int MaxLength = 2_000;

    /// <summary>Most terms and filters one rule may contain.</summary>
    public const int MaxTerms = 64;

    private AlertRule(string text, RuleNode root, IReadOnlyList<TermNode> terms, IReadOnlyList<FieldNode> fields)
    {
        Text = text;
        Root = root;
        Terms = terms;
        Fields = fields;
    }

    /// <summary>The rule as written.</summary>
    public string Text { get; }

    /// <summary>The syntax tree.</summary>
    public RuleNode Root { get; }

    /// <summary>Every word, phrase and wildcard, in order of appearance (NEAR operands included).</summary>
    public IReadOnlyList<TermNode> Terms { get; }

    /// <summary>Every field filter, in order of appearance.</summary>
    public IReadOnlyList<FieldNode> Fields { get; }

    /// <summary>Whether the rule can only be decided once entities or topics are known.</summary>
    public bool NeedsAnalysis => Fields.Any(filter => filter.NeedsAnalysis);

    /// <summary>Parses <paramref name="text"/>; exactly one of the results is non-null.</summary>
    public static (AlertRule? Rule, RuleError? Error) Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, new RuleError(0, "The rule is empty: write at least one word or \"quoted phrase\"."));
        if (text.Length > MaxLength) return (null, new RuleError(MaxLength, $"The rule is {text.Length} characters long; the limit is {MaxLength}."));
        var parser = new RuleParser(text);
        var (root, error) = parser.Parse();
        if (error is not null) return (null, error);
        var count = parser.Terms.Count + parser.Fields.Count;
        if (count > MaxTerms) return (null, new RuleError(0, $"The rule has {count} terms and filters; the limit is {MaxTerms}."));
        var rule = new AlertRule(text, root!, parser.Terms, parser.Fields);
        // A rule that holds when none of its terms is found would alert on nearly every article,
        // and the matcher only evaluates rules with a term found; so such rules are refused.
        if (rule.Matches(_ => false)) return (null, new RuleError(0, "The rule matches articles that contain none of its words (it only says what must not appear): add a word or phrase that must appear."));
        return (rule, null);
    }

    /// <summary>Whether the rule holds, given which of its leaves (terms, filters, NEAR pairs) hold for the article.</summary>
    public bool Matches(Func<RuleNode, bool> holds) => Evaluate(Root, holds);

    /// <summary>The terms and filters that hold and count for the match (those under NOT are left out), as written.</summary>
    public IReadOnlyList<string> MatchedTerms(Func<RuleNode, bool> holds)
    {
        var matched = new List<string>(2);
        Collect(Root, negated: false, holds, matched);
        return matched;
    }

    private static void Collect(RuleNode node, bool negated, Func<RuleNode, bool> holds, List<string> matched)
    {
        switch (node)
        {
            case TermNode or FieldNode or NearNode when !negated && holds(node):
                var shown = Describe(node);
                if (!matched.Contains(shown)) matched.Add(shown);
                break;
            case AndNode and: Collect(and.Left, negated, holds, matched); Collect(and.Right, negated, holds, matched); break;
            case OrNode or: Collect(or.Left, negated, holds, matched); Collect(or.Right, negated, holds, matched); break;
            case NotNode not: Collect(not.Operand, !negated, holds, matched); break;
        }
    }

    private static string Describe(RuleNode node) => node switch
    {
        TermNode term => term.Display,
        FieldNode field => field.Display,
        NearNode near => near.Display,
        _ => "",
    };

    private static bool Evaluate(RuleNode node, Func<RuleNode, bool> holds) => node switch
    {
        TermNode or FieldNode or NearNode => holds(node),
        AndNode and => Evaluate(and.Left, holds) && Evaluate(and.Right, holds),
        OrNode or => Evaluate(or.Left, holds) || Evaluate(or.Right, holds),
        NotNode not => !Evaluate(not.Operand, holds),
        _ => false,
    };
}
