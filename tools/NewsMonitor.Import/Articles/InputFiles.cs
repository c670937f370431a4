namespace NewsMonitor.Import.Articles;

/// <summary>How a file's articles are laid out.</summary>
public enum InputFormat
{
    /// <summary>One JSON document a line (.ndjson, .jsonl, or any file given by name that is not .json or .opml).</summary>
    Ndjson,

    /// <summary>One article object, or an array of them (.json).</summary>
    Json,
}

/// <summary>One file to import: its path, its name in the checkpoint and the summary, its format.</summary>
/// <param name="Path">Full path.</param>
/// <param name="Name">Path relative to the input (the file's own name when the input is a file).</param>
/// <param name="Format">Layout.</param>
public sealed record InputFile(string Path, string Name, InputFormat Format);

/// <summary>The files an input names.</summary>
public static class InputFiles
{
    /// <summary>Whether <paramref name="path"/> is an OPML file of feeds (by extension: .opml).</summary>
    public static bool IsOpml(string path) => File.Exists(path) && path.EndsWith(".opml", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A file as itself; a folder as its .ndjson, .jsonl and .json files, in subfolders too, in ordinal order of their
    /// relative paths (so reruns meet them in the same order). Checkpoint files are left out.
    /// </summary>
    public static IReadOnlyList<InputFile> Of(string input)
    {
        if (File.Exists(input)) return [new InputFile(Path.GetFullPath(input), Path.GetFileName(input), FormatOf(input))];
        var root = Path.GetFullPath(input);
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(file => file.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)
                || (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !file.EndsWith(".import-checkpoint.json", StringComparison.OrdinalIgnoreCase)))
            .Select(file => new InputFile(file, Path.GetRelativePath(root, file).Replace('\\', '/'), FormatOf(file)))
            .OrderBy(file => file.Name, StringComparer.Ordinal)
            .ToList();
    }

    private static InputFormat FormatOf(string path) => path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? InputFormat.Json : InputFormat.Ndjson;
}
