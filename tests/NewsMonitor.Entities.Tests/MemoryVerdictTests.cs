using NewsMonitor.Entities.Recognition;

namespace NewsMonitor.Entities.Tests;

public class MemoryVerdictTests
{
    // The verdict as it was computed before issue 17's round 4: the difference built as a dictionary, then two MaxBy over tuples.
    private static string? Oracle(Dictionary<string, int> total, Dictionary<string, int> mine)
    {
        var byTag = total.Select(pair => (pair.Key, Value: pair.Value - mine.GetValueOrDefault(pair.Key))).Where(pair => pair.Value > 0)
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        if (byTag.Count == 0) return null;
        var best = byTag.MaxBy(pair => (pair.Value, pair.Key != "O" ? 1 : 0, pair.Key));
        if (best.Key != "O") return best.Key;
        return byTag.Count > 1 ? "O+" + byTag.Where(pair => pair.Key != "O").MaxBy(pair => (pair.Value, pair.Key)).Key : null;
    }

    [Fact]
    public void The_verdict_on_counts_less_a_sentences_own_is_the_one_the_difference_dictionary_gave()
    {
        var random = new Random(20261130);
        var outcomes = new HashSet<string>(StringComparer.Ordinal);
        for (var n = 0; n < 20_000; n++)
        {
            // Small counts over a few tags in a random insertion order: ties of every kind are common.
            var tags = PerceptronTagger.Tags.OrderBy(_ => random.Next()).Take(random.Next(1, 6)).ToList();
            var total = new Dictionary<string, int>(StringComparer.Ordinal);
            var mine = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                total[tag] = random.Next(1, 5);
                if (random.Next(3) == 0) mine[tag] = random.Next(0, total[tag] + 1);
            }
            var expected = Oracle(total, mine);
            Assert.Equal(expected, NerModel.Verdict(total, mine));
            outcomes.Add(expected is null ? "null" : expected.StartsWith("O+", StringComparison.Ordinal) ? "O+" : expected == "O" ? "O" : "name");
        }
        Assert.Equal(["O+", "name", "null"], outcomes.Order(StringComparer.Ordinal)); // every kind of answer was compared ("O" alone is never one)
    }
}
