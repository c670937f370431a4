namespace NewsMonitor.Alerting.Rules;

/// <summary>
/// Recursive-descent parser of the rule language (docs/rules.md):
/// <c>or := and (OR and)*; and := unary ([AND] unary)*; unary := NOT unary | primary; primary := word | "phrase" | ( or )</c>.
/// </summary>
internal sealed class RuleParser(string text)
{
    private enum Kind { Word, Phrase, And, Or, Not, Open, Close, End }

    private readonly record struct Lexeme(Kind Kind, string Text, int Position);

    private readonly List<Lexeme> _lexemes = [];
    private int _next;

    public List<TermNode> Terms { get; } = [];

    public (RuleNode? Root, RuleError? Error) Parse()
    {
        var lexError = Lex();
        if (lexError is not null) return (null, lexError);
        try
        {
            var root = ParseOr();
            if (Peek.Kind != Kind.End) throw Expected(Peek.Kind == Kind.Close ? "no ')' here: it closes no '('" : "an operator (AND, OR) or the end of the rule");
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
        var left = ParseUnary();
        while (true)
        {
            if (Peek.Kind == Kind.And) _next++;
            else if (Peek.Kind is not (Kind.Word or Kind.Phrase or Kind.Not or Kind.Open)) return left;
            left = new AndNode(left, ParseUnary());
        }
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
                var term = new TermNode(lexeme.Text, lexeme.Kind == Kind.Phrase, lexeme.Position);
                Terms.Add(term);
                return term;
            case Kind.Open:
                _next++;
                var inner = ParseOr();
                if (Peek.Kind != Kind.Close) throw Expected("')' to close the '(' at position " + lexeme.Position);
                _next++;
                return inner;
            default:
                throw Expected("a word, a \"quoted phrase\", NOT or '('");
        }
    }

    private RuleSyntaxException Expected(string what) =>
        new(new RuleError(Peek.Position, $"Expected {what} at position {Peek.Position}, found {Describe(Peek)}."));

    private static string Describe(Lexeme lexeme) => lexeme.Kind == Kind.End ? "the end of the rule" : $"'{lexeme.Text}'";

    private RuleError? Lex()
    {
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '(') { _lexemes.Add(new Lexeme(Kind.Open, "(", i++)); continue; }
            if (c == ')') { _lexemes.Add(new Lexeme(Kind.Close, ")", i++)); continue; }
            if (c is '"' or '“' or '”' or '«' or '»')
            {
                var start = i++;
                var end = text.IndexOfAny(['"', '”', '“', '»', '«'], i);
                if (end < 0) return new RuleError(start, $"The phrase opened at position {start} has no closing quote.");
                var phrase = text[i..end].Trim();
                if (phrase.Length == 0) return new RuleError(start, $"The phrase at position {start} is empty.");
                if (!HasLetterOrDigit(phrase)) return new RuleError(start, $"The phrase at position {start} has no letters or digits to match.");
                _lexemes.Add(new Lexeme(Kind.Phrase, phrase, start));
                i = end + 1;
                continue;
            }
            var wordStart = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or '"' or '“' or '”' or '«' or '»')) i++;
            var word = text[wordStart..i];
            var kind = word switch { "AND" => Kind.And, "OR" => Kind.Or, "NOT" => Kind.Not, _ => Kind.Word };
            if (kind == Kind.Word)
            {
                var unsupported = Unsupported(word);
                if (unsupported is not null) return new RuleError(wordStart, unsupported + $" (at position {wordStart}).");
                if (!HasLetterOrDigit(word)) return new RuleError(wordStart, $"'{word}' at position {wordStart} has no letters or digits to match.");
            }
            _lexemes.Add(new Lexeme(kind, word, wordStart));
        }
        _lexemes.Add(new Lexeme(Kind.End, "", text.Length));
        return null;
    }

    // These belong to the full rule language; refusing them beats silently matching them as plain words.
    private static string? Unsupported(string word)
    {
        if (word.Contains(':', StringComparison.Ordinal)) return $"Field filters such as '{word}' are not supported yet";
        if (word.EndsWith('*')) return $"Wildcards such as '{word}' are not supported yet";
        if (word.StartsWith("NEAR/", StringComparison.Ordinal)) return $"Proximity ('{word}') is not supported yet";
        return null;
    }

    private static bool HasLetterOrDigit(string value) => value.Any(char.IsLetterOrDigit);

    private sealed class RuleSyntaxException(RuleError error) : Exception(error.Message)
    {
        public RuleError Error { get; } = error;
    }
}
