using System.Buffers;
using NewsMonitor.Import.Http;
using Spectre.Console;

namespace NewsMonitor.Import.Articles;

/// <summary>How an import run ended.</summary>
/// <param name="Summary">What it did.</param>
/// <param name="GaveUp">Why it stopped before the end (unreachable gateway, refused key, repeated server errors), or null.</param>
/// <param name="Interrupted">Stopped by a signal, after the batch in flight was answered and recorded.</param>
/// <param name="LimitReached">Stopped at <c>--limit</c>.</param>
public sealed record ImportResult(ImportSummary Summary, string? GaveUp, bool Interrupted, bool LimitReached)
{
    /// <summary>The process's exit code (README, "Import tool"): 3 gave up, 130 interrupted, 1 some items rejected, else 0.</summary>
    public int ExitCode => GaveUp is not null ? 3 : Interrupted ? 130 : Summary.Rejected > 0 ? 1 : 0;
}

/// <summary>
/// Imports article files through <c>POST /api/v1/articles/batch</c>, one batch at a time, recording after each answered
/// batch where a rerun starts (<see cref="Checkpoint"/>), with a progress bar over the bytes of the input.
/// </summary>
public sealed class ArticleImport(ImportOptions options, GatewayClient client, IAnsiConsole console)
{
    /// <summary>The batch endpoint, relative to the gateway.</summary>
    public const string BatchPath = "api/v1/articles/batch";

    private readonly ImportSummary _summary = new();
    private Action<string> _showWaiting = _ => { };

    /// <summary>Called with the reason and length of each wait (429, retries), to show it while it lasts.</summary>
    public void Waiting(string reason, TimeSpan wait) => _showWaiting($"waiting {wait.TotalSeconds:0.#} s: {reason}");

    /// <summary>
    /// Runs the import. <paramref name="stop"/> asks it to stop after the batch in flight (Ctrl+C); <paramref name="abort"/>
    /// cancels that batch too (a second Ctrl+C), leaving the checkpoint at the batch before.
    /// </summary>
    public async Task<ImportResult> RunAsync(CancellationToken stop, CancellationToken abort)
    {
        var files = InputFiles.Of(options.Input);
        var checkpoint = options.Restart ? new Checkpoint() : await Checkpoint.LoadAsync(options.CheckpointPath, abort);
        var limits = new BatchLimits(options.Batch);
        var sizes = files.ToDictionary(file => file.Name, file => new FileInfo(file.Path).Length);
        var total = files.Sum(file => sizes[file.Name] - checkpoint.StartOf(file.Name, sizes[file.Name]).Offset);
        _summary.Files = files.Count;
        string? gaveUp = null;
        var limitReached = false;
        long items = 0;

        async Task<bool> ImportFileAsync(InputFile file, Action<long, string> advanced)
        {
            var size = sizes[file.Name];
            var start = checkpoint.StartOf(file.Name, size);
            _summary.SkippedBytes += start.Offset;
            await using var stream = file.Format == InputFormat.Ndjson ? File.OpenRead(file.Path) : null;
            var batches = stream is null
                ? JsonFileReader.Read(await File.ReadAllBytesAsync(file.Path, abort), start.Offset, limits).ToAsyncEnumerable()
                : NdjsonReader.ReadAsync(stream, start.Offset, start.Lines, limits, abort);
            await foreach (var batch in batches.WithCancellation(abort))
            {
                if (stop.IsCancellationRequested) return false;
                var outcome = await SendAsync(file, batch, abort);
                if (outcome is SendOutcome.GaveUp up)
                {
                    gaveUp = up.Reason;
                    return false;
                }
                var (accepted, duplicates, rejected) = Count(file, batch, outcome);
                checkpoint.Advance(file.Name, size, batch, accepted, duplicates, rejected);
                await checkpoint.SaveAsync(options.CheckpointPath, abort);
                _summary.Bytes += batch.Bytes;
                items += batch.Items.Count;
                advanced(batch.Bytes, file.Name);
                if (options.Limit is { } limit && items >= limit)
                {
                    limitReached = true;
                    return false;
                }
            }
            return true;
        }

        try
        {
            if (console.Profile.Capabilities.Interactive)
            {
                await console.Progress().AutoClear(false).HideCompleted(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                        new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask("importing", maxValue: Math.Max(1, total));
                        var current = "";
                        // The wait shows on the bar until the batch is answered and the line is redrawn.
                        _showWaiting = waiting => task.Description = $"{Describe(current)} [yellow]{Markup.Escape(waiting)}[/]";
                        foreach (var file in files)
                        {
                            current = file.Name;
                            task.Description = Describe(file.Name);
                            var go = await ImportFileAsync(file, (bytes, name) =>
                            {
                                task.Increment(bytes);
                                task.Description = Describe(name);
                            });
                            if (!go) break;
                        }
                        if (gaveUp is null && !stop.IsCancellationRequested && !limitReached) task.Value = task.MaxValue;
                        task.StopTask();
                    });
            }
            else
            {
                // Not a terminal (a log, a pipe): a line per tenth of the input and per wait instead of a redrawn bar.
                _showWaiting = waiting => console.WriteLine(waiting);
                long done = 0, reported = 0;
                foreach (var file in files)
                {
                    var go = await ImportFileAsync(file, (bytes, name) =>
                    {
                        done += bytes;
                        if (total > 0 && (done - reported) * 10 >= total)
                        {
                            reported = done;
                            console.WriteLine($"{done * 100 / total,3}%  {name}: {_summary.Accepted} accepted, {_summary.Duplicates} duplicates, {_summary.Rejected} rejected");
                        }
                    });
                    if (!go) break;
                }
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            return new ImportResult(_summary, null, true, false);
        }
        return new ImportResult(_summary, gaveUp, stop.IsCancellationRequested && gaveUp is null && !limitReached, limitReached);
    }

