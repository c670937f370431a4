using System.Text.RegularExpressions;

namespace NewsMonitor.Gateway.Health;

/// <summary>A work queue's error queue and how many messages wait there (<c>GET /api/v1/ops/status</c>).</summary>
public sealed record ErrorQueueCount(string Queue, string ErrorQueue, long Messages);

/// <summary>
/// The names and headers of MassTransit's error queues, pure: which queue an operator may replay, and what a message
/// parked there carries that its original did not. MassTransit moves a message that failed all its retries from queue
/// <c>X</c> to <c>X_error</c>, with headers describing the fault.
/// </summary>
public static partial class ErrorQueues
{
    /// <summary>The suffix MassTransit gives a work queue's error queue.</summary>
    public const string Suffix = "_error";

    /// <summary>
    /// The work queue and error queue an operator named (either of the two), or false when the name is not one a
    /// replay may act on. Fail closed: lower-case letters, digits, '.' and '-' with an optional <c>_error</c> suffix and
    /// nothing else (no percent-encoding, no '/', no upper case, at most 207 characters), and never RabbitMQ's own
    /// <c>amq.</c> names.
    /// </summary>
    public static bool TryParse(string? name, out string queue, out string errorQueue)
    {
        queue = errorQueue = "";
        if (name is null || !Pattern().IsMatch(name) || name.StartsWith("amq.", StringComparison.Ordinal)) return false;
        queue = name.EndsWith(Suffix, StringComparison.Ordinal) ? name[..^Suffix.Length] : name;
        errorQueue = queue + Suffix;
        return true;
    }

    /// <summary>
    /// Whether <paramref name="header"/> is one MassTransit adds when it parks a message in the error queue: the fault
    /// (<c>MT-Fault-*</c>, except <c>MT-Fault-Address</c>, which a sender may set), the reason (<c>MT-Reason</c>) and
    /// the host that faulted (<c>MT-Host-*</c>; the original's host travels in the message envelope, not in headers).
    /// </summary>
    public static bool IsFaultHeader(string header) =>
        (header.StartsWith("MT-Fault-", StringComparison.OrdinalIgnoreCase) && !header.Equals("MT-Fault-Address", StringComparison.OrdinalIgnoreCase))
        || header.Equals("MT-Reason", StringComparison.OrdinalIgnoreCase)
        || header.StartsWith("MT-Host-", StringComparison.OrdinalIgnoreCase);

    /// <summary>The headers of a parked message without its fault headers (<see cref="IsFaultHeader"/>): what the original carried.</summary>
    public static Dictionary<string, object?>? WithoutFaultHeaders(IDictionary<string, object?>? headers) =>
        headers?.Where(header => !IsFaultHeader(header.Key)).ToDictionary(header => header.Key, header => header.Value, StringComparer.Ordinal);

    /// <summary>The error queues among <paramref name="queues"/>, each with its work queue and its waiting messages, by name.</summary>
    public static IReadOnlyList<ErrorQueueCount> Counts(IEnumerable<QueueDepth> queues) => queues
        .Where(queue => queue.Name.EndsWith(Suffix, StringComparison.Ordinal))
        .Select(queue => new ErrorQueueCount(queue.Name[..^Suffix.Length], queue.Name, queue.Ready))
        .OrderBy(queue => queue.Queue, StringComparer.Ordinal)
        .ToList();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9.-]{0,200}(_error)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
