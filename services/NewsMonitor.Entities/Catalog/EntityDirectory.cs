using Marten;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Entities.Recognition;

namespace NewsMonitor.Entities.Catalog;

/// <summary>
/// The recogniser over the current catalog, rebuilt only when operators changed something. While
/// <see cref="AggregateChanges{T}"/> hears every replica's catalog edits, the recogniser is trusted until the next edit
/// (checked against the store at most every <see cref="AggregateChanges{T}.VerifyEvery"/>); otherwise every use reads the edits document
/// (one indexed row), so every node picks up an edit with its next article either way.
/// </summary>
public sealed class EntityDirectory(NerModel model, AggregateChanges<CatalogEdits>? changes = null)
{
    private readonly Lock _rebuild = new();
    private EntityRecognizer _current = Warm(new EntityRecognizer(model, EntityCatalog.BuiltIn()));
    private volatile AggregateCheck _checked = AggregateCheck.Never;

    /// <summary>The recogniser for the catalog as the store has it now (as of the last edit heard, while the signal is live).</summary>
    public async Task<EntityRecognizer> CurrentAsync(IQuerySession session, CancellationToken cancellationToken)
    {
        if (changes?.Unchanged(_checked) == true) return Volatile.Read(ref _current);
        // Taken before the store is read: an edit committed after it moves the generation on, so the next use reads.
        var check = changes?.Begin() ?? AggregateCheck.Never;
        var edits = await session.LoadAsync<CatalogEdits>(CatalogEdits.StreamId, cancellationToken);
        var version = edits?.Version ?? 0;
        EntityRecognizer current;
        lock (_rebuild)
        {
            if (_current.Catalog.Version != version) _current = new EntityRecognizer(model, EntityCatalog.BuiltIn(edits?.ToState()));
            current = _current;
        }
        _checked = check;
        return current;
    }

    // Loads the model, builds the matcher and compiles the hot paths before the first article arrives.
    private static EntityRecognizer Warm(EntityRecognizer recognizer)
    {
        for (var i = 0; i < 3; i++) recognizer.Extract("قال الأمين العام لحلف الناتو مارك روته في بروكسل إن الحلفاء سيقدمون 40 مليار دولار لأوكرانيا.");
        return recognizer;
    }
}
