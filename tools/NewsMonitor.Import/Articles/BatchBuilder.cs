namespace NewsMonitor.Import.Articles;

/// <summary>One item of an input file: where it is (a line number, or the element's number in a JSON array), its JSON
/// bytes, and a problem found before sending (not UTF-8, too long, not a JSON document) that keeps it from being sent.</summary>
/// <param name="Position">1-based line of an NDJSON file, or 1-based element of a .json file.</param>
/// <param name="Json">The item's JSON as it stands in the file (empty when <paramref name="LocalError"/> is set).</param>
/// <param name="LocalError">Why the item is rejected without asking the gateway, or null.</param>
public sealed record BatchItem(int Position, ReadOnlyMemory<byte> Json, string? LocalError = null)
{
    /// <summary>Whether the item goes to the gateway.</summary>
    public bool IsSent => LocalError is null;
}

/// <summary>
/// A batch of items and the byte range of its file it covers: <c>[StartOffset, EndOffset)</c>. Once the gateway has
/// answered every item of it, <see cref="EndOffset"/> is where a rerun starts (the checkpoint).
/// </summary>
/// <param name="StartOffset">First byte of the range.</param>
/// <param name="EndOffset">First byte after the range.</param>
/// <param name="Items">The items (blank lines are in the range but not here).</param>
/// <param name="EndPosition">The line (or element) number of the last item of the range, for the checkpoint.</param>
public sealed record LineBatch(long StartOffset, long EndOffset, IReadOnlyList<BatchItem> Items, int EndPosition)
{
    /// <summary>Bytes of the file the batch covers (what the progress bar counts).</summary>
    public long Bytes => EndOffset - StartOffset;

    /// <summary>The items that go to the gateway.</summary>
    public IEnumerable<BatchItem> Sent => Items.Where(item => item.IsSent);
}

/// <summary>Limits of one batch request.</summary>
/// <param name="MaxItems">Items per request (the batch endpoint takes at most 1,000).</param>
/// <param name="MaxBytes">Bytes of JSON per request: well under the gateway's 16 MiB body limit, so a batch of long articles is split rather than refused.</param>
/// <param name="MaxItemBytes">Longest single item; a longer one is rejected locally (the gateway would refuse the whole request).</param>
public sealed record BatchLimits(int MaxItems = 200, int MaxBytes = 4 * 1024 * 1024, int MaxItemBytes = 8 * 1024 * 1024)
{
    /// <summary>Most items the batch endpoint accepts in one request (services/NewsMonitor.Ingestion/Articles/ArticlesApi.cs).</summary>
    public const int EndpointMaxItems = 1_000;
}

/// <summary>
/// Gathers items into batches by count and size, keeping the byte range each batch covers. Pure: the readers
/// (<see cref="NdjsonReader"/>, <see cref="JsonFileReader"/>) feed it items with their ranges.
/// </summary>
/// <param name="limits">Items and bytes per batch.</param>
/// <param name="startOffset">Where reading starts (0, or a checkpoint's offset).</param>
/// <param name="startPosition">Lines (or elements) before <paramref name="startOffset"/>.</param>
public sealed class BatchBuilder(BatchLimits limits, long startOffset, int startPosition = 0)
{
    private List<BatchItem> _items = [];
    private long _start = startOffset;
    private long _end = startOffset;
    private int _bytes;
    private int _lastPosition = startPosition;

    /// <summary>
    /// Adds line (or element) <paramref name="position"/>, spanning <c>[start, end)</c> of the file: an item, or null for a
    /// blank line (part of the range only). Returns the batch that had to close first to keep within the limits, or null.
    /// </summary>
    public LineBatch? Add(BatchItem? item, int position, long start, long end)
    {
        LineBatch? closed = null;
        var size = item is { IsSent: true } ? item.Json.Length + 1 : 0;
        if (item is not null && _items.Count > 0 && (_items.Count >= limits.MaxItems || (size > 0 && _bytes + size > limits.MaxBytes)))
        {
            closed = new LineBatch(_start, start, _items, _lastPosition);
            _items = [];
            _start = start;
            _bytes = 0;
        }
        if (item is not null)
        {
            _items.Add(item);
            _bytes += size;
        }
        _lastPosition = position;
        _end = end;
        return closed;
    }

    /// <summary>The last batch, up to <paramref name="end"/> (the end of the file), or null when nothing is left.</summary>
    public LineBatch? Finish(long end)
    {
        _end = Math.Max(_end, end);
        if (_items.Count == 0 && _end == _start) return null;
        var batch = new LineBatch(_start, _end, _items, _lastPosition);
        _items = [];
        _start = _end;
        return batch;
    }
}
