using System.Text;
using System.Text.Json;
using NewsMonitor.Import.Articles;

namespace NewsMonitor.Import.Tests;

public sealed class JsonFileReaderTests
{
    private static List<LineBatch> Read(string text, long offset = 0, int batch = 2) =>
        JsonFileReader.Read(Encoding.UTF8.GetBytes(text), offset, new BatchLimits(batch)).ToList();

    [Fact]
    public void A_single_object_is_one_item_covering_the_file()
    {
        const string file = "{\n  \"title\": \"t\",\n  \"body\": \"b\"\n}\n";
        var batch = Assert.Single(Read(file));
        var item = Assert.Single(batch.Items);
        Assert.Equal("t", JsonDocument.Parse(item.Json).RootElement.GetProperty("title").GetString());
        Assert.Equal(Encoding.UTF8.GetByteCount(file), batch.EndOffset);
    }

    [Fact]
    public void An_array_is_split_into_its_elements_as_written_and_resumes_after_an_element()
    {
        const string file = "[\n {\"title\": \"1\"},\n {\"title\": \"2\"},\n {\"title\": \"3\"}\n]";
        var batches = Read(file);
        Assert.Equal([2, 1], batches.Select(batch => batch.Items.Count));
        Assert.Equal(["1", "2", "3"], batches.SelectMany(batch => batch.Items).Select(item => JsonDocument.Parse(item.Json).RootElement.GetProperty("title").GetString()));
        Assert.Equal(Encoding.UTF8.GetByteCount(file), batches[^1].EndOffset);
        var rest = Read(file, batches[0].EndOffset);
        var item = Assert.Single(Assert.Single(rest).Items);
        Assert.Equal(3, item.Position);
        Assert.Empty(Read(file, batches[^1].EndOffset));
    }

    [Fact]
    public void A_broken_file_is_one_rejected_item_from_where_it_breaks()
    {
        var batch = Assert.Single(Read("[{\"title\": \"1\"}, {\"title\": ", batch: 10));
        Assert.Equal(2, batch.Items.Count);
        Assert.True(batch.Items[0].IsSent);
        Assert.False(batch.Items[1].IsSent);
        Assert.StartsWith("json: ", batch.Items[1].LocalError, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_neither_object_nor_array_is_refused()
    {
        var item = Assert.Single(Assert.Single(Read("\"just a string\"")).Items);
        Assert.Contains("one article object or an array", item.LocalError, StringComparison.Ordinal);
    }
}
