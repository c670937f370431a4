using NewsMonitor.Entities.Recognition;

namespace NewsMonitor.Entities.Tests;

public class FeatureRowsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100_000)]
    public void Every_feature_finds_its_row_and_no_other_feature_finds_one(int count)
    {
        var random = new Random(count);
        var rows = new Dictionary<uint, int>();
        while (rows.Count < count) rows.TryAdd((uint)random.NextInt64(0, uint.MaxValue + 1L), rows.Count);
        var map = new FeatureRows(rows);

        Assert.Equal(count, map.Count);
        foreach (var (feature, row) in rows) Assert.Equal(row, map.RowOf(feature));
        for (var i = 0; i < 10_000; i++)
        {
            var absent = (uint)random.NextInt64(0, uint.MaxValue + 1L);
            if (!rows.ContainsKey(absent)) Assert.Equal(-1, map.RowOf(absent));
        }
        Assert.Equal(rows.OrderBy(pair => pair.Key), map.Pairs.OrderBy(pair => pair.Key));
    }

    [Fact]
    public void Features_that_share_a_home_slot_wrap_around_the_end_and_the_extremes_are_kept_apart()
    {
        // The table has 64 slots for these 20 features. m × 0x144CBC89 (the inverse of the Fibonacci multiplier) hashes
        // to m, so for m < 2^26 its home is slot 0: ten keys share it. Keys homed on the last slot (63) must wrap round to
        // the front, where slot 0's chain already is. 0 → row 0 and uint.MaxValue are legal too (0 is not "empty").
        var rows = new Dictionary<uint, int> { [0] = 0, [uint.MaxValue] = 1 };
        for (uint m = 1; m <= 10; m++) rows[unchecked(m * 0x144CBC89u)] = rows.Count;
        for (uint m = 1; m <= 8; m++) rows[unchecked(((63u << 26) | m) * 0x144CBC89u)] = rows.Count;
        var map = new FeatureRows(rows);

        foreach (var (feature, row) in rows) Assert.Equal(row, map.RowOf(feature));
        Assert.Equal(-1, map.RowOf(unchecked(11 * 0x144CBC89u))); // homed on slot 0, absent: walks the whole chain
        Assert.Equal(-1, map.RowOf(unchecked(((63u << 26) | 9) * 0x144CBC89u))); // homed on the last slot, absent: walks across the wrap
        Assert.Equal(-1, map.RowOf(1));
        Assert.Equal(-1, map.RowOf(uint.MaxValue - 1));
        Assert.Equal(rows.OrderBy(pair => pair.Key), map.Pairs.OrderBy(pair => pair.Key));
    }

    [Fact]
    public async Task A_feature_given_twice_or_a_wrong_count_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new FeatureRows(2, [(7u, 0), (7u, 1)]));
        Assert.Throws<ArgumentException>(() => new FeatureRows(1, [(7u, 0), (8u, 1)]));
        // More pairs than the table has slots for the count: without the check as they come, the probe would never end.
        var overfull = Task.Run(() => Assert.Throws<ArgumentException>(() => new FeatureRows(1, Enumerable.Range(0, 17).Select(i => ((uint)i * 7919u, i)))), TestContext.Current.CancellationToken);
        var ended = await Task.WhenAny(overfull, Task.Delay(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.True(ended == overfull, "filling 17 rows into a table sized for 1 did not end");
        await overfull;
        Assert.Throws<ArgumentException>(() => new FeatureRows(3, [(7u, 0), (8u, 1)]));
        Assert.Equal(1, new FeatureRows(2, [(7u, 0), (8u, 1)]).RowOf(8u));
    }
}
