using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Unicode;

namespace NewsMonitor.Import.Articles;

/// <summary>
/// Splits NDJSON (one JSON document a line) into batches with the byte range each covers, reading from a checkpoint's
/// offset. Lines are sent as they are: the gateway names what is wrong with one that is not an article. Blank lines are
/// skipped as the batch endpoint skips them (only spaces, tabs and CR), so the answer's item indexes match the items sent.
/// Refused here, without sending: a line that is not UTF-8 (the gateway would refuse the whole request) and a line
/// longer than <see cref="BatchLimits.MaxItemBytes"/>.
/// </summary>
public static class NdjsonReader
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>The batches of <paramref name="stream"/> from <paramref name="offset"/> (line <paramref name="lines"/> + 1 starts there).</summary>
    public static async IAsyncEnumerable<LineBatch> ReadAsync(Stream stream, long offset, int lines, BatchLimits limits,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (offset > 0) stream.Seek(offset, SeekOrigin.Begin);
        var builder = new BatchBuilder(limits, offset, lines);
        var buffer = new byte[64 * 1024];
        var line = new ArrayBufferWriter<byte>();
        var tooLong = false;
        var lineStart = offset;
        var position = offset;
        var number = lines;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var chunk = buffer.AsMemory(0, read);
            while (chunk.Length > 0)
            {
                var newline = chunk.Span.IndexOf((byte)'\n');
                var part = newline < 0 ? chunk : chunk[..newline];
                if (!tooLong)
                {
                    if (line.WrittenCount + part.Length > limits.MaxItemBytes) tooLong = true;
                    else line.Write(part.Span);
                }
                position += part.Length;
                if (newline < 0) break;
                position++;
                chunk = chunk[(newline + 1)..];
                var closed = builder.Add(ItemOf(line.WrittenSpan, lineStart, ++number, tooLong, limits), number, lineStart, position);
                if (closed is not null) yield return closed;
                line.ResetWrittenCount();
                tooLong = false;
                lineStart = position;
            }
        }
        if (position > lineStart)
        {
            // The last line has no newline.
            var closed = builder.Add(ItemOf(line.WrittenSpan, lineStart, ++number, tooLong, limits), number, lineStart, position);
            if (closed is not null) yield return closed;
        }
        if (builder.Finish(position) is { } last) yield return last;
    }

    /// <summary>The item a line makes, or null for a blank line.</summary>
    private static BatchItem? ItemOf(ReadOnlySpan<byte> line, long lineStart, int number, bool tooLong, BatchLimits limits)
    {
        if (tooLong) return new BatchItem(number, ReadOnlyMemory<byte>.Empty, $"line: longer than {limits.MaxItemBytes:N0} bytes (not sent)");
        if (lineStart == 0 && line.StartsWith(Bom)) line = line[Bom.Length..];
        if (IsBlank(line)) return null;
        if (!Utf8.IsValid(line)) return new BatchItem(number, ReadOnlyMemory<byte>.Empty, "line: not UTF-8 text (not sent)");
        return new BatchItem(number, line.ToArray());
    }

    /// <summary>Whether a line is blank as the batch endpoint sees it: only spaces, tabs and CR.</summary>
    public static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line) if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        return true;
    }
}
