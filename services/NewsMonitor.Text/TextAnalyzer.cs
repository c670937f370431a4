namespace NewsMonitor.Text;

/// <summary>A token after analysis: its keys for matching and its clitic analysis.</summary>
/// <param name="Start">Offset in the original text.</param>
/// <param name="Length">Length in the original text.</param>
/// <param name="Kind">Word, number, symbol or punctuation.</param>
/// <param name="Key">Normalised surface form.</param>
/// <param name="LexicalKey">Normalised article + stem (the key a word is looked up by); equals <see cref="Key"/> when nothing is split.</param>
/// <param name="Analysis">How the word divides (words only).</param>
/// <param name="ContentStart">Offset where the word proper starts, after its proclitics (at the article or the stem).</param>
/// <param name="Known">Whether the lexicon knows the word or its lexical form.</param>
public readonly record struct AnalyzedToken(int Start, int Length, TokenKind Kind, string Key, string LexicalKey, WordAnalysis Analysis, int ContentStart, bool Known)
{
    /// <summary>Offset just past the token.</summary>
    public int End => Start + Length;

    /// <summary>Whether the token is a word or a number.</summary>
    public bool IsContent => Kind is TokenKind.Word or TokenKind.Number;
}

/// <summary>The full analysis of a text: tokens with their segmentation, and numeric expressions.</summary>
public sealed class AnalyzedText(string text, List<AnalyzedToken> tokens, Lazy<IReadOnlyList<NumericExpression>> numbers)
{
    /// <summary>The original text.</summary>
    public string Text { get; } = text;

    /// <summary>Every token, in order.</summary>
    public List<AnalyzedToken> Tokens { get; } = tokens;

    /// <summary>Money, percentages, dates, times and counts, with normalised values (computed on first use).</summary>
    public IReadOnlyList<NumericExpression> Numbers => numbers.Value;
}

/// <summary>
/// The text core in one pass: tokenise with offsets, fold keys, segment clitics against the lexicon, and
/// (on demand) recognise numeric expressions. Pure and thread-safe; never throws on any string.
/// </summary>
public sealed class TextAnalyzer(CliticSegmenter segmenter)
{
    /// <summary>The analyzer over the built-in lexicon.</summary>
    public static TextAnalyzer BuiltIn { get; } = new(CliticSegmenter.BuiltIn);

    /// <summary>The segmenter used for words.</summary>
    public CliticSegmenter Segmenter => segmenter;

    /// <summary>Analyses <paramref name="text"/>.</summary>
    public AnalyzedText Analyze(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lexicon = segmenter.Lexicon;
        var tokens = new List<AnalyzedToken>(text.Length / 5 + 1);
        var scanner = new TokenScanner(text);
        while (scanner.MoveNext())
        {
            var key = scanner.Key;
            var surface = lexicon.Intern(key);
            if (scanner.Kind != TokenKind.Word)
            {
                tokens.Add(new AnalyzedToken(scanner.Start, scanner.Length, scanner.Kind, surface, surface, WordAnalysis.Whole(key.Length), scanner.Start, false));
                continue;
            }
            var analysis = segmenter.Analyze(text, key, scanner.Map);
            var lexical = analysis.IsWhole ? surface : segmenter.LexicalKey(key, analysis);
            var map = scanner.Map;
            // Where the word proper starts: at a written article, else at the stem; an elided article (للناتو) keeps the whole token.
            var contentStart = analysis.ProcliticLength == 0 || analysis.ArticleLength == 1 ? scanner.Start : map[analysis.ProcliticLength];
            var known = lexicon.Lookup(key).Count > 0 || lexicon.Lookup(lexical).Count > 0;
            tokens.Add(new AnalyzedToken(scanner.Start, scanner.Length, TokenKind.Word, surface, lexical, analysis, contentStart, known));
        }
        return new AnalyzedText(text, tokens, new Lazy<IReadOnlyList<NumericExpression>>(() => NumericRecognizer.Recognize(text, tokens)));
    }

    /// <summary>The segmentation of one analysed word token of <paramref name="text"/>.</summary>
    public WordSegmentation Segment(string text, AnalyzedToken token)
    {
        var scanner = new TokenScanner(text[..token.End]);
        while (scanner.MoveNext())
        {
            if (scanner.Start == token.Start) return segmenter.Segment(text, scanner.Start, scanner.Length, scanner.Key, scanner.Map);
        }
        throw new ArgumentException("The token does not belong to this text.", nameof(token));
    }
}
