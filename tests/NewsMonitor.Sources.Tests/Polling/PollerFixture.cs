extern alias ingestion;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Testing;

namespace NewsMonitor.Sources.Tests.Polling;

/// <summary>
/// The sources service and the REAL ingestion service hosted side by side on one RabbitMQ virtual host (each in its own
/// schema), with settings that make polling quick: loopback feeds allowed, intervals down to 1 s, a 200 ms scan, short
/// timeouts and a 1 s failure backoff. Tests start their own <see cref="FeedServer"/> (a host of their own for the
/// per-host limits) and create their own sources.
/// </summary>
public sealed class PollerFixture : IAsyncLifetime
{
    /// <summary>Per-host spacing of request starts in these tests.</summary>
    public static readonly TimeSpan HostSpacing = TimeSpan.FromMilliseconds(300);

    /// <summary>The sources service's settings.</summary>
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Sources:AllowPrivateTargets"] = "true",
        ["Sources:MinIntervalSeconds"] = "1",
        ["Sources:ScanInterval"] = "00:00:00.200",
        ["Sources:MinIntervalPerHost"] = "00:00:00.300",
        ["Sources:HostBackoff"] = "00:00:01",
        ["Sources:ConnectTimeout"] = "00:00:03",
        // Long enough for a host restart while a poll waits on a held answer (the shutdown test); the drip test still times out.
        ["Sources:ResponseTimeout"] = "00:00:10",
        ["Sources:MaxResponseBytes"] = "2000000",
        ["Sources:MaxBackoff"] = "00:00:01",
        ["Sources:Lease"] = "00:01:00",
        ["Sources:MaxItemsPerPoll"] = "3",
    };

    /// <summary>Sources' Marten schema.</summary>
    public string Schema { get; } = TestInfrastructure.UniqueName("srcpoll");

    /// <summary>Ingestion's Marten schema.</summary>
    public string IngestionSchema { get; } = TestInfrastructure.UniqueName("srcingest");

    /// <summary>The shared virtual host.</summary>
    public string VirtualHost { get; } = TestInfrastructure.UniqueName("srcpoll");

    /// <summary>The sources service.</summary>
    public ServiceFactory<Program> Sources { get; private set; } = null!;

    /// <summary>The ingestion service.</summary>
    public ServiceFactory<ingestion::Program> Ingestion { get; private set; } = null!;

    /// <summary>Operator client of the sources service.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>Operator client of ingestion (reads articles).</summary>
    public HttpClient Articles { get; private set; } = null!;

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        await TestInfrastructure.CreateVirtualHostAsync(VirtualHost);
        Ingestion = new ServiceFactory<ingestion::Program>(IngestionSchema, VirtualHost);
        Articles = Ingestion.CreateGatewayClient();
        Sources = NewSourcesInstance();
        Client = Sources.CreateGatewayClient();
    }

    /// <summary>Another instance of the sources service on the same schema and virtual host (dispose it in the test).</summary>
    public ServiceFactory<Program> NewSourcesInstance() => new(Schema, VirtualHost, Settings);

    /// <summary>Replaces the sources instance (a restart): the old one is disposed first.</summary>
    public async Task RestartSourcesAsync()
    {
        await Sources.DisposeAsync();
        Sources = NewSourcesInstance();
        Client = Sources.CreateGatewayClient();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Sources.DisposeAsync();
        await Ingestion.DisposeAsync();
        await TestInfrastructure.DropSchemasAsync(Schema, IngestionSchema);
        await TestInfrastructure.DeleteVirtualHostAsync(VirtualHost);
    }

    /// <summary>Adds a source through the API and returns its id.</summary>
    public async Task<Guid> AddSourceAsync(object body)
    {
        var response = await Client.PostAsJsonAsync("/api/v1/sources", body, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
    }

    /// <summary>The source as the API shows it.</summary>
    public async Task<JsonElement> SourceAsync(Guid id) =>
        await Client.GetFromJsonAsync<JsonElement>($"/api/v1/sources/{id}", TestContext.Current.CancellationToken);

    /// <summary>The source's items as the API lists them.</summary>
    public async Task<List<JsonElement>> ItemsAsync(Guid id) =>
        [.. (await Client.GetFromJsonAsync<JsonElement>($"/api/v1/sources/{id}/items?limit=500", TestContext.Current.CancellationToken)).GetProperty("items").EnumerateArray()];

    /// <summary>Waits until the source has been polled <paramref name="polls"/> times (counted as <c>source_polled</c> events).</summary>
    public async Task<JsonElement> WaitForPollsAsync(Guid id, int polls, TimeSpan? timeout = null)
    {
        await Eventually.TrueAsync(async () => await PollsAsync(id) >= polls, $"{polls} poll(s) of source {id}", timeout ?? TimeSpan.FromSeconds(60));
        return await SourceAsync(id);
    }

    /// <summary>Polls of the source recorded so far.</summary>
    public Task<long> PollsAsync(Guid id) => EventStoreProbe.CountAsync(Schema, id, "source_polled");

    /// <summary>Articles ingestion stored.</summary>
    public Task<long> StoredArticlesAsync() => TestInfrastructure.ScalarAsync<long>($"select count(*) from \"{IngestionSchema}\".mt_events where type = 'article_submitted'");

    /// <summary>Asks for a poll now.</summary>
    public async Task PollNowAsync(Guid id) =>
        Assert.Equal(HttpStatusCode.Accepted, (await Client.PostAsync($"/api/v1/sources/{id}/poll", null, TestContext.Current.CancellationToken)).StatusCode);
}
