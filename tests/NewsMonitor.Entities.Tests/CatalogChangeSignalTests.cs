using System.Net;
using System.Net.Http.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NewsMonitor.Entities.Catalog;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;

namespace NewsMonitor.Entities.Tests;

/// <summary>
/// The recogniser is trusted between catalog edits and rebuilt when any replica edits the catalog (a NOTIFY), instead
/// of reading the edits document for every article (issue 17's profile).
/// </summary>
public sealed class CatalogChangeSignalTests(EntitiesFixture fixture) : IClassFixture<EntitiesFixture>
{
    private AggregateChanges<CatalogEdits> Changes => fixture.Service.Services.GetRequiredService<AggregateChanges<CatalogEdits>>();

    private async Task<long> CatalogVersionAsync()
    {
        await using var session = fixture.Service.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var recognizer = await fixture.Service.Services.GetRequiredService<EntityDirectory>().CurrentAsync(session, TestContext.Current.CancellationToken);
        return recognizer.Catalog.Version;
    }

    [Fact]
    public async Task An_edit_is_used_at_once_here_and_another_replicas_edit_once_it_is_announced()
    {
        await Eventually.TrueAsync(() => Task.FromResult(Changes.Live), "the catalog watch listening");
        var before = Changes.Generation;
        var defined = await fixture.Client.PostAsJsonAsync("/api/v1/entities", new { type = "ORG", name = "Signal Test Agency " + Guid.NewGuid().ToString("N")[..6], aliases = new[] { "وكالة الإشارة" } }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, defined.StatusCode);
        // This process's edit: known at once. Then its own notification's echo through the watch, before going on.
        Assert.True(Changes.Generation > before);
        await Eventually.TrueAsync(() => Task.FromResult(Changes.Generation >= before + 2), "the edit's own notification heard");
        var version = await CatalogVersionAsync();
        Assert.True(version >= 1);

        // Another replica's edit, as the store sees it; this process's listener did not see it and nobody announced it.
        await TestInfrastructure.ScalarAsync<int>(
            $"with changed as (update \"{fixture.Schema}\".mt_doc_catalogedits set data = jsonb_set(data, '{{version}}', to_jsonb({version + 1})) returning 1) select count(*)::int from changed");
        Assert.Equal(version, await CatalogVersionAsync()); // trusted, not read per use

        await TestInfrastructure.NotifyAsync(AggregateChanges<CatalogEdits>.Channel, Changes.Tag);
        await Eventually.TrueAsync(async () => await CatalogVersionAsync() == version + 1, "the announced edit in the recogniser");
    }
}
