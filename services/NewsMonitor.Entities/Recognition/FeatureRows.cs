namespace NewsMonitor.Entities.Recognition;

/// <summary>
/// A trained model's feature hash → weight row map, read-only and built for the tagger's hot loop: open addressing with
/// linear probing in one array of slots (the hash in the high half, the row + 1 in the low half, 0 for empty), at most
/// half full. A look-up is one multiply and, mostly, one cache line: the tagger does about a hundred per token and pass,
/// where <see cref="Dictionary{TKey, TValue}"/>'s look-ups took an eighth of the whole extraction's time (profile in
/// docs/benchmarks.md, "Round 4").
/// </summary>
internal sealed class FeatureRows
{
    private readonly ulong[] _slots;
    private readonly int _shift;

    /// <summary>The map of <paramref name="rows"/> (feature hash → row).</summary>
    public FeatureRows(IReadOnlyDictionary<uint, int> rows)
        : this(rows.Count, rows.Select(pair => (pair.Key, pair.Value)))
    {
    }

    /// <summary>
    /// The map of <paramref name="count"/> (feature hash, row) pairs, filled straight from them (no dictionary in
    /// between); a feature given twice, or a count that does not match, is refused.
    /// </summary>
    public FeatureRows(int count, IEnumerable<(uint Feature, int Row)> rows)
    {
        // At most half full, in an array of at most 2^30 slots (a model is a few hundred thousand rows).
        if (count > 1 << 29) throw new ArgumentException($"{count} feature rows: at most 2^29 fit.", nameof(count));
        var bits = 4;
        while ((1 << bits) < count * 2) bits++;
        _slots = new ulong[1 << bits];
        _shift = 32 - bits;
        var mask = _slots.Length - 1;
        var added = 0;
        foreach (var (feature, row) in rows)
        {
            if (++added > count) throw new ArgumentException($"more than the {count} feature rows announced", nameof(rows));
            for (var i = Home(feature); ; i = (i + 1) & mask)
            {
                if (_slots[i] == 0)
                {
                    _slots[i] = ((ulong)feature << 32) | (uint)(row + 1);
                    break;
                }
                if ((uint)(_slots[i] >> 32) == feature) throw new ArgumentException($"feature {feature:x8} given twice", nameof(rows));
            }
        }
        if (added != count) throw new ArgumentException($"{added} feature rows given, {count} announced", nameof(rows));
        Count = count;
    }

    /// <summary>Features held.</summary>
    public int Count { get; }

    /// <summary>Every (feature hash, row), in no particular order.</summary>
    public IEnumerable<KeyValuePair<uint, int>> Pairs =>
        _slots.Where(slot => slot != 0).Select(slot => new KeyValuePair<uint, int>((uint)(slot >> 32), (int)(uint)slot - 1));

    /// <summary>The row of <paramref name="feature"/>, or -1 when the model has none.</summary>
    public int RowOf(uint feature)
    {
        var slots = _slots;
        var mask = slots.Length - 1;
        for (var i = Home(feature); ; i = (i + 1) & mask)
        {
            var slot = slots[i];
            if (slot == 0) return -1;
            if ((uint)(slot >> 32) == feature) return (int)(uint)slot - 1;
        }
    }

    // Fibonacci hashing: the top bits of the product, so hashes that differ only in their high bits still spread.
    private int Home(uint feature) => (int)((feature * 2654435769u) >> _shift);
}
