namespace NewsMonitor.Entities.Recognition;

/// <summary>
/// Document-level consistency after tagging: a name the tagger found once in a document is a name where the same
/// words stand untagged elsewhere in it (a reporter writes «قال كوفي عنان» once and «عنان» or «كوفي عنان» again in
/// weaker contexts). Only words tagged O change; the longest known name wins; the type is the one the name was
/// given most often. Pure.
/// </summary>
public static class DocumentConsistency
{
    /// <summary>Longest name, in words, that the pass looks for.</summary>
    public const int MaxNameWords = 4;

    /// <summary>
    /// The tags of every sentence with untagged repeats of tagged names tagged; names count from the sentences within
    /// <paramref name="window"/> of each sentence (the whole document by default), the sentence itself included.
    /// </summary>
    public static string[][] Apply(IReadOnlyList<TaggerWord[]> sentences, IReadOnlyList<string[]> tags, int window = int.MaxValue)
    {
        var names = new List<(string Key, string Type)>[sentences.Count];
        for (var s = 0; s < sentences.Count; s++)
        {
            names[s] = [];
            foreach (var (start, end, type) in BioTags.Spans(tags[s]))
            {
                if (end - start > MaxNameWords || !Eligible(sentences[s][start])) continue;
                names[s].Add((Key(sentences[s], start, end), type));
            }
        }
        var whole = window >= sentences.Count ? Counts(names, 0, sentences.Count - 1) : null;
        var result = new string[sentences.Count][];
        for (var s = 0; s < sentences.Count; s++)
        {
            var counts = whole ?? Counts(names, (int)Math.Max(0, (long)s - window), (int)Math.Min(sentences.Count - 1, (long)s + window));
            result[s] = [.. tags[s]];
            if (counts.Count == 0) continue;
            var words = sentences[s];
            for (var i = 0; i < words.Length;)
            {
                var matched = 0;
                for (var length = Math.Min(MaxNameWords, words.Length - i); length >= 1 && matched == 0; length--)
                {
                    if (!Eligible(words[i]) || !AllOutside(result[s], i, i + length)) continue;
                    if (!counts.TryGetValue(Key(words, i, i + length), out var byType)) continue;
                    var type = byType.MaxBy(pair => (pair.Value, pair.Key)).Key;
                    // A repeat directly after a name of the same type would merge into it as I-: leave it.
                    if (i > 0 && result[s][i - 1] != "O" && result[s][i - 1][2..] == type) continue;
                    result[s][i] = "B-" + type;
                    for (var j = i + 1; j < i + length; j++) result[s][j] = "I-" + type;
                    matched = length;
                }
                i += Math.Max(1, matched);
            }
        }
        return result;
    }

    private static Dictionary<string, Dictionary<string, int>> Counts(List<(string Key, string Type)>[] names, int from, int to)
    {
        var counts = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        for (var s = from; s <= to; s++)
        {
            foreach (var (key, type) in names[s])
            {
                if (!counts.TryGetValue(key, out var byType)) counts[key] = byType = new(StringComparer.Ordinal);
                byType[type] = byType.GetValueOrDefault(type) + 1;
            }
        }
        return counts;
    }

    // Short words and punctuation repeat for reasons other than being the same name.
    private static bool Eligible(TaggerWord word) => word.LexicalKey.Length >= 3 && word.Shape is "ar" or "Lat" or "LAT";

    private static bool AllOutside(string[] tags, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            if (tags[i] != "O") return false;
        }
        return true;
    }

    private static string Key(TaggerWord[] words, int start, int end) => string.Join(' ', words[start..end].Select(word => word.LexicalKey));
}
