using System.Text;

namespace NewsMonitor.Evaluation;

/// <summary>
/// The topic datasets and their one-to-one mapping onto NewsMonitor's taxonomy (docs/topics.md): every label of a
/// dataset names a distinct taxonomy label, so predictions map back and each evaluation is scored in the
/// dataset's own label set.
/// </summary>
internal static class TopicData
{
    public static readonly IReadOnlyDictionary<string, string> Asnd = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["politics"] = "politics",
        ["crime-war-conflict"] = "conflict",
        ["business-and-economy"] = "economy",
        ["science-and-technology"] = "technology",
        ["health"] = "health",
        ["sports"] = "sports",
        ["art-and-entertainment"] = "culture",
        ["spiritual"] = "religion",
        ["environment"] = "environment",
        ["education"] = "education",
        ["human-rights-press-freedom"] = "human-rights",
        ["others"] = "other",
    };

    public static readonly IReadOnlyDictionary<string, string> Sib200 = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["politics"] = "politics",
        ["science/technology"] = "technology",
        ["health"] = "health",
        ["sports"] = "sports",
        ["entertainment"] = "culture",
        ["travel"] = "travel",
        ["geography"] = "geography",
    };

    public static IReadOnlyDictionary<string, string> Mapping(string format) => format switch
    {
        "asnd" => Asnd,
        "sib200" => Sib200,
        _ => throw new ArgumentException($"unknown format {format}: asnd or sib200"),
    };

    /// <summary>(text, dataset label) rows of a file in the given format.</summary>
    public static List<(string Text, string Label)> Read(string path, string format)
    {
        var rows = Delimited.Read(path, format == "asnd" ? ',' : '\t');
        var header = rows[0];
        var (textColumn, labelColumn) = format == "asnd"
            ? (Array.IndexOf(header, "Content"), Array.IndexOf(header, "Class"))
            : (Array.IndexOf(header, "text"), Array.IndexOf(header, "category"));
        if (textColumn < 0 || labelColumn < 0) throw new InvalidDataException($"{path}: no text or label column in the header");
        return rows.Skip(1).Where(row => row.Length > Math.Max(textColumn, labelColumn)).Select(row => (row[textColumn], row[labelColumn].Trim())).ToList();
    }
}

/// <summary>RFC 4180 reading: quoted fields may hold the delimiter, newlines and doubled quotes.</summary>
internal static class Delimited
{
    public static List<string[]> Read(string path, char delimiter)
    {
        var text = File.ReadAllText(path, Encoding.UTF8);
        var rows = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
                continue;
            }
            if (c == '"' && field.Length == 0) quoted = true;
            else if (c == delimiter) { fields.Add(field.ToString()); field.Clear(); }
            else if (c == '\n')
            {
                fields.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                if (fields.Count > 1 || fields[0].Length > 0) rows.Add([.. fields]);
                fields.Clear();
            }
            else field.Append(c);
        }
        if (field.Length > 0 || fields.Count > 0) { fields.Add(field.ToString()); rows.Add([.. fields]); }
        return rows;
    }
}
