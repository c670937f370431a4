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
    public void Features_that_share_a_home_slot_and_the_extremes_are_kept_apart()
    {
        // Multiples of 2^28 differ only in their top bits; 0 and uint.MaxValue are legal hashes too (0 is not "empty").
        var rows = new Dictionary<uint, int> { [0] = 5, [uint.MaxValue] = 6 };
        for (uint k = 1; k < 16; k++) rows[k << 28] = (int)k;
        var map = new FeatureRows(rows);

        foreach (var (feature, row) in rows) Assert.Equal(row, map.RowOf(feature));
        Assert.Equal(-1, map.RowOf(1));
        Assert.Equal(-1, map.RowOf(uint.MaxValue - 1));
    }
}
