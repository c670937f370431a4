using NewsMonitor.Import.Articles;

namespace NewsMonitor.Import.Tests;

public sealed class CheckpointTests
{
    private static LineBatch Batch(long start, long end, int position) => new(start, end, [], position);

    [Fact]
    public void Progress_advances_per_answered_batch_and_survives_a_round_trip()
    {
        var checkpoint = new Checkpoint();
        checkpoint.Advance("a.ndjson", 300, Batch(0, 100, 10), 8, 1, 1);
        checkpoint.Advance("a.ndjson", 300, Batch(100, 200, 20), 10, 0, 0);
        var read = Checkpoint.FromJson(checkpoint.ToJson());
        Assert.Equal(new FileProgress(200, 20, 300, 18, 1, 1), read.Files["a.ndjson"]);
        Assert.Equal(200, read.StartOf("a.ndjson", 300).Offset);
    }

    [Fact]
    public void A_file_not_seen_or_now_shorter_than_its_offset_starts_from_the_beginning()
    {
        var checkpoint = new Checkpoint();
        checkpoint.Advance("a.ndjson", 300, Batch(0, 250, 25), 25, 0, 0);
        Assert.Equal(0, checkpoint.StartOf("b.ndjson", 10).Offset);
        Assert.Equal(0, checkpoint.StartOf("a.ndjson", 100).Offset);
        // A file that grew (appended to) goes on from where it was.
        Assert.Equal(250, checkpoint.StartOf("a.ndjson", 400).Offset);
    }

    [Fact]
    public async Task Saving_replaces_the_file_whole_and_loading_a_missing_file_gives_an_empty_checkpoint()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nm-checkpoint-{Guid.NewGuid():N}.json");
        try
        {
            Assert.Empty((await Checkpoint.LoadAsync(path, TestContext.Current.CancellationToken)).Files);
            var checkpoint = new Checkpoint();
            checkpoint.Advance("x/y.jsonl", 10, Batch(0, 10, 1), 1, 0, 0);
            await checkpoint.SaveAsync(path, TestContext.Current.CancellationToken);
            checkpoint.Advance("x/y.jsonl", 20, Batch(10, 20, 2), 1, 0, 0);
            await checkpoint.SaveAsync(path, TestContext.Current.CancellationToken);
            Assert.False(File.Exists(path + ".tmp"));
            Assert.Equal(20, (await Checkpoint.LoadAsync(path, TestContext.Current.CancellationToken)).Files["x/y.jsonl"].Offset);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_default_checkpoint_sits_next_to_the_input()
    {
        Assert.Equal(Path.GetFullPath("data/articles.ndjson") + ".import-checkpoint.json", Checkpoint.DefaultPathFor("data/articles.ndjson"));
        Assert.Equal(Path.GetFullPath("data/batch") + ".import-checkpoint.json", Checkpoint.DefaultPathFor("data/batch/"));
    }

    [Fact]
    public void A_checkpoint_that_is_not_json_is_an_error_not_a_fresh_start()
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => Checkpoint.FromJson("{ not json"));
    }
}
