using System.Collections.Concurrent;
using System.Diagnostics;

namespace NewsMonitor.Testing;

/// <summary>
/// Records when HTTP requests of this process to one authority (host:port) leave <see cref="HttpClient"/>, by the client's
/// clock: System.Net.Http's own diagnostic event at the start of each request, before any connection is opened. A service
/// hosted in the test process (<see cref="ServiceFactory{TProgram}"/>) is seen too. Unlike a server's clock, this is not
/// moved by the time a new connection takes to set up, so spacing a client promises can be checked exactly.
/// </summary>
public sealed class OutgoingRequests : IDisposable, IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
{
    private const string StartEvent = "System.Net.Http.HttpRequestOut.Start";
    private readonly string _authority;
    private readonly IDisposable _all;
    private readonly ConcurrentBag<IDisposable> _listeners = [];
    private readonly ConcurrentQueue<(Uri Url, TimeSpan At)> _starts = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Starts recording requests to <paramref name="server"/>'s host and port.</summary>
    public OutgoingRequests(Uri server)
    {
        _authority = server.Authority;
        _all = DiagnosticListener.AllListeners.Subscribe(this);
    }

    /// <summary>The requests' URLs and start times (since recording began), in start order.</summary>
    public IReadOnlyList<(Uri Url, TimeSpan At)> Starts => _starts.OrderBy(start => start.At).ToList();

    /// <summary>The smallest time between two consecutive starts, or null with fewer than two.</summary>
    public TimeSpan? MinGapBetweenStarts() => TimeGaps.Smallest(_starts.Select(start => start.At));

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener listener)
    {
        if (listener.Name == "HttpHandlerDiagnosticListener") _listeners.Add(listener.Subscribe(this, name => name == StartEvent));
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key != StartEvent || value.Value?.GetType().GetProperty("Request")?.GetValue(value.Value) is not HttpRequestMessage { RequestUri: { } url }) return;
        if (url.Authority == _authority) _starts.Enqueue((url, _clock.Elapsed));
    }

    void IObserver<DiagnosticListener>.OnCompleted() { }

    void IObserver<DiagnosticListener>.OnError(Exception error) { }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted() { }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error) { }

    /// <inheritdoc />
    public void Dispose()
    {
        _all.Dispose();
        foreach (var listener in _listeners) listener.Dispose();
    }
}
