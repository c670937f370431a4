using System.Collections.Concurrent;

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
    internal WordInfo? Word { get; init; }

    internal string[]? OwnKeys { get; init; }

    /// <summary>Every key the token can be read as when matching phrases, lexical key first.</summary>
    public IReadOnlyList<string> MatchKeys => Keys;

    internal string[] Keys => Word?.MatchKeys ?? OwnKeys ?? [Key];

    /// <summary>Offset just past the token.</summary>
    public int End => Start + Length;

    /// <summary>Whether the token is a word or a number.</summary>
    public bool IsContent => Kind is TokenKind.Word or TokenKind.Number;

    /// <summary>Whether a phrase may not run across this token: . , ; : ! ? ( ) [ ] and their Arabic forms.</summary>
    public bool IsSentenceBreak => Kind == TokenKind.Punctuation && Key is "." or "," or ";" or ":" or "!" or "?" or "(" or ")" or "[" or "]";
}

/// <summary>What the analyzer knows of one written word; shared by every occurrence of it.</summary>
internal sealed class WordInfo(string key, string lexicalKey, WordAnalysis analysis, int contentOffset, bool known, ArabicLexicon lexicon)
{
    private string[]? _matchKeys;

    public string Key { get; } = key;
    public string LexicalKey { get; } = lexicalKey;
    public WordAnalysis Analysis { get; } = analysis;
    public int ContentOffset { get; } = contentOffset;
    public bool Known { get; } = known;

    // Computed on first match, once per distinct word; a race computes the same array twice, harmlessly.
    public string[] MatchKeys => _matchKeys ??= NewsMonitor.Text.MatchKeys.Of(Key, LexicalKey, Analysis, Known, lexicon);
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

    private List<(int Index, bool BreakBefore)>? _content;

    /// <summary>
    /// The word and number tokens by index into <see cref="Tokens"/>, each marked when sentence punctuation stands
    /// before it (phrases do not run across such a mark). Computed on first use.
    /// </summary>
    public IReadOnlyList<(int Index, bool BreakBefore)> Content => _content ??= ContentTokens(Tokens);

    private static List<(int Index, bool BreakBefore)> ContentTokens(List<AnalyzedToken> tokens)
    {
        var content = new List<(int, bool)>(tokens.Count);
        var pendingBreak = false;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.IsContent)
            {
                content.Add((i, pendingBreak));
                pendingBreak = false;
            }
            else if (token.IsSentenceBreak)
            {
                pendingBreak = true;
            }
        }
        return content;
    }
}

/// <summary>
/// The text core in one pass: tokenise with offsets, fold keys, segment clitics against the lexicon, and
/// (on demand) recognise numeric expressions. Pure and thread-safe; never throws on any string. Words repeat
/// across news, so the analysis of each distinct written word is remembered (up to a bound).
/// </summary>
public sealed class TextAnalyzer
{
    private const int MaxRememberedWords = 500_000;
    private readonly CliticSegmenter _segmenter;
    private readonly ConcurrentDictionary<string, WordInfo>? _words;
    private readonly ConcurrentDictionary<string, WordInfo>.AlternateLookup<ReadOnlySpan<char>> _wordLookup;


    /// <summary>Creates an analyzer; <paramref name="rememberWords"/> keeps the analysis of each written word for reuse.</summary>
    public TextAnalyzer(CliticSegmenter segmenter, bool rememberWords = true)
    {
        _segmenter = segmenter;
        if (!rememberWords) return;
        _words = new ConcurrentDictionary<string, WordInfo>(StringComparer.Ordinal);
        _wordLookup = _words.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The analyzer over the built-in lexicon.</summary>
    public static TextAnalyzer BuiltIn { get; } = new(CliticSegmenter.BuiltIn);

    /// <summary>The segmenter used for words.</summary>
    public CliticSegmenter Segmenter => _segmenter;

    /// <summary>Analyses <paramref name="text"/>.</summary>
    public AnalyzedText Analyze(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lexicon = _segmenter.Lexicon;
        var tokens = new List<AnalyzedToken>(text.Length / 5 + 1);
        var scanner = new TokenScanner(text);
        while (scanner.MoveNext())
        {
            if (scanner.Kind != TokenKind.Word)
            {
                var key = scanner.Key;
                var surface = key.Length == 1 ? SingleCharacter(key[0]) : lexicon.Intern(key);
                tokens.Add(new AnalyzedToken(scanner.Start, scanner.Length, scanner.Kind, surface, surface, WordAnalysis.Whole(key.Length), scanner.Start, false)
                {
                    OwnKeys = scanner.Kind == TokenKind.Number ? [surface] : null,
                });
                continue;
            }
            var written = text.AsSpan(scanner.Start, scanner.Length);
            if (_words is null || !_wordLookup.TryGetValue(written, out var info))
            {
                info = AnalyzeWord(text, ref scanner, lexicon);
                if (_words is not null && _words.Count < MaxRememberedWords) _words.TryAdd(new string(written), info);
            }
            tokens.Add(new AnalyzedToken(scanner.Start, scanner.Length, TokenKind.Word, info.Key, info.LexicalKey, info.Analysis, scanner.Start + info.ContentOffset, info.Known) { Word = info });
        }
        return new AnalyzedText(text, tokens, new Lazy<IReadOnlyList<NumericExpression>>(() => NumericRecognizer.Recognize(text, tokens)));
    }

    private WordInfo AnalyzeWord(string text, ref TokenScanner scanner, ArabicLexicon lexicon)
    {
        var key = scanner.Key;
        var map = scanner.Map;
        var entry = lexicon.Lookup(key, out var surface);
        var analysis = _segmenter.Analyze(text, key, map, entry, out var lexicalStored, out var lexicalEntry);
        var lexical = analysis.IsWhole ? surface : lexicalStored ?? _segmenter.LexicalKey(key, analysis);
        // Where the word proper starts: at a written article, else at the stem; an elided article (للناتو) keeps the whole token.
        var contentOffset = analysis.ProcliticLength == 0 || analysis.ArticleLength == 1 ? 0 : map[analysis.ProcliticLength] - scanner.Start;
        var known = entry.Count > 0 || lexicalEntry.Count > 0;
        return new WordInfo(surface, lexical, analysis, contentOffset, known, lexicon);
    }

    private static readonly string[] Ascii = Enumerable.Range(0, 128).Select(c => ((char)c).ToString()).ToArray();

    private static string SingleCharacter(char c) => c < 128 ? Ascii[c] : c.ToString();

    /// <summary>The segmentation of one analysed word token of <paramref name="text"/>.</summary>
    public WordSegmentation Segment(string text, AnalyzedToken token)
    {
        var scanner = new TokenScanner(text[..token.End]);
        while (scanner.MoveNext())
        {
            if (scanner.Start == token.Start) return _segmenter.Segment(text, scanner.Start, scanner.Length, scanner.Key, scanner.Map);
        }
        throw new ArgumentException("The token does not belong to this text.", nameof(token));
    }
}
