namespace NewsMonitor.Load;

/// <summary>A subscription the harness creates through the public API.</summary>
public sealed record LoadSubscription(string Name, string Rule);

/// <summary>
/// Realistic alert rules over the words and names of the articles' own sources: single names, quoted phrases, AND
/// pairs, OR groups, NOT, NEAR/5, entity and topic filters, in the mix a newsroom's watch list has. Pure; the caller
/// checks every rule with the product's parser before posting it.
/// </summary>
public static class RuleMix
{
    /// <summary>Topic labels of the built-in taxonomy (docs/topics.md).</summary>
    public static readonly IReadOnlyList<string> Topics = ["politics", "international", "defense", "conflict", "economy", "technology", "health", "sports"];

    /// <summary>
    /// One rule: <paramref name="words"/> are content words (single-word terms), <paramref name="names"/> person,
    /// place and organisation names (phrases and entity filters), <paramref name="phrases"/> two-word phrases.
    /// </summary>
    public static LoadSubscription Next(Random random, IReadOnlyList<string> words, IReadOnlyList<string> names, IReadOnlyList<string> phrases)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(phrases);
        string W() => words[random.Next(words.Count)];
        string N() => names[random.Next(names.Count)];
        string Q() => $"\"{phrases[random.Next(phrases.Count)]}\"";
        var name = N();
        var roll = random.Next(100);
        var rule = roll switch
        {
            < 20 => W(),
            < 35 => Q(),
            < 47 => $"\"{name}\"",
            < 60 => $"{W()} {W()}",
            < 70 => $"({W()} OR {Q()}) {W()}",
            < 76 => $"{W()} NOT {W()}",
            < 84 => $"{W()} NEAR/5 {W()}",
            < 92 => $"{W()} entity:\"{name}\"",
            _ => $"topic:{Topics[random.Next(Topics.Count)]} {W()}",
        };
        return new LoadSubscription($"متابعة {name}", rule);
    }
}
