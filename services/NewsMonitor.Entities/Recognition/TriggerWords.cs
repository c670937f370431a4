namespace NewsMonitor.Entities.Recognition;

/// <summary>
/// Words that announce an entity of one type right after them (وزير before a person, بلدية before a place),
/// learned from tagged sentences rather than listed by hand: a word that is itself outside any entity, seen at
/// least <c>minCount</c> times, and followed by the start of an entity of one type in at least
/// <c>minShare</c> of its occurrences. Keyed by lexical form (proclitics off). Pure.
/// </summary>
public static class TriggerWords
{
    /// <summary>Lexical key → PERS, LOC, ORG or MISC for each trigger word of <paramref name="sentences"/>.</summary>
    public static Dictionary<string, string> Learn(IEnumerable<(TaggerWord[] Words, string[] Tags)> sentences, int minCount = 3, double minShare = 0.3)
    {
        var seen = new Dictionary<string, (int Total, Dictionary<string, int> ByType)>(StringComparer.Ordinal);
        foreach (var (words, tags) in sentences)
        {
            for (var i = 0; i + 1 < words.Length; i++)
            {
                if (tags[i] != "O" || words[i].Shape is "p" or "s" or "9") continue;
                var key = words[i].LexicalKey;
                if (!seen.TryGetValue(key, out var counts)) counts = (0, new Dictionary<string, int>(StringComparer.Ordinal));
                counts.Total++;
                if (tags[i + 1].StartsWith("B-", StringComparison.Ordinal)) counts.ByType[tags[i + 1][2..]] = counts.ByType.GetValueOrDefault(tags[i + 1][2..]) + 1;
                seen[key] = counts;
            }
        }
        var triggers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, (total, byType)) in seen)
        {
            if (total < minCount || byType.Count == 0) continue;
            var best = byType.MaxBy(pair => (pair.Value, pair.Key));
            if (best.Value >= minShare * total) triggers[key] = best.Key;
        }
        return triggers;
    }
}
