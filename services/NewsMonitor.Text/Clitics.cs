namespace NewsMonitor.Text;

/// <summary>
/// Light proclitic analysis on normalised keys: the forms a word can stand for once a conjunction
/// (و ف), a preposition (ب ل ك) and the article are peeled off. Validation against a lexicon comes with
/// the full segmenter; here a minimum stem length keeps short words whole.
/// </summary>
public static class Clitics
{
    private const int MinimumStem = 3;

    /// <summary>The key itself followed by every proclitic-stripped reading of it, without duplicates.</summary>
    public static IReadOnlyList<string> Readings(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var readings = new List<string>(4) { key };
        foreach (var afterConjunction in StripConjunction(key))
        {
            foreach (var afterPreposition in StripPreposition(afterConjunction))
            {
                Add(readings, afterPreposition);
            }
        }
        return readings;
    }

    private static IEnumerable<string> StripConjunction(string key)
    {
        yield return key;
        if (key.Length > MinimumStem && key[0] is 'و' or 'ف') yield return key[1..];
    }

    private static IEnumerable<string> StripPreposition(string key)
    {
        yield return key;
        if (key.Length <= MinimumStem) yield break;
        // لل = ل + ال with the alef elided: للناتو → الناتو.
        if (key.StartsWith("لل", StringComparison.Ordinal) && key.Length - 2 >= MinimumStem - 1) yield return "ا" + key[1..];
        if (key[0] is 'ب' or 'ل' or 'ك') yield return key[1..];
    }

    private static void Add(List<string> readings, string reading)
    {
        if (reading.Length >= MinimumStem - 1 && !readings.Contains(reading)) readings.Add(reading);
    }
}
