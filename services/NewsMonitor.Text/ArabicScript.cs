namespace NewsMonitor.Text;

/// <summary>The Arabic script's Unicode blocks, for deciding what script a text is in (not for tokenising: see <see cref="Tokenizer"/>).</summary>
public static class ArabicScript
{
    /// <summary>
    /// Whether <paramref name="c"/> is in one of the Arabic script's blocks: Arabic, Arabic Supplement, Arabic Extended-A
    /// and the two presentation-forms blocks.
    /// </summary>
    public static bool Contains(char c) =>
        c is >= '\u0600' and <= '\u06FF' or >= '\u0750' and <= '\u077F' or >= '\u08A0' and <= '\u08FF' or >= '\uFB50' and <= '\uFDFF' or >= '\uFE70' and <= '\uFEFF';
}
