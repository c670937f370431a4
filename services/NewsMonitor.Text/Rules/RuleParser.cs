namespace NewsMonitor.Text.Rules;

/// <summary>
/// Recursive-descent parser of the rule language (docs/rules.md):
/// <c>or := and (OR and)*; and := near ([AND] near)*; near := unary (NEAR/n unary)*; unary := NOT unary | primary;
/// primary := word | word* | "phrase" | field:value | field:"phrase" | ( or )</c>.
/// </summary>
internal sealed class RuleParser(string text)
{
    private enum Kind { Word, Phrase, Field, And, Or, Not, Near, Open, Close, End }

    private readonly record struct Lexeme(Kind Kind, string Text, int Position, string Field = "", int Distance = 0);

    private const int MaxDistance = 50;
    private const int MinimumWildcardStem = 3;

    private readonly List<Lexeme> _lexemes = [];
    private int _next;

    public List<TermNode> Terms { get; } = [];

    public List<FieldNode> Fields { get; } = [];

    public (RuleNode? Root, RuleError? Error) Parse()
    {
        var lexError = Lex();
        if (lexError is not null) return (null, lexError);
        try
        {
            var root = ParseOr();
            if (Peek.Kind != Kind.End) throw Expected(Peek.Kind == Kind.Close ? "no ')' here: it closes no '('" : "an operator (AND, OR, NEAR/n) or the end of the rule");
            return (root, null);
        }
        catch (RuleSyntaxException exception)
        {
            return (null, exception.Error);
        }
    }

    private Lexeme Peek => _lexemes[_next];

    private RuleNode ParseOr()
    {
        var left = ParseAnd();
        while (Peek.Kind == Kind.Or)
        {
            _next++;
            left = new OrNode(left, ParseAnd());
        }
        return left;
    }

    private RuleNode ParseAnd()
    {
        var left = ParseNear();
        while (true)
        {
            if (Peek.Kind == Kind.And) _next++;
            else if (Peek.Kind is not (Kind.Word or Kind.Phrase or Kind.Field or Kind.Not or Kind.Open)) return left;
            left = new AndNode(left, ParseNear());
        }
    }

    private RuleNode ParseNear()
    {
        var left = ParseUnary();
        while (Peek.Kind == Kind.Near)
        {
            var near = Peek;
            _next++;
            var right = ParseUnary();
            if (left is not TermNode leftTerm || right is not TermNode rightTerm)
                throw new RuleSyntaxException(new RuleError(near.Position, $"NEAR/{near.Distance} at position {near.Position} joins two words or phrases, not filters or groups."));
            left = new NearNode(leftTerm, rightTerm, near.Distance, near.Position);
        }
        return left;
    }

    private RuleNode ParseUnary()
    {
        if (Peek.Kind != Kind.Not) return ParsePrimary();
        _next++;
        return new NotNode(ParseUnary());
    }

    private RuleNode ParsePrimary()
    {
        var lexeme = Peek;
        switch (lexeme.Kind)
        {
            case Kind.Word or Kind.Phrase:
                _next++;
                var wildcard = lexeme.Kind == Kind.Word && lexeme.Text.EndsWith('*');
                var term = new TermNode(wildcard ? lexeme.Text[..^1] : lexeme.Text, lexeme.Kind == Kind.Phrase, lexeme.Position, wildcard);
                Terms.Add(term);
                return term;
            case Kind.Field:
                _next++;
                var field = new FieldNode(lexeme.Field, lexeme.Text, lexeme.Position);
                Fields.Add(field);
                return field;
            case Kind.Open:
                _next++;
                var inner = ParseOr();
                if (Peek.Kind != Kind.Close) throw Expected("')' to close the '(' at position " + lexeme.Position);
                _next++;
                return inner;
            default:
                throw Expected("a word, a \"quoted phrase\", a field filter, NOT or '('");
        }
    }

    private RuleSyntaxException Expected(string what) =>
        new(new RuleError(Peek.Position, $"Expected {what} at position {Peek.Position}, found {Describe(Peek)}."));

    private static string Describe(Lexeme lexeme) => lexeme.Kind == Kind.End ? "the end of the rule" : $"'{lexeme.Text}'";

    private static bool IsQuote(char c) => c is '"' or '“' or '”' or '«' or '»';

