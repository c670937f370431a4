using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace NewsMonitor.ServiceDefaults;

/// <summary>The activity source NewsMonitor's own spans come from.</summary>
public static class Telemetry
{
    /// <summary>Name to subscribe to in OpenTelemetry.</summary>
    public const string SourceName = "NewsMonitor";

    /// <summary>Source for NewsMonitor spans (relay publishes, consumers' domain steps).</summary>
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Meter for NewsMonitor's own measurements (read with <c>dotnet-counters monitor --counters NewsMonitor</c>).</summary>
    public static readonly Meter Meter = new(SourceName);

    /// <summary>Marten event header carrying the W3C trace context of the request that caused the event.</summary>
    public const string TraceParentHeader = "traceparent";
}
