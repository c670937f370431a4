using System.Text.Json;
using NewsMonitor.Import.Articles;

namespace NewsMonitor.Import.Tests;

public sealed class ImportSummaryTests
{
    private static List<BatchItem> Items(params int[] lines) => lines.Select(line => new BatchItem(line, "{}"u8.ToArray())).ToList();

    [Fact]
    public void Per_item_answers_are_counted_and_reasons_grouped_with_where_they_first_occurred()
    {
        var summary = new ImportSummary();
        var answer = JsonDocument.Parse("""
            {"items": [
              {"index": 0, "id": "6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11", "status": "accepted"},
              {"index": 1, "id": "6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a12", "status": "duplicate"},
              {"index": 2, "status": "invalid", "errors": {"body": ["The body is not valid JSON for this request: 'n' is an invalid start (line 1, byte 2)."]}},
              {"index": 3, "status": "invalid", "errors": {"title": ["A title is required."], "body": ["A body is required."]}},
              {"index": 4, "status": "invalid", "errors": {"body": ["The body is not valid JSON for this request: 'n' is an invalid start (line 1, byte 7)."]}},
              {"index": 5, "status": "nearDuplicate"}
            ], "accepted": 1, "duplicates": 1, "invalid": 3}
            """).RootElement;
        var counts = summary.AddAnswer("a.ndjson", Items(10, 11, 12, 13, 14, 15), answer);
        summary.AddRejected("a.ndjson", new BatchItem(16, ReadOnlyMemory<byte>.Empty, "line: not UTF-8 text (not sent)"), "line: not UTF-8 text (not sent)");

        Assert.Equal((1, 1, 3), counts);
        Assert.Equal((1, 1, 4), (summary.Accepted, summary.Duplicates, summary.Rejected));
        Assert.Equal(1, summary.Other["nearDuplicate"]);
        Assert.Equal(7, summary.Items);
        var top = summary.TopReasons();
        Assert.Equal(new RejectionReason("body: The body is not valid JSON for this request: 'n' is an invalid start.", 2, "a.ndjson:12"), top[0]);
        Assert.Equal(4, summary.ReasonCount);
        Assert.Contains(new RejectionReason("title: A title is required.", 1, "a.ndjson:13"), top);
        Assert.Single(summary.TopReasons(1));
    }

    [Fact]
    public void Items_are_matched_by_index_not_by_order()
    {
        var summary = new ImportSummary();
        var answer = JsonDocument.Parse("""{"items": [{"index": 1, "status": "invalid", "errors": {"url": ["bad"]}}, {"index": 0, "status": "accepted"}]}""").RootElement;
        summary.AddAnswer("f.json", Items(1, 2), answer);
        Assert.Equal("f.json:2", Assert.Single(summary.TopReasons()).FirstAt);
    }

    [Theory]
    [InlineData("""{"accepted": 1}""")]
    [InlineData("""{"items": [{"index": 0, "status": "accepted"}]}""")]
    [InlineData("""{"items": [{"index": 0, "status": "accepted"}, {"index": 0, "status": "accepted"}]}""")]
    [InlineData("""{"items": [{"index": 0, "status": "accepted"}, {"index": 7, "status": "accepted"}]}""")]
    public void An_answer_that_does_not_account_for_every_item_sent_is_not_taken(string json)
    {
        var summary = new ImportSummary();
        Assert.Throws<FormatException>(() => summary.AddAnswer("f", Items(1, 2), JsonDocument.Parse(json).RootElement));
        Assert.Equal(0, summary.Items);
    }
}
