using System.Text;

namespace NewsMonitor.Text;

/// <summary>
/// Builds matching keys from text. The original text is never changed; callers keep offsets into it.
/// Keys fold the variation Arabic news text shows for the same word: diacritics, tatweel, alef and
/// hamza seats, alef maqsura/ya, ta marbuta/ha, Eastern digits, presentation forms, Latin case.
/// </summary>
public static class ArabicNormalizer
{
    /// <summary>Returns the matching key of <paramref name="text"/>; idempotent.</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) return text;
        if (NeedsCompatibilityDecomposition(text))
        {
            text = SafeNfkc(text);
        }

        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var folded = Fold(c);
            if (folded != '\0') builder.Append(folded);
        }
        return builder.ToString();
    }

    /// <summary>Folds one character to its key form; returns '\0' for characters that are dropped.</summary>
    public static char Fold(char c)
    {
        if (c < 0x80)
        {
            return c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
        }
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

    private static bool NeedsCompatibilityDecomposition(string text)
    {
        foreach (var c in text)
        {
            // Arabic presentation forms A and B (ligatures such as ﻻ).
            if (c is >= '\uFB50' and <= '\uFDFF' or >= '\uFE70' and <= '\uFEFC') return true;
        }
        return false;
    }

    private static string SafeNfkc(string text)
    {
        try
        {
            return text.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // Lone surrogates make Normalize throw; fold what can be folded and keep the rest.
            return text;
        }
    }
}
