namespace NewsMonitor.Text;

/// <summary>What a token is.</summary>
public enum TokenKind
{
    /// <summary>Letters (Arabic, Latin or other scripts), with their marks.</summary>
    Word,
    /// <summary>Digits, with inner decimal or thousands separators.</summary>
    Number,
}

/// <summary>A token: where it is in the original text and its matching key.</summary>
/// <param name="Start">Offset into the original text, UTF-16 code units.</param>
/// <param name="Length">Length in the original text, UTF-16 code units.</param>
/// <param name="Key">Normalised form (see <see cref="ArabicNormalizer"/>).</param>
/// <param name="Kind">Word or number.</param>
public readonly record struct Token(int Start, int Length, string Key, TokenKind Kind);

/// <summary>Splits mixed Arabic/Latin/number text into word and number tokens with offsets into the original.</summary>
public static class Tokenizer
{
    /// <summary>Tokens of <paramref name="text"/> in order. Punctuation and spaces separate tokens and are not returned.</summary>
    public static List<Token> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<Token>(text.Length / 5 + 1);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (IsWordChar(c))
            {
                var start = i;
                while (i < text.Length && (IsWordChar(text[i]) || IsJoiner(text[i]))) i++;
                // A word never ends in a joiner (zero-width or bidi control): give it back.
                var end = i;
                while (end > start && IsJoiner(text[end - 1])) end--;
                tokens.Add(new Token(start, end - start, ArabicNormalizer.Normalize(text.Substring(start, end - start)), TokenKind.Word));
            }
            else if (char.IsDigit(c))
            {
                var start = i;
                while (i < text.Length && (char.IsDigit(text[i]) || IsInnerNumberSeparator(text, i))) i++;
                tokens.Add(new Token(start, i - start, ArabicNormalizer.Normalize(text.Substring(start, i - start)), TokenKind.Number));
            }
            else
            {
                i++;
            }
        }
        return tokens;
    }

    private static bool IsWordChar(char c) =>
        char.IsLetter(c) || c == '\u0640' || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark
            or System.Globalization.UnicodeCategory.SpacingCombiningMark;

    private static bool IsJoiner(char c) => c is >= '\u200B' and <= '\u200F' or >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    private static bool IsInnerNumberSeparator(string text, int i) =>
        text[i] is '.' or ',' or '٫' or '٬' && i > 0 && i + 1 < text.Length && char.IsDigit(text[i - 1]) && char.IsDigit(text[i + 1]);
}
