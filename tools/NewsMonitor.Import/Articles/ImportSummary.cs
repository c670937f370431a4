using System.Text.Json;
using System.Text.RegularExpressions;

namespace NewsMonitor.Import.Articles;

/// <summary>A reason items were rejected, how many, and where the first one was.</summary>
/// <param name="Reason">The reason, without the positions that differ item by item.</param>
/// <param name="Count">Items rejected for it.</param>
/// <param name="FirstAt">Where the first was: <c>file:line</c> (or <c>file#element</c> for a .json array).</param>
public sealed record RejectionReason(string Reason, long Count, string FirstAt);

/// <summary>
/// What one import run did: outcomes counted from the batch endpoint's per-item answers (api.md, <c>POST
/// /api/v1/articles/batch</c>: <c>accepted</c>, <c>duplicate</c>, <c>invalid</c> with the item's errors) plus items refused
/// before sending, and the rejection reasons grouped. Pure: fed answers, no I/O.
/// </summary>
public sealed partial class ImportSummary
{
    private readonly Dictionary<string, (long Count, string FirstAt)> _reasons = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _other = new(StringComparer.Ordinal);

    /// <summary>Articles stored by this run.</summary>
    public long Accepted { get; private set; }

    /// <summary>Articles the system already had (same canonical URL or text).</summary>
    public long Duplicates { get; private set; }

    /// <summary>Items not stored: refused by the gateway or before sending.</summary>
    public long Rejected { get; private set; }

    /// <summary>Answers with a status this tool does not know (a newer server), by status.</summary>
    public IReadOnlyDictionary<string, long> Other => _other;

    /// <summary>Items counted, whatever their outcome.</summary>
    public long Items => Accepted + Duplicates + Rejected + _other.Values.Sum();

    /// <summary>Bytes of input the run covered (sent or refused), and bytes skipped because an earlier run had done them.</summary>
    public long Bytes { get; set; }

    /// <summary>Bytes an earlier run had imported (from the checkpoint).</summary>
    public long SkippedBytes { get; set; }

    /// <summary>Files read.</summary>
    public int Files { get; set; }

    /// <summary>Adds the gateway's answer to <paramref name="sent"/> (the items sent, in order); returns accepted, duplicates and rejected of it.</summary>
    /// <exception cref="FormatException">The answer is not the batch endpoint's.</exception>
    public (long Accepted, long Duplicates, long Rejected) AddAnswer(string file, IReadOnlyList<BatchItem> sent, JsonElement answer)
    {
        if (answer.ValueKind != JsonValueKind.Object || !answer.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
            throw new FormatException("The gateway's answer has no \"items\" array.");
        // Check the whole answer first, so one that does not account for every item changes nothing.
        var answered = new JsonElement?[sent.Count];
        var position = 0;
        foreach (var item in items.EnumerateArray())
        {
            var index = item.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : position;
            position++;
            if (index < 0 || index >= sent.Count || answered[index] is not null) throw new FormatException($"The gateway's answer names item {index} of {sent.Count} (or twice).");
            answered[index] = item;
        }
        if (position != sent.Count) throw new FormatException($"The gateway answered {position} of {sent.Count} items.");

        long accepted = 0, duplicates = 0, rejected = 0;
        for (var index = 0; index < sent.Count; index++)
        {
            var item = answered[index]!.Value;
            var status = item.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "";
            switch (status)
            {
                case "accepted": accepted++; break;
                case "duplicate": duplicates++; break;
                case "invalid" or "rejected":
                    rejected++;
                    Reject(file, sent[index], ReasonsOf(item));
                    break;
                default:
                    var key = status.Length == 0 ? "(no status)" : status;
                    _other[key] = _other.GetValueOrDefault(key) + 1;
                    break;
            }
        }
        Accepted += accepted;
        Duplicates += duplicates;
        Rejected += rejected;
        return (accepted, duplicates, rejected);
    }

    /// <summary>Counts <paramref name="item"/> as rejected for <paramref name="reason"/> (refused before sending, or its whole request refused).</summary>
    public void AddRejected(string file, BatchItem item, string reason)
    {
        Rejected++;
        Reject(file, item, [reason]);
    }

    /// <summary>The reasons, most frequent first (ties by reason), at most <paramref name="count"/>.</summary>
    public IReadOnlyList<RejectionReason> TopReasons(int count = 10) => _reasons
        .OrderByDescending(reason => reason.Value.Count).ThenBy(reason => reason.Key, StringComparer.Ordinal).Take(count)
        .Select(reason => new RejectionReason(reason.Key, reason.Value.Count, reason.Value.FirstAt)).ToList();

    /// <summary>How many distinct reasons there were.</summary>
    public int ReasonCount => _reasons.Count;

    private void Reject(string file, BatchItem item, IEnumerable<string> reasons)
    {
        // An item with several errors counts once under each: the table says what to fix, not how many items.
        foreach (var reason in reasons.Select(Normalise).Distinct(StringComparer.Ordinal))
        {
            var at = $"{file}:{item.Position}";
            _reasons[reason] = _reasons.TryGetValue(reason, out var seen) ? (seen.Count + 1, seen.FirstAt) : (1, at);
        }
    }

    /// <summary>The item's errors as <c>field: message</c>, one per message (the endpoint's <c>errors</c>: field → messages).</summary>
    private static List<string> ReasonsOf(JsonElement item)
    {
        var reasons = new List<string>();
        if (item.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            foreach (var field in errors.EnumerateObject())
            {
                if (field.Value.ValueKind == JsonValueKind.Array)
                    reasons.AddRange(field.Value.EnumerateArray().Select(message => $"{field.Name}: {message}"));
                else reasons.Add($"{field.Name}: {field.Value}");
            }
        if (reasons.Count == 0) reasons.Add("rejected without a reason given");
        return reasons;
    }

    /// <summary>A reason without what differs between items of the same kind: the position the gateway names in a broken line.</summary>
    public static string Normalise(string reason) => Position().Replace(reason, "").Trim();

    [GeneratedRegex(@"\s*\(line \d+, byte \d+[^)]*\)")]
    private static partial Regex Position();
}
