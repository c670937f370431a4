using Marten;
using NewsMonitor.Entities.Recognition;

namespace NewsMonitor.Entities.Catalog;

/// <summary>
/// The recogniser over the current catalog. Every use reads the edits document's version (one indexed
/// row) and rebuilds the catalog and matcher only when operators changed something, so every node picks up
/// an edit with its next article.
/// </summary>
public sealed class EntityDirectory(NerModel model)
{
    private readonly Lock _rebuild = new();
    private EntityRecognizer _current = Warm(new EntityRecognizer(model, EntityCatalog.BuiltIn()));

    /// <summary>The recogniser for the catalog as the store has it now.</summary>
    public async Task<EntityRecognizer> CurrentAsync(IQuerySession session, CancellationToken cancellationToken)
    {
        var edits = await session.LoadAsync<CatalogEdits>(CatalogEdits.StreamId, cancellationToken);
        var version = edits?.Version ?? 0;
        if (_current.Catalog.Version == version) return _current;
        lock (_rebuild)
        {
            if (_current.Catalog.Version != version) _current = new EntityRecognizer(model, EntityCatalog.BuiltIn(edits?.ToState()));
            return _current;
        }
    }

    // Loads the model, builds the matcher and compiles the hot paths before the first article arrives.
    private static EntityRecognizer Warm(EntityRecognizer recognizer)
    {
        for (var i = 0; i < 3; i++) recognizer.Extract("قال الأمين العام لحلف الناتو مارك روته في بروكسل إن الحلفاء سيقدمون 40 مليار دولار لأوكرانيا.");
        return recognizer;
    }
}
