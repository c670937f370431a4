namespace NewsMonitor.Text;

/// <summary>What a token is.</summary>
public enum TokenKind
{
    /// <summary>Letters (Arabic, Latin or other scripts), with their marks.</summary>
    Word,
    /// <summary>Digits, with inner decimal or thousands separators.</summary>
    Number,
    /// <summary>A percent or currency sign: % ٪ $ € £ ¥.</summary>
    Symbol,
    /// <summary>Any other visible character: punctuation, quotes, brackets, hyphens, slashes.</summary>
    Punctuation,
}

/// <summary>A token: where it is in the original text and its matching key.</summary>
/// <param name="Start">Offset into the original text, UTF-16 code units.</param>
/// <param name="Length">Length in the original text, UTF-16 code units.</param>
/// <param name="Key">Normalised form (see <see cref="ArabicNormalizer"/>).</param>
/// <param name="Kind">Word, number, symbol or punctuation.</param>
public readonly record struct Token(int Start, int Length, string Key, TokenKind Kind)
{
    /// <summary>Whether the token is a word or a number (what phrases are made of).</summary>
    public bool IsContent => Kind is TokenKind.Word or TokenKind.Number;

    /// <summary>Offset just past the token in the original text.</summary>
    public int End => Start + Length;
}

/// <summary>Splits mixed Arabic/Latin/number text into tokens with offsets into the original.</summary>
public static class Tokenizer
{
    /// <summary>The key of a name or phrase: its word and number keys joined by single spaces.</summary>
    public static string PhraseKey(string text) => string.Join(' ', Tokenize(text).Where(token => token.IsContent).Select(token => token.Key));

    /// <summary>Tokens of <paramref name="text"/> in order; white space separates tokens and is not returned.</summary>
    public static List<Token> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<Token>(text.Length / 5 + 1);
        var scanner = new TokenScanner(text);
        while (scanner.MoveNext())
        {
            tokens.Add(new Token(scanner.Start, scanner.Length, new string(scanner.Key), scanner.Kind));
        }
        return tokens;
    }
}

/// <summary>
/// Scans tokens one at a time into reused buffers: the folded key of the current token and, for each key
/// character, the offset of the original character it came from (so segments map back to the text).
/// </summary>
internal ref struct TokenScanner
{
    private readonly string _text;
    private int _position;
    private char[] _key;
    private int[] _map;
    private int _keyLength;

    public TokenScanner(string text)
    {
        _text = text;
        _key = new char[64];
        _map = new int[64];
    }

    public int Start { get; private set; }

    public int Length { get; private set; }

    public TokenKind Kind { get; private set; }

    private bool _folded;

    /// <summary>The current token's key (folded on first use, so callers that only need boundaries pay nothing).</summary>
    public ReadOnlySpan<char> Key
    {
        get
        {
            if (!_folded) FoldCurrent();
            return _key.AsSpan(0, _keyLength);
        }
    }

    /// <summary>For each key character, the offset of its original character.</summary>
    public ReadOnlySpan<int> Map
    {
        get
        {
            if (!_folded) FoldCurrent();
            return _map.AsSpan(0, _keyLength);
        }
    }

    public bool MoveNext()
    {
        var text = _text;
        var i = _position;
        while (i < text.Length && (char.IsWhiteSpace(text[i]) || IsInvisible(text[i]))) i++;
        if (i >= text.Length)
        {
            _position = i;
            return false;
        }

        var start = i;
        var c = text[i];
        if (IsWordChar(c))
        {
            while (i < text.Length && (IsWordChar(text[i]) || IsInvisible(text[i]))) i++;
            // A word never ends in a joiner (zero-width or bidi control): give it back.
            while (i > start && IsInvisible(text[i - 1])) i--;
            Kind = TokenKind.Word;
        }
        else if (char.IsDigit(c))
        {
            while (i < text.Length && (char.IsDigit(text[i]) || IsInnerNumberSeparator(text, i))) i++;
            Kind = TokenKind.Number;
        }
        else
        {
            // A surrogate pair is one token; everything else here is one character.
            i += char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            Kind = c is '%' or '٪' or '$' or '€' or '£' or '¥' ? TokenKind.Symbol : TokenKind.Punctuation;
        }

        Start = start;
        Length = i - start;
        _position = i;
        _folded = false;
        return true;
    }

    private void FoldCurrent()
    {
        _folded = true;
        _keyLength = 0;
        Span<char> folded = stackalloc char[ArabicNormalizer.MaxFoldedLength];
        for (var i = Start; i < Start + Length; i++)
        {
            var written = ArabicNormalizer.Fold(_text[i], folded);
            if (_keyLength + written > _key.Length)
            {
                Array.Resize(ref _key, _key.Length * 2 + written);
                Array.Resize(ref _map, _key.Length);
            }
            for (var k = 0; k < written; k++)
            {
                _key[_keyLength] = folded[k];
                _map[_keyLength++] = i;
            }
        }
    }

    internal static bool IsWordChar(char c)
    {
        // Fast paths for the scripts news is written in: ASCII letters; Arabic letters, harakat and tatweel.
        if (c < 0x80) return (uint)((c | 0x20) - 'a') <= 'z' - 'a';
        if (c is >= '\u0621' and <= '\u065F' or '\u0640' or '\u0670') return true;
        return char.IsLetter(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark
            or System.Globalization.UnicodeCategory.SpacingCombiningMark;
    }

    private static bool IsInvisible(char c) => c is >= '\u200B' and <= '\u200F' or >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\uFEFF';

    private static bool IsInnerNumberSeparator(string text, int i) =>
        text[i] is '.' or ',' or '٫' or '٬' && i > 0 && i + 1 < text.Length && char.IsDigit(text[i - 1]) && char.IsDigit(text[i + 1]);
}
