using Marten;

namespace NewsMonitor.Classification.Topics;

/// <summary>
/// The operator topics' rules as the store has them now. Every use reads the topic set's document (one row) and
/// re-parses and re-indexes the rules only when its version changed, so every node applies an edit from its next article.
/// </summary>
public sealed class OperatorTopicDirectory
{
    private readonly Lock _rebuild = new();
    private OperatorTopicRules _current = OperatorTopicRules.None;

    /// <summary>The current set of topics (empty when none was ever defined).</summary>
    public static async Task<OperatorTopicSet> LoadSetAsync(IQuerySession session, CancellationToken cancellationToken) =>
        await session.LoadAsync<OperatorTopicSet>(OperatorTopicSet.StreamId, cancellationToken) ?? OperatorTopicSet.Empty;

    /// <summary>The rules of the active topics.</summary>
    public async Task<OperatorTopicRules> CurrentAsync(IQuerySession session, CancellationToken cancellationToken) =>
        For(await LoadSetAsync(session, cancellationToken));

    /// <summary>The rules of <paramref name="set"/>'s active topics, re-indexed only when its version is not the one indexed.</summary>
    public OperatorTopicRules For(OperatorTopicSet set)
    {
        if (_current.Version == set.Version) return _current;
        lock (_rebuild)
        {
            if (_current.Version != set.Version) _current = new OperatorTopicRules(set.Active, set.Version);
            return _current;
        }
    }
}
