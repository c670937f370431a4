using System.Text.Json;

namespace NewsMonitor.Testing;

/// <summary>One Server-Sent Event as read off the wire.</summary>
public sealed record ServerSentEvent(string Event, string? Id, string Data)
{
    /// <summary>The data as JSON.</summary>
    public JsonElement Json => JsonDocument.Parse(Data).RootElement;
}

/// <summary>Reads a text/event-stream response event by event.</summary>
public sealed class ServerSentEventReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream);

    /// <summary>The last id the stream gave, as an EventSource keeps it and sends it as <c>Last-Event-ID</c> when it reconnects.</summary>
    public string? LastEventId { get; private set; }

    /// <summary>The next event, or null when the stream ends.</summary>
    public async Task<ServerSentEvent?> NextAsync(CancellationToken cancellationToken)
    {
        string kind = "message", data = "";
        string? id = null;
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0 || kind != "message") return new ServerSentEvent(kind, id, data);
                continue;
            }
            if (line.StartsWith(':')) continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "event": kind = value; break;
                case "id": id = LastEventId = value; break;
                case "data": data = data.Length == 0 ? value : data + "\n" + value; break;
            }
        }
        return null;
    }

    /// <summary>Reads events until one satisfies <paramref name="wanted"/>, or fails after <paramref name="timeout"/>.</summary>
    public async Task<ServerSentEvent> WaitForAsync(Func<ServerSentEvent, bool> wanted, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            var next = await NextAsync(cancel.Token) ?? throw new InvalidOperationException("The event stream ended.");
            if (wanted(next)) return next;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();
}
