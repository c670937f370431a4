using System.Text.Json;

namespace NewsMonitor.Import.Articles;

/// <summary>
/// Splits a .json file, one article object or an array of them, into batches with the byte range of each. The elements
/// are sent as they stand in the file (inside a JSON array, so pretty-printed articles need no rewriting); the gateway
/// names what is wrong with an element that is not an article. A file that is not one JSON document is refused here from
/// where it breaks, as one rejected item.
/// </summary>
public static class JsonFileReader
{
    /// <summary>The batches of a .json file's <paramref name="bytes"/>, leaving out elements that end at or before <paramref name="offset"/>.</summary>
    public static IEnumerable<LineBatch> Read(ReadOnlyMemory<byte> bytes, long offset, BatchLimits limits)
    {
        var builder = new BatchBuilder(limits, offset, 0);
        foreach (var (item, from, to) in Elements(bytes, limits))
        {
            if (to <= offset) continue;
            if (builder.Add(item, item.Position, Math.Max(from, offset), to) is { } closed) yield return closed;
        }
        if (builder.Finish(Math.Max(offset, bytes.Length)) is { } last) yield return last;
    }

    /// <summary>Every element with the range it owns: from the end of the one before to its own end (the last to the end of the file).</summary>
    private static List<(BatchItem Item, long Start, long End)> Elements(ReadOnlyMemory<byte> bytes, BatchLimits limits)
    {
        var start = bytes.Span.StartsWith("\uFEFF"u8) ? 3 : 0;
        var elements = new List<(BatchItem Item, long Start, long End)>();
        var reader = new Utf8JsonReader(bytes.Span[start..], new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
        long consumed = 0;
        try
        {
            if (!reader.Read()) throw new JsonException("the file is empty");
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                var from = reader.TokenStartIndex;
                reader.Skip();
                elements.Add((Item(1, bytes, start + from, start + reader.BytesConsumed, limits), 0, bytes.Length));
                consumed = bytes.Length;
                if (reader.Read()) throw new JsonException("trailing data after the article object");
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                var number = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var from = reader.TokenStartIndex;
                    reader.Skip();
                    var to = start + reader.BytesConsumed;
                    // The range runs to the end of the element, so a rerun starts after it.
                    elements.Add((Item(++number, bytes, start + from, to, limits), consumed, to));
                    consumed = to;
                }
                if (reader.TokenType != JsonTokenType.EndArray) throw new JsonException("the array is not closed");
                if (reader.Read()) throw new JsonException("trailing data after the array");
                if (elements.Count > 0) elements[^1] = elements[^1] with { End = bytes.Length };
                consumed = bytes.Length;
            }
            else throw new JsonException("a .json file holds one article object or an array of them");
        }
        catch (JsonException exception)
        {
            var at = start + reader.BytesConsumed;
            // The reader's messages end with its own position ("LineNumber: 0 | BytePositionInLine: 5."); the byte offset is given instead.
            var message = exception.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            var reason = cut < 0 ? message : "not valid JSON: " + message[..cut].TrimEnd('.');
            elements.Add((new BatchItem(elements.Count + 1, ReadOnlyMemory<byte>.Empty, $"json: {reason} (from byte {at}; not sent)"), consumed, bytes.Length));
        }
        return elements;
    }

    private static BatchItem Item(int number, ReadOnlyMemory<byte> bytes, long from, long to, BatchLimits limits) => to - from > limits.MaxItemBytes
        ? new BatchItem(number, ReadOnlyMemory<byte>.Empty, $"json: longer than {limits.MaxItemBytes:N0} bytes (not sent)")
        : new BatchItem(number, bytes.Slice((int)from, (int)(to - from)));
}
