using System.Globalization;

namespace NewsMonitor.Load;

/// <summary>What the harness can say of the machine a run shared, from the load average it read when the run started.</summary>
public static class RunConditions
{
    /// <summary>
    /// The sentence written beside a run: "otherwise idle" when the one-minute load average was under half the cores,
    /// otherwise that other work may have been running (the average also holds the harness's own build). Only the start
    /// is known: work that began during the run is not seen.
    /// </summary>
    public static string AtStart(string loadAverage, int cores)
    {
        if (!double.TryParse(loadAverage, NumberStyles.Float, CultureInfo.InvariantCulture, out var load))
        {
            return "load average unknown when the run started; absolute figures move with whatever else runs, the same-run ratios are what to read";
        }
        return load < cores / 2.0
            ? $"load average {loadAverage} when the run started: the machine was otherwise idle then (what started later is not seen); absolute figures still move between machines, the same-run ratios are what to read"
            : $"load average {loadAverage} when the run started (a one-minute average: it includes the harness's own build and start-up just before): other work may have been running on the {cores} cores, and absolute figures move with it; the same-run ratios are what to read";
    }
}
