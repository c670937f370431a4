namespace NewsMonitor.Load;

/// <summary>
/// The harness owns one section of docs/benchmarks.md per run label, between two HTML comments; each run replaces its
/// own section and leaves everything else (the hand-written findings included) as it was. Pure.
/// </summary>
public static class MarkdownSection
{
    /// <summary>The opening marker of <paramref name="label"/>'s section.</summary>
    public static string Begin(string label) => $"<!-- load-harness:{label}:begin (written by tests/benchmarks/NewsMonitor.Load; replaced on each run) -->";

    /// <summary>The closing marker of <paramref name="label"/>'s section.</summary>
    public static string End(string label) => $"<!-- load-harness:{label}:end -->";

    /// <summary>
    /// <paramref name="document"/> with <paramref name="label"/>'s section holding <paramref name="content"/>: replaced
    /// where it is, or appended at the end of the part under <paramref name="heading"/> (a second-level heading, added at the end of the document when missing).
    /// </summary>
    public static string Replace(string document, string label, string content, string heading)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(content);
        var begin = Begin(label);
        var end = End(label);
        var block = begin + "\n" + content.TrimEnd('\n') + "\n" + end;
        var start = document.IndexOf(begin, StringComparison.Ordinal);
        if (start >= 0)
        {
            var stop = document.IndexOf(end, start, StringComparison.Ordinal);
            if (stop < 0) throw new InvalidOperationException($"The section {label} has its opening marker but not its closing one.");
            return document[..start] + block + document[(stop + end.Length)..];
        }
        var at = document.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        if (at < 0) return document.TrimEnd('\n') + "\n\n" + heading + "\n\n" + block + "\n";
        // At the end of the heading's part: before the next second-level heading, or at the end of the document.
        var next = document.IndexOf("\n## ", at + heading.Length + 1, StringComparison.Ordinal);
        if (next < 0) return document.TrimEnd('\n') + "\n\n" + block + "\n";
        return document[..next].TrimEnd('\n') + "\n\n" + block + "\n" + document[next..];
    }
}
