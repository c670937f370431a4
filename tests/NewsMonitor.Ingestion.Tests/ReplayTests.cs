using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Contracts;
using NewsMonitor.Testing;

namespace NewsMonitor.Ingestion.Tests;

/// <summary>Operators replay stored articles so that services re-run their analysis (a new model re-classifies history).</summary>
public sealed class ReplayTests(IngestionFixture fixture) : IClassFixture<IngestionFixture>
{
    [Fact]
    public async Task Replay_republishes_stored_articles_of_a_range_for_operators_only()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var response = await fixture.Client.PostAsJsonAsync("/api/v1/articles", new { title = "إعادة التشغيل", body = "مقال لاختبار إعادة النشر. " + Guid.NewGuid(), source = "test" }, TestContext.Current.CancellationToken);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
        await fixture.Probe.WaitForAsync<ArticleReceived>(m => m.ArticleId == id, "first ArticleReceived");

        using var subscriber = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ops/replay");
        subscriber.Headers.Add("X-NewsMonitor-Role", "integrator");
        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Client.SendAsync(subscriber, TestContext.Current.CancellationToken)).StatusCode);

        var from = Uri.EscapeDataString(before.ToString("O"));
        var replay = await fixture.Client.PostAsync($"/api/v1/ops/replay?from={from}&limit=500", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        var view = await replay.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(view.GetProperty("replayed").GetInt32() >= 1);

        var copies = await fixture.Probe.WaitForAtLeastAsync<ArticleReceived>(2, m => m.ArticleId == id, "replayed ArticleReceived");
        Assert.Equal(copies[0].Body, copies[^1].Body);
        Assert.Equal(copies[0].ReceivedAt, copies[^1].ReceivedAt);

        var bad = await fixture.Client.PostAsync("/api/v1/ops/replay?limit=0", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }
}
