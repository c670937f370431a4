using System.Text;

namespace NewsMonitor.Text;

/// <summary>
/// Builds matching keys from text. The original text is never changed; callers keep offsets into it.
/// Keys fold the variation Arabic news text shows for the same word: diacritics, tatweel, alef and
/// hamza seats, alef maqsura/ya, ta marbuta/ha, Eastern digits, Arabic punctuation, presentation forms
/// (NFKC), zero-width and bidi controls, Latin case.
/// </summary>
public static class ArabicNormalizer
{
    /// <summary>Returns the matching key of <paramref name="text"/>; idempotent, never throws.</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) return text;
        var builder = new StringBuilder(text.Length);
        Span<char> folded = stackalloc char[MaxFoldedLength];
        foreach (var c in text)
        {
            var written = Fold(c, folded);
            builder.Append(folded[..written]);
        }
        return builder.ToString();
    }

    /// <summary>Most characters one input character can fold to (ﷺ-like ligatures are not expanded).</summary>
    public const int MaxFoldedLength = 4;

    /// <summary>Writes the key form of <paramref name="c"/> into <paramref name="output"/>; returns how many characters (0 when dropped).</summary>
    public static int Fold(char c, Span<char> output)
    {
        // Arabic presentation forms (ﻻ, ﺍ, ...) decompose by NFKC to one to three ordinary letters; long
        // ligatures (ﷺ and the like) are kept as they are so that one character never becomes a phrase.
        if (c is >= '\uFB50' and <= '\uFDFF' or >= '\uFE70' and <= '\uFEFC')
        {
            var decomposed = c.ToString().Normalize(NormalizationForm.FormKC);
            if (decomposed.Length > MaxFoldedLength) { output[0] = c; return 1; }
            var written = 0;
            foreach (var d in decomposed)
            {
                var f = Fold(d);
                if (f != '\0') output[written++] = f;
            }
            return written;
        }
        var folded = Fold(c);
        if (folded == '\0') return 0;
        output[0] = folded;
        return 1;
    }

    // The Arabic block is folded through a table built once from the rules below.
    private static readonly char[] ArabicBlock = Enumerable.Range(0x0600, 0x100).Select(c => FoldByRule((char)c)).ToArray();

    /// <summary>Folds one character to its key form; returns '\0' for characters that are dropped.</summary>
    public static char Fold(char c)
    {
        if (c < 0x80) return c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
        if (c is >= '\u0600' and <= '\u06FF') return ArabicBlock[c - 0x0600];
        return FoldByRule(c);
    }

    private static char FoldByRule(char c)
    {
        return c switch
        {
            // Diacritics (harakat, tanwin, shadda, sukun, superscript alef and Quranic marks) and tatweel.
            >= '\u064B' and <= '\u065F' or '\u0670' or '\u0640' => '\0',
            >= '\u06D6' and <= '\u06ED' => '\0',
            // Zero-width and bidi controls, BOM.
            >= '\u200B' and <= '\u200F' or >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\uFEFF' => '\0',
            'أ' or 'إ' or 'آ' or 'ٱ' => 'ا',
            'ى' => 'ي',
            'ة' => 'ه',
            'ؤ' => 'و',
            'ئ' => 'ي',
            'ی' => 'ي', // Persian yeh
            'ک' => 'ك', // Persian keheh
            >= '\u0660' and <= '\u0669' => (char)('0' + (c - '\u0660')),
            >= '\u06F0' and <= '\u06F9' => (char)('0' + (c - '\u06F0')),
            '،' => ',',
            '؛' => ';',
            '؟' => '?',
            '٪' => '%',
            '٫' => '.',
            '٬' => ',',
            '«' or '»' or '“' or '”' or '„' => '"',
            '‘' or '’' => '\'',
            _ => char.IsSurrogate(c) ? c : char.ToLowerInvariant(c),
        };
    }
}