    private RuleError? Lex()
    {
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '(') { _lexemes.Add(new Lexeme(Kind.Open, "(", i++)); continue; }
            if (c == ')') { _lexemes.Add(new Lexeme(Kind.Close, ")", i++)); continue; }
            if (IsQuote(c))
            {
                var (phrase, end, error) = Quoted(i);
                if (error is not null) return error;
                _lexemes.Add(new Lexeme(Kind.Phrase, phrase!, i));
                i = end;
                continue;
            }
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')') && !IsQuote(text[i]) && text[i] != ':') i++;
            var word = text[start..i];
            if (i < text.Length && text[i] == ':')
            {
                var fieldError = LexField(word, start, ref i);
                if (fieldError is not null) return fieldError;
                continue;
            }
            if (word.StartsWith("NEAR/", StringComparison.Ordinal))
            {
                if (!int.TryParse(word.AsSpan(5), out var distance) || distance is < 1 or > MaxDistance)
                    return new RuleError(start, $"'{word}' at position {start}: NEAR takes a distance from 1 to {MaxDistance} words, as in NEAR/5.");
                _lexemes.Add(new Lexeme(Kind.Near, word, start, Distance: distance));
                continue;
            }
            var kind = word switch { "AND" => Kind.And, "OR" => Kind.Or, "NOT" => Kind.Not, "NEAR" => Kind.Near, _ => Kind.Word };
            if (kind == Kind.Near) return new RuleError(start, $"NEAR at position {start} needs a distance, as in NEAR/5.");
            if (kind == Kind.Word)
            {
                var stem = word.TrimEnd('*');
                if (word.Length - stem.Length > 1 || stem.Contains('*', StringComparison.Ordinal))
                    return new RuleError(start, $"'{word}' at position {start}: a wildcard is one '*' at the end of a word, as in أوكران*.");
                if (!stem.Any(char.IsLetterOrDigit)) return new RuleError(start, $"'{word}' at position {start} has no letters or digits to match.");
                if (word.EndsWith('*') && NewsMonitor.Text.ArabicNormalizer.Normalize(stem).Count(char.IsLetterOrDigit) < MinimumWildcardStem)
                    return new RuleError(start, $"'{word}' at position {start}: a wildcard needs at least {MinimumWildcardStem} letters before '*'.");
            }
            _lexemes.Add(new Lexeme(kind, word, start));
        }
        _lexemes.Add(new Lexeme(Kind.End, "", text.Length));
        return null;
    }

    private RuleError? LexField(string name, int start, ref int i)
    {
        var field = name.ToLowerInvariant();
        if (!FieldNode.Fields.Contains(field))
            return new RuleError(start, $"Unknown field '{name}' at position {start}; the fields are {string.Join(", ", FieldNode.Fields.Select(f => f + ":"))}.");
        i++; // the colon
        if (i < text.Length && IsQuote(text[i]))
        {
            var (value, end, error) = Quoted(i);
            if (error is not null) return error;
            _lexemes.Add(new Lexeme(Kind.Field, value!, start, field));
            i = end;
            return null;
        }
        var valueStart = i;
        while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')')) i++;
        if (i == valueStart) return new RuleError(valueStart, $"Expected a value after '{name}:' at position {valueStart}, as in {field}:\"...\".");
        _lexemes.Add(new Lexeme(Kind.Field, text[valueStart..i], start, field));
        return null;
    }

    private (string? Phrase, int End, RuleError? Error) Quoted(int start)
    {
        var close = text.AsSpan(start + 1).IndexOfAny("\"“”«»");
        if (close < 0) return (null, 0, new RuleError(start, $"The phrase opened at position {start} has no closing quote."));
        var end = start + 1 + close;
        var phrase = text[(start + 1)..end].Trim();
        if (phrase.Length == 0) return (null, 0, new RuleError(start, $"The phrase at position {start} is empty."));
        if (!phrase.Any(char.IsLetterOrDigit)) return (null, 0, new RuleError(start, $"The phrase at position {start} has no letters or digits to match."));
        return (phrase, end + 1, null);
    }

    private sealed class RuleSyntaxException(RuleError error) : Exception(error.Message)
    {
        public RuleError Error { get; } = error;
    }
}
