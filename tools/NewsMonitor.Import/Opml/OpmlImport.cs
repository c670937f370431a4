using System.Text.Json;
using NewsMonitor.Import.Http;
using Spectre.Console;

namespace NewsMonitor.Import.Opml;

/// <summary>What the sources service did with one outline of an OPML file.</summary>
/// <param name="Url">The feed's address (<c>xmlUrl</c>).</param>
/// <param name="Name">Its title, if any.</param>
/// <param name="Status"><c>created</c>, <c>exists</c> or <c>invalid</c>.</param>
/// <param name="Reason">Why it is invalid (or what exists), if said.</param>
/// <param name="Id">The source's id (new or existing), if any.</param>
public sealed record OutlineOutcome(string? Url, string? Name, string Status, string? Reason, string? Id);

/// <summary>
/// Sends an OPML file of feeds to <c>POST /api/v1/sources/opml</c> (operators; the body is the OPML document as
/// application/xml) and prints what became of each outline.
/// </summary>
public static class OpmlImport
{
    /// <summary>The OPML endpoint, relative to the gateway.</summary>
    public const string OpmlPath = "api/v1/sources/opml";

    /// <summary>Imports <paramref name="path"/>; returns the exit code (0 all created or existing, 1 some invalid or the file refused, 3 gave up).</summary>
    public static async Task<int> RunAsync(string path, GatewayClient client, IAnsiConsole console, string? reportPath, CancellationToken cancellationToken)
    {
        var body = await File.ReadAllBytesAsync(path, cancellationToken);
        var outcome = await client.PostAsync(OpmlPath, body, "application/xml", cancellationToken);
        switch (outcome)
        {
            case SendOutcome.GaveUp up:
                console.Write(new Text($"gave up: {up.Reason}\n", new Style(Color.Red)));
                return 3;
            case SendOutcome.Refused refused:
                console.Write(new Text($"the gateway refused {Path.GetFileName(path)} ({refused.Status}): {refused.Reason}\n", new Style(Color.Red)));
                return 1;
        }
        var answered = (SendOutcome.Answered)outcome;
        IReadOnlyList<OutlineOutcome> outlines;
        try
        {
            outlines = Parse(answered.Body);
        }
        catch (FormatException exception)
        {
            console.Write(new Text($"gave up: unreadable answer from the gateway: {exception.Message}\n", new Style(Color.Red)));
            return 3;
        }
        var table = new Table().Title(Path.GetFileName(path)).AddColumns("status", "feed", "name", "reason or id");
        foreach (var outline in outlines)
        {
            var colour = outline.Status switch { "created" => Color.Green, "exists" => Color.Grey, _ => Color.Red };
            table.AddRow(new Text(outline.Status, new Style(colour)), new Text(outline.Url ?? ""), new Text(outline.Name ?? ""), new Text(outline.Reason ?? outline.Id ?? ""));
        }
        console.Write(table);
        var counts = outlines.GroupBy(outline => outline.Status).ToDictionary(group => group.Key, group => group.Count(), StringComparer.Ordinal);
        console.WriteLine($"{outlines.Count} outlines: {counts.GetValueOrDefault("created")} created, {counts.GetValueOrDefault("exists")} already there, {counts.GetValueOrDefault("invalid")} invalid");
        if (reportPath is not null)
            await File.WriteAllTextAsync(reportPath, JsonSerializer.Serialize(new { outlines, counts }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }), cancellationToken);
        return outlines.Any(outline => outline.Status is not ("created" or "exists")) ? 1 : 0;
    }

    /// <summary>
    /// The outlines of the endpoint's answer: an array, or an object holding one (<c>items</c>, <c>outlines</c> or
    /// <c>results</c>); each with <c>status</c> and, as given, <c>url</c>/<c>xmlUrl</c>, <c>name</c>/<c>title</c>,
    /// <c>reason</c>, <c>id</c>/<c>existingId</c>.
    /// </summary>
    /// <exception cref="FormatException">The answer holds no list of outlines.</exception>
    public static IReadOnlyList<OutlineOutcome> Parse(JsonElement answer)
    {
        var list = answer.ValueKind == JsonValueKind.Array ? answer
            : answer.ValueKind == JsonValueKind.Object && new[] { "items", "outlines", "results" }.Select(name => answer.TryGetProperty(name, out var value) ? value : default)
                .FirstOrDefault(value => value.ValueKind == JsonValueKind.Array) is { ValueKind: JsonValueKind.Array } found ? found
            : throw new FormatException("the answer holds no list of outlines");
        return list.EnumerateArray().Select(outline => new OutlineOutcome(
            Text(outline, "url", "xmlUrl"), Text(outline, "name", "title", "text"), Text(outline, "status", "outcome") ?? "(no status)",
            Text(outline, "reason", "error"), Text(outline, "id", "existingId", "sourceId"))).ToList();
    }

    private static string? Text(JsonElement element, params string[] names)
    {
        if (element.ValueKind != JsonValueKind.Object) return null;
        foreach (var name in names)
            if (element.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
                return value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
        return null;
    }
}
