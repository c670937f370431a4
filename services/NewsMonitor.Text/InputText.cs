using System.Globalization;

namespace NewsMonitor.Text;

/// <summary>What a text field holds, which decides the characters it may contain (see <see cref="InputText"/>).</summary>
public enum TextKind
{
    /// <summary>
    /// Free text: article title, body and source, descriptions, secrets. Everything PostgreSQL can store, including
    /// tabs, line breaks and every bidirectional control (Arabic text uses marks, embeddings and isolates legitimately).
    /// </summary>
    Prose,

    /// <summary>
    /// Rule text (subscription and operator-topic rules): as <see cref="Prose"/>, but no bidirectional embedding, override
    /// or isolate controls (a rule must read as it matches) and no control characters other than tab and line breaks.
    /// The marks LRM, RLM and ALM are accepted.
    /// </summary>
    Rule,

    /// <summary>
    /// Names and identifiers shown in lists and logs (subscription and key names, tenants, labels, entity names and
    /// aliases): as <see cref="Rule"/>, and no control character at all, not even a tab or a line break.
    /// </summary>
    Name,
}

/// <summary>
/// The one check of text that arrives from outside, before it is stored or shown: no NUL (PostgreSQL refuses it in
/// <c>text</c> and <c>jsonb</c>), no unpaired UTF-16 surrogate (not a character; it cannot be encoded as UTF-8), no string
/// longer than <see cref="MaxLength"/>, and per <see cref="TextKind"/> no control characters that make a name or rule
/// display differently from what it is. Pure: no I/O.
/// </summary>
public static class InputText
{
    /// <summary>Longest string accepted in any field, in UTF-16 code units (the article body's limit; fields have lower ones).</summary>
    public const int MaxLength = 1_000_000;

    /// <summary>Why <paramref name="value"/> cannot be accepted as <paramref name="kind"/>, or null when it can (null is accepted: requiredness is the field's own rule).</summary>
    public static string? Check(string? value, TextKind kind = TextKind.Prose)
    {
        if (value is null) return null;
        if (value.Length > MaxLength) return $"is {value.Length:N0} characters long; no field accepts more than {MaxLength:N0}.";
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0') return $"contains a NUL character (U+0000) at position {i}, which cannot be stored.";
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                    continue;
                }
                return Unpaired(c, i);
            }
            if (char.IsLowSurrogate(c)) return Unpaired(c, i);
            if (kind == TextKind.Prose) continue;
            if (IsBidiControl(c))
                return $"contains the bidirectional control {Code(c)} at position {i}; embedding, override and isolate controls are not accepted here (the marks U+200E, U+200F and U+061C are).";
            if (char.IsControl(c) && (kind == TextKind.Name || c is not ('\t' or '\n' or '\r')))
                return $"contains the control character {Code(c)} at position {i}{(kind == TextKind.Name ? "; a name is one line of visible text" : "")}.";
        }
        return null;
    }

    /// <summary>
    /// Notes in <paramref name="errors"/>, under <paramref name="field"/>, why <paramref name="value"/> is refused (unless the
    /// field already has an error); true when it is.
    /// </summary>
    public static bool Refuse(IDictionary<string, string[]> errors, string field, string? value, TextKind kind)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Check(value, kind) is not { } problem) return false;
        errors.TryAdd(field, [$"{field} {problem}"]);
        return true;
    }

    /// <summary>Whether <paramref name="c"/> is a bidirectional embedding, override or isolate control (U+202A–U+202E, U+2066–U+2069).</summary>
    public static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    private static string Unpaired(char c, int at) => $"contains an unpaired surrogate ({Code(c)}) at position {at}, which is not a character.";

    private static string Code(char c) => "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
}
