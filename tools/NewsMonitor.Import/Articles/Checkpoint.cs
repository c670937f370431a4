using System.Text.Json;
using System.Text.Json.Serialization;

namespace NewsMonitor.Import.Articles;

/// <summary>How far one input file has been imported: every byte before <see cref="Offset"/> was in a batch the gateway answered.</summary>
/// <param name="Offset">First byte not yet answered for.</param>
/// <param name="Lines">Lines (or array elements) before <see cref="Offset"/>, so line numbers stay right after a resume.</param>
/// <param name="Size">The file's size when the offset was recorded; a file now shorter than the offset was replaced and starts again.</param>
/// <param name="Accepted">Articles accepted so far, over every run.</param>
/// <param name="Duplicates">Duplicates so far.</param>
/// <param name="Rejected">Items rejected so far.</param>
public sealed record FileProgress(long Offset, int Lines, long Size, long Accepted = 0, long Duplicates = 0, long Rejected = 0);

/// <summary>
/// The resume point of an import: per input file (by its path relative to the input), the byte offset after the last
/// batch the gateway fully answered. Written after every answered batch (to a temporary file, then renamed, so a crash
/// leaves the previous checkpoint whole); a rerun skips what it records.
/// </summary>
public sealed class Checkpoint
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>Progress by file.</summary>
    public Dictionary<string, FileProgress> Files { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The checkpoint's file next to <paramref name="input"/> (a file or a folder): <c>&lt;input&gt;.import-checkpoint.json</c>.</summary>
    public static string DefaultPathFor(string input) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(input)) + ".import-checkpoint.json";

    /// <summary>Where to start <paramref name="file"/> (of <paramref name="size"/> bytes): its recorded progress, or the beginning when there is none or the file shrank.</summary>
    public FileProgress StartOf(string file, long size) =>
        Files.TryGetValue(file, out var progress) && progress.Offset <= size ? progress : new FileProgress(0, 0, size);

    /// <summary>Records that <paramref name="file"/> has been answered up to the end of <paramref name="batch"/>, with its outcome counts.</summary>
    public void Advance(string file, long size, LineBatch batch, long accepted, long duplicates, long rejected)
    {
        var before = Files.TryGetValue(file, out var progress) && progress.Offset <= batch.StartOffset ? progress : new FileProgress(0, 0, size);
        Files[file] = new FileProgress(batch.EndOffset, batch.EndPosition, size,
            before.Accepted + accepted, before.Duplicates + duplicates, before.Rejected + rejected);
    }

    /// <summary>The checkpoint as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A checkpoint from its JSON; throws <see cref="JsonException"/> when it is not one.</summary>
    public static Checkpoint FromJson(string json) =>
        JsonSerializer.Deserialize<Checkpoint>(json, Json) is { } read
            ? new Checkpoint { Files = new Dictionary<string, FileProgress>(read.Files, StringComparer.Ordinal) }
            : throw new JsonException("The checkpoint is null.");

    /// <summary>Reads the checkpoint at <paramref name="path"/>, or an empty one when there is no file.</summary>
    public static async Task<Checkpoint> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) return new Checkpoint();
        return FromJson(await File.ReadAllTextAsync(path, cancellationToken));
    }

    /// <summary>Writes the checkpoint to <paramref name="path"/> whole: a temporary file renamed over the old one.</summary>
    public async Task SaveAsync(string path, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, ToJson(), cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }
}
