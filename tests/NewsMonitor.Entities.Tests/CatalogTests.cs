using NewsMonitor.Entities.Recognition;

namespace NewsMonitor.Entities.Tests;

public class CatalogTests
{
    [Fact]
    public void The_shipped_table_holds_at_least_600_entities_with_unique_names()
    {
        var catalog = EntityCatalog.BuiltIn();
        Assert.True(catalog.Entities.Count >= 600, $"{catalog.Entities.Count} entities");
        Assert.Contains("mark-rutte", catalog.Entities.Keys);
        Assert.Equal("Donald Trump", catalog.FindByName("ترمب")?.Name);
        Assert.Equal("NATO", catalog.FindByName("حلف شمال الأطلسى")?.Name);
        Assert.Null(catalog.FindByName("الحلف"));
        // Every country the UN counts, roughly: one LOC per line of the table's country section is not checkable
        // here, but every type is present in numbers.
        Assert.True(catalog.Entities.Values.Count(entity => entity.Type == "PERSON") >= 150);
        Assert.True(catalog.Entities.Values.Count(entity => entity.Type == "ORG") >= 80);
        Assert.True(catalog.Entities.Values.Count(entity => entity.Type == "LOC") >= 300);
    }

    [Fact]
    public void Operator_edits_add_aliases_define_entities_and_merge()
    {
        var edits = new CatalogEditsState(3,
            new Dictionary<string, DefinedEntity> { ["christian-volkmar"] = new("christian-volkmar", "PERSON", "Christian Volkmar", ["كريستيان فولكمار"]) },
            new Dictionary<string, string[]> { ["mark-rutte"] = ["الهولندي الطائر"] },
            new Dictionary<string, string> { ["person-0123456789ab"] = "christian-volkmar", ["christian-volkmar"] = "mark-rutte" });
        var catalog = EntityCatalog.BuiltIn(edits);
        Assert.Equal(3, catalog.Version);
        Assert.Equal("mark-rutte", catalog.FindByName("الهولندي الطائر")?.Id);
        // Merges follow chains, and the merged entity's names point at the survivor.
        Assert.Equal("mark-rutte", catalog.Resolve("person-0123456789ab"));
        Assert.Equal("mark-rutte", catalog.FindByName("كريستيان فولكمار")?.Id);
        Assert.DoesNotContain("christian-volkmar", catalog.Entities.Keys);
        Assert.Equal(["christian-volkmar", "person-0123456789ab"], catalog.MergedInto("mark-rutte"));

        var recognizer = new EntityRecognizer(BuiltInData.TrainedTagger, catalog);
        var entity = Assert.Single(recognizer.Extract("قال كريستيان فولكمار إن الهولندي الطائر وصل."), found => found.Type == "PERSON");
        Assert.Equal("mark-rutte", entity.Id);
        Assert.Equal(2, entity.Mentions.Count);
    }
}
