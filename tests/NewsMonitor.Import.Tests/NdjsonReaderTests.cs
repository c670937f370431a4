using System.Text;
using NewsMonitor.Import.Articles;

namespace NewsMonitor.Import.Tests;

public sealed class NdjsonReaderTests
{
    private static async Task<List<LineBatch>> ReadAsync(string text, long offset = 0, int lines = 0, BatchLimits? limits = null) =>
        await ReadAsync(Encoding.UTF8.GetBytes(text), offset, lines, limits);

    private static async Task<List<LineBatch>> ReadAsync(byte[] bytes, long offset = 0, int lines = 0, BatchLimits? limits = null)
    {
        var batches = new List<LineBatch>();
        await foreach (var batch in NdjsonReader.ReadAsync(new MemoryStream(bytes), offset, lines, limits ?? new BatchLimits(2), TestContext.Current.CancellationToken))
            batches.Add(batch);
        return batches;
    }

    private static string Text(BatchItem item) => Encoding.UTF8.GetString(item.Json.Span);

    [Fact]
    public async Task Batches_cover_the_file_without_gaps_and_end_where_a_rerun_starts()
    {
        const string file = "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n{\"a\":4}\n{\"a\":5}";
        var batches = await ReadAsync(file);
        Assert.Equal([2, 2, 1], batches.Select(batch => batch.Items.Count));
        Assert.Equal(0, batches[0].StartOffset);
        for (var i = 1; i < batches.Count; i++) Assert.Equal(batches[i - 1].EndOffset, batches[i].StartOffset);
        Assert.Equal(Encoding.UTF8.GetByteCount(file), batches[^1].EndOffset);
        Assert.Equal(16, batches[0].EndOffset);
        Assert.Equal([2, 4, 5], batches.Select(batch => batch.EndPosition));
        Assert.Equal(["{\"a\":1}", "{\"a\":2}", "{\"a\":3}", "{\"a\":4}", "{\"a\":5}"], batches.SelectMany(batch => batch.Items).Select(Text));
        Assert.Equal([1, 2, 3, 4, 5], batches.SelectMany(batch => batch.Items).Select(item => item.Position));
    }

    [Fact]
    public async Task Reading_from_a_batch_end_gives_the_rest_with_the_right_line_numbers()
    {
        const string file = "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n{\"a\":4}\n{\"a\":5}\n";
        var all = await ReadAsync(file);
        var rest = await ReadAsync(file, all[0].EndOffset, all[0].EndPosition);
        Assert.Equal(all.Skip(1).Select(batch => (batch.StartOffset, batch.EndOffset, batch.EndPosition)), rest.Select(batch => (batch.StartOffset, batch.EndOffset, batch.EndPosition)));
        Assert.Equal([3, 4, 5], rest.SelectMany(batch => batch.Items).Select(item => item.Position));
        Assert.Empty(await ReadAsync(file, all[^1].EndOffset, all[^1].EndPosition));
    }

    [Fact]
    public async Task Blank_lines_are_skipped_like_the_endpoint_skips_them_but_counted_in_lines_and_ranges()
    {
        const string file = "\n{\"a\":1}\r\n  \t\r\n{\"a\":2}\n\n";
        var batches = await ReadAsync(file, limits: new BatchLimits(10));
        var batch = Assert.Single(batches);
        Assert.Equal([2, 4], batch.Items.Select(item => item.Position));
        Assert.Equal("{\"a\":1}\r", Text(batch.Items[0]));
        Assert.Equal(Encoding.UTF8.GetByteCount(file), batch.EndOffset);
        Assert.Equal(5, batch.EndPosition);
    }

    [Fact]
    public async Task Lines_that_are_not_json_are_sent_for_the_gateway_to_name_the_problem()
    {
        var batch = Assert.Single(await ReadAsync("not json at all\n{\"title\":\n", limits: new BatchLimits(10)));
        Assert.All(batch.Items, item => Assert.True(item.IsSent));
        Assert.Equal(2, batch.Sent.Count());
    }

    [Fact]
    public async Task A_line_that_is_not_utf8_or_too_long_is_refused_here_and_not_sent()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"a\":1}\n").Concat(new byte[] { (byte)'{', 0xC3, 0x28, (byte)'}', (byte)'\n' }).Concat(Encoding.UTF8.GetBytes(new string('x', 100) + "\n{\"a\":2}")).ToArray();
        var batch = Assert.Single(await ReadAsync(bytes, limits: new BatchLimits(10, MaxItemBytes: 50)));
        Assert.Equal([true, false, false, true], batch.Items.Select(item => item.IsSent));
        Assert.Contains("not UTF-8", batch.Items[1].LocalError, StringComparison.Ordinal);
        Assert.Contains("longer than 50 bytes", batch.Items[2].LocalError, StringComparison.Ordinal);
        Assert.Equal(4, batch.Items[3].Position);
    }

    [Fact]
    public async Task A_byte_order_mark_at_the_start_is_dropped()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("{\"a\":1}\n")).ToArray();
        var batch = Assert.Single(await ReadAsync(bytes));
        Assert.Equal("{\"a\":1}", Text(batch.Items[0]));
        Assert.Equal(bytes.Length, batch.EndOffset);
    }

    [Fact]
    public async Task A_batch_closes_before_it_would_pass_the_byte_limit()
    {
        var line = "{\"body\":\"" + new string('x', 40) + "\"}";
        var file = string.Join("\n", Enumerable.Repeat(line, 5));
        var batches = await ReadAsync(file, limits: new BatchLimits(100, MaxBytes: (line.Length + 1) * 2));
        Assert.Equal([2, 2, 1], batches.Select(batch => batch.Items.Count));
    }

    [Fact]
    public async Task Lines_longer_than_the_read_buffer_arrive_whole()
    {
        var line = "{\"body\":\"" + string.Concat(Enumerable.Repeat("خبر ", 40_000)) + "\"}";
        var batch = Assert.Single(await ReadAsync(line + "\n" + line + "\n"));
        Assert.Equal([line, line], batch.Items.Select(Text));
    }

    [Fact]
    public async Task An_empty_file_has_no_batches()
    {
        Assert.Empty(await ReadAsync(""));
        var blank = Assert.Single(await ReadAsync("\n\n"));
        Assert.Empty(blank.Items);
        Assert.Equal(2, blank.EndOffset);
    }
}
