using System.Net;
using System.Text.Json.Nodes;
using NewsMonitor.Testing;

namespace NewsMonitor.Entities.Tests;

/// <summary>Its own schema: every event stored there is one this class caused.</summary>
public sealed class HostileEntitiesFixture() : ServiceFixture<Program>("hostile_entities")
{
    protected override Type[] ProbedMessages => [];
}

/// <summary>Hostile input to the catalog endpoints answers 4xx problem+json naming the field, and stores nothing.</summary>
public sealed class HostileInputTests(HostileEntitiesFixture fixture) : IClassFixture<HostileEntitiesFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static JsonObject Entity() => new() { ["id"] = "hostile-person", ["type"] = "PERSON", ["name"] = "Hostile Person", ["aliases"] = new JsonArray("الشخص المعادي") };

    public static TheoryData<string, HostileBody> Bodies() =>
    [
        .. HostileInput.Bodies(Entity(), ["id", "type", "name", "aliases[0]"], ["id", "type", "name", "aliases[0]"]).Select(body => ("/api/v1/entities", body)),
        .. HostileInput.Bodies(new JsonObject { ["alias"] = "الهولندي الطائر" }, ["alias"], ["alias"]).Select(body => ("/api/v1/entities/mark-rutte/aliases", body)),
        .. HostileInput.Bodies(new JsonObject { ["into"] = "mark-rutte" }, ["into"], ["into"]).Select(body => ("/api/v1/entities/dick-schoof/merge", body)),
    ];

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_hostile_catalog_edit_is_refused_and_nothing_is_stored(string path, HostileBody hostile)
    {
        var before = await fixture.StoredEventsAsync();
        var response = await fixture.Client.PostAsync(path, hostile.Content, Cancel);

        await HostileInput.AssertRefusedAsync(response, hostile, Cancel);
        Assert.Equal(before, await fixture.StoredEventsAsync());
    }

    [Theory]
    // A NUL in the path (%00) never reaches the application: ASP.NET Core's URL decoder refuses it (Kestrel answers 400 itself).
    [InlineData("/api/v1/entities/%E2%80%AE/aliases", "{\"alias\": \"اسم\"}")]
    [InlineData("/api/v1/entities/%E2%80%AEx/merge", "{\"into\": \"mark-rutte\"}")]
    [InlineData("/api/v1/entities/mark-rutte/merge", "{\"into\": \"no-such-entity\"}")]
    public async Task A_hostile_entity_id_in_the_path_is_a_problem_not_a_500(string path, string body)
    {
        var before = await fixture.StoredEventsAsync();
        var response = await fixture.Client.PostAsync(path, HostileInput.Json(body), Cancel);

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
        HostileInput.AssertProblem(response, await response.Content.ReadAsStringAsync(Cancel), path);
        Assert.Equal(before, await fixture.StoredEventsAsync());
    }
}
