namespace NewsMonitor.Text.Tests;

/// <summary>One row of tests/data/text-cases.tsv.</summary>
public sealed record TextCase(string Kind, string Input, string Expected, string Source)
{
    public override string ToString() => $"{Kind}: {Input}";
}

/// <summary>The table of text-core cases taken from real sentences (sample corpus, ANERcorp train).</summary>
public static class TextCases
{
    public static IReadOnlyList<TextCase> All { get; } = Load();

    public static TheoryData<TextCase> OfKind(string kind)
    {
        var data = new TheoryData<TextCase>();
        foreach (var row in All.Where(row => row.Kind == kind)) data.Add(row);
        return data;
    }

    private static List<TextCase> Load()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "NewsMonitor.sln"))) directory = directory.Parent;
        var path = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("NewsMonitor.sln not found"), "tests", "data", "text-cases.tsv");
        return File.ReadAllLines(path)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('\t'))
            .Select(columns => new TextCase(columns[0], columns[1], columns[2], columns[3]))
            .ToList();
    }
}
