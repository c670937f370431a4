using System.Diagnostics;

namespace NewsMonitor.Testing;

/// <summary>Turns tracing on in the test process, so activities (and the trace headers they write) are created.</summary>
public static class Tracing
{
    /// <summary>Samples and records every activity of every source until the returned listener is disposed.</summary>
    public static ActivityListener ListenToAll()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