    private string Describe(string file) =>
        $"{Markup.Escape(file)} [green]{_summary.Accepted:N0}[/] accepted, {_summary.Duplicates:N0} dup, [red]{_summary.Rejected:N0}[/] rejected";

    private async Task<SendOutcome?> SendAsync(InputFile file, LineBatch batch, CancellationToken abort)
    {
        var sent = batch.Sent.ToList();
        if (sent.Count == 0) return null;
        var body = new ArrayBufferWriter<byte>();
        if (file.Format == InputFormat.Json)
        {
            // A .json file's elements go as a JSON array: an element may span lines.
            body.Write("["u8);
            for (var i = 0; i < sent.Count; i++)
            {
                if (i > 0) body.Write(","u8);
                body.Write(sent[i].Json.Span);
            }
            body.Write("]"u8);
        }
        else
        {
            foreach (var item in sent)
            {
                body.Write(item.Json.Span);
                body.Write("\n"u8);
            }
        }
        return await client.PostAsync(BatchPath, body.WrittenMemory, file.Format == InputFormat.Json ? "application/json" : "application/x-ndjson", abort);
    }

    /// <summary>Counts a batch's outcome: items refused here, and the gateway's answer for the rest.</summary>
    private (long Accepted, long Duplicates, long Rejected) Count(InputFile file, LineBatch batch, SendOutcome? outcome)
    {
        long locallyRejected = 0;
        foreach (var item in batch.Items.Where(item => !item.IsSent))
        {
            _summary.AddRejected(file.Name, item, item.LocalError!);
            locallyRejected++;
        }
        var sent = batch.Sent.ToList();
        switch (outcome)
        {
            case SendOutcome.Answered answered:
                try
                {
                    var (accepted, duplicates, rejected) = _summary.AddAnswer(file.Name, sent, answered.Body);
                    return (accepted, duplicates, rejected + locallyRejected);
                }
                catch (FormatException exception)
                {
                    foreach (var item in sent) _summary.AddRejected(file.Name, item, $"unreadable answer from the gateway: {exception.Message}");
                    return (0, 0, sent.Count + locallyRejected);
                }
            case SendOutcome.Refused refused:
                // The whole request was refused (too large, not UTF-8): every item of it is rejected for that reason.
                foreach (var item in sent) _summary.AddRejected(file.Name, item, $"request refused ({refused.Status}): {refused.Reason}");
                return (0, 0, sent.Count + locallyRejected);
            default:
                return (0, 0, locallyRejected);
        }
    }
}
