using System.Text;
using System.Text.RegularExpressions;

namespace NewsMonitor.Text.NearDuplicates;

/// <summary>
/// Word shingles of an article: consecutive word 3-grams of its <see cref="ArabicNormalizer"/> key, hashed to 64 bits.
/// Normalising first makes spelling variants (hamza seats, ta marbuta, diacritics, Eastern digits) the same word, so a
/// republication that only re-spells is no different. Pure.
/// </summary>
public static partial class Shingles
{
    /// <summary>Words per shingle.</summary>
    public const int Size = 3;

    /// <summary>The distinct shingle hashes of <paramref name="text"/> (fewer than <see cref="Size"/> words: one shingle of them all).</summary>
    public static HashSet<ulong> Of(string text)
    {
        var words = Words(text);
        var hashes = new HashSet<ulong>();
        if (words.Count == 0) return hashes;
        if (words.Count < Size)
        {
            hashes.Add(Hash(string.Join(' ', words)));
            return hashes;
        }
        var shingle = new StringBuilder();
        for (var i = 0; i + Size <= words.Count; i++)
        {
            shingle.Clear();
            for (var k = 0; k < Size; k++) shingle.Append(words[i + k]).Append(' ');
            hashes.Add(Hash(shingle.ToString()));
        }
        return hashes;
    }

    /// <summary>
    /// The words of the normalised text: runs of letters and digits (punctuation and spacing do not count). Links are left
    /// out: a site's "follow us" footer of URLs is the same under every article and is no part of its text.
    /// </summary>
    public static List<string> Words(string text)
    {
        var key = ArabicNormalizer.Normalize(Links().Replace(text, " "));
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= key.Length; i++)
        {
            var inWord = i < key.Length && char.IsLetterOrDigit(key[i]);
            if (inWord && start < 0) start = i;
            else if (!inWord && start >= 0)
            {
                words.Add(key[start..i]);
                start = -1;
            }
        }
        return words;
    }

    /// <summary>64-bit FNV-1a of the UTF-16 text, finished with a SplitMix64 mix so every output bit depends on every input bit.</summary>
    public static ulong Hash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        return Mix(hash);
    }

    /// <summary>SplitMix64's finaliser: a bijection that spreads every bit.</summary>
    public static ulong Mix(ulong value)
    {
        value ^= value >> 30;
        value *= 0xBF58476D1CE4E5B9UL;
        value ^= value >> 27;
        value *= 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }

    [GeneratedRegex(@"(?:https?://|www\.)\S+", RegexOptions.IgnoreCase)]
    private static partial Regex Links();
}
