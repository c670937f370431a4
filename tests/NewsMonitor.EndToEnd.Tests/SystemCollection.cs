namespace NewsMonitor.EndToEnd.Tests;

/// <summary>
/// One running system for every end-to-end class, which then run one after the other: five processes on a
/// two-core machine are load enough, and the dashboard's latency assertion measures the system, not the crowd.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SystemCollection : ICollectionFixture<RunningSystem>
{
    public const string Name = "running system";
}
