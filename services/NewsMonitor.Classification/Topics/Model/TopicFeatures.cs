using NewsMonitor.Text;

namespace NewsMonitor.Classification.Topics.Model;

/// <summary>A sparse feature vector: hashed feature indices with their weights, L2-normalised.</summary>
public readonly record struct FeatureVector(int[] Indices, float[] Values);

/// <summary>Which feature families <see cref="TopicFeatures"/> produces (combinable).</summary>
[Flags]
public enum TopicFeatureParts
{
    /// <summary>No family: an empty vector.</summary>
    None = 0,

    /// <summary>Word unigrams and bigrams only.</summary>
    Words = 1,

    /// <summary>Character 2–5-grams only.</summary>
    Characters = 2,

    /// <summary>Word unigrams and bigrams and character n-grams (the product's features).</summary>
    Both = Words | Characters,

    /// <summary>
    /// Light-stemmed word unigrams (<see cref="TopicFeatures.LightStem"/>): the article and common plural, dual,
    /// feminine and nisba endings off, so سياسيه, السياسات and سياسي count as one word.
    /// </summary>
    Stems = 4,
}

/// <summary>
/// Text to features for the topic model: lexical forms (clitics off, from the text core's segmenter) as unigrams
/// and bigrams, and character 2–5-grams of each normalised word with its boundaries. Counts are damped
/// (1 + log n) and the vector is L2-normalised, so long and short texts compare. Hashed into 2^18 buckets.
/// Pure; allocates one dictionary per text.
/// </summary>
public static class TopicFeatures
{
    /// <summary>log2 of the number of buckets.</summary>
    public const int Bits = 18;

    /// <summary>Number of buckets.</summary>
    public const int Size = 1 << Bits;

    private const int MaxWords = 5_000; // a huge text is read up to here: topics show early

    /// <summary>The feature vector of a text.</summary>
    public static FeatureVector Of(string text, TextAnalyzer? analyzer = null) => Of(text, TopicFeatureParts.Both, analyzer);

    /// <summary>
    /// The feature vector of a text from only some feature families (word n-grams, character n-grams, or both),
    /// for models that read the families separately.
    /// </summary>
    public static FeatureVector Of(string text, TopicFeatureParts parts, TextAnalyzer? analyzer = null)
    {
        var analyzed = (analyzer ?? TextAnalyzer.BuiltIn).Analyze(text ?? "");
        // About 20 features per word before repeats: sized once, never rehashed.
        var counts = new Dictionary<int, float>(Math.Min(analyzed.Tokens.Count, MaxWords) * 20 + 16);
        string? previous = null;
        var words = 0;
        Span<char> gram = stackalloc char[8];
        foreach (var token in analyzed.Tokens)
        {
            if (token.Kind != TokenKind.Word) { if (token.IsSentenceBreak) previous = null; continue; }
            if (++words > MaxWords) break;
            var lexical = token.LexicalKey;
            if (lexical.Length == 0) continue;
            if ((parts & TopicFeatureParts.Words) != 0)
            {
                Bump(counts, Hash('w', lexical, null));
                if (previous is not null) Bump(counts, Hash('b', previous, lexical));
            }
            if ((parts & TopicFeatureParts.Stems) != 0) Bump(counts, Hash('s', LightStem(lexical), null));
            previous = lexical;
            if ((parts & TopicFeatureParts.Characters) == 0) continue;
            var key = token.Key;
            var bounded = key.Length + 2;
            for (var n = 2; n <= 5; n++)
            {
                for (var start = 0; start + n <= bounded; start++)
                {
                    for (var k = 0; k < n; k++)
                    {
                        var at = start + k;
                        gram[k] = at == 0 ? '<' : at == bounded - 1 ? '>' : key[at - 1];
                    }
                    Bump(counts, Hash('c', gram[..n], null));
                }
            }
        }
        var indices = new int[counts.Count];
        var values = new float[counts.Count];
        var norm = 0.0;
        var i = 0;
        foreach (var (index, count) in counts)
        {
            indices[i] = index;
            values[i] = 1 + MathF.Log(count);
            norm += values[i] * values[i];
            i++;
        }
        Array.Sort(indices, values);
        if (norm > 0)
        {
            var scale = (float)(1 / Math.Sqrt(norm));
            for (var j = 0; j < values.Length; j++) values[j] *= scale;
        }
        return new FeatureVector(indices, values);
    }

    // Light10-style endings (Larkey et al.), on normalised keys where ة is ه: longest first, one of each length.
    private static readonly string[] LongEndings = ["ات", "ون", "ين", "ان", "يه", "ها"];
    private static readonly string[] ShortEndings = ["ه", "ي"];

    /// <summary>
    /// The light stem of a lexical key (article + stem, clitics already off): the article ال, then one two-letter
    /// ending (ات ون ين ان يه ها) and one one-letter ending (ه ي) come off while at least three letters stay.
    /// Non-Arabic keys are returned whole. Merges inflections the word features keep apart
    /// (السياسيه, سياسي → سياس) at the price of some false friends (دوليه, دول → دول).
    /// </summary>
    public static ReadOnlySpan<char> LightStem(string lexicalKey)
    {
        ArgumentNullException.ThrowIfNull(lexicalKey);
        var stem = lexicalKey.AsSpan();
        if (stem.Length == 0 || stem[0] is < '\u0621' or > '\u064A') return stem;
        if (stem.Length >= 5 && stem.StartsWith("ال", StringComparison.Ordinal)) stem = stem[2..];
        stem = Strip(stem, LongEndings);
        return Strip(stem, ShortEndings);

        static ReadOnlySpan<char> Strip(ReadOnlySpan<char> word, string[] endings)
        {
            foreach (var ending in endings)
            {
                if (word.Length - ending.Length >= 3 && word.EndsWith(ending, StringComparison.Ordinal)) return word[..^ending.Length];
            }
            return word;
        }
    }

    private static void Bump(Dictionary<int, float> counts, int index) => counts[index] = counts.GetValueOrDefault(index) + 1;

    private static int Hash(char kind, ReadOnlySpan<char> first, string? second)
    {
        var hash = 2166136261u;
        hash = (hash ^ kind) * 16777619u;
        foreach (var c in first) hash = (hash ^ c) * 16777619u;
        if (second is not null)
        {
            hash = (hash ^ ' ') * 16777619u;
            foreach (var c in second) hash = (hash ^ c) * 16777619u;
        }
        hash ^= hash >> 15;
        hash *= 0x2c1b3c6dU;
        hash ^= hash >> 12;
        return (int)(hash & (Size - 1));
    }
}
