using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Contracts;
using NewsMonitor.Testing;

namespace NewsMonitor.Ingestion.Tests;

/// <summary>One trace from the HTTP request, through the stored event and the relay, across RabbitMQ to a consumer.</summary>
public sealed class TracePropagationTests(IngestionFixture fixture) : IClassFixture<IngestionFixture>
{
    [Fact]
    public async Task The_request_trace_continues_in_the_consumer_of_ArticleReceived()
    {
        using var listener = Tracing.ListenToAll();
        var traceId = ActivityTraceId.CreateRandom();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/articles")
        {
            Content = JsonContent.Create(new { title = "تتبع", body = "الناتو " + Guid.NewGuid() }),
        };
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        var response = await fixture.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();

        var received = await fixture.Probe.WaitForAsync<ArticleReceived>(m => m.ArticleId == id, "ArticleReceived");
        Assert.Equal(traceId.ToHexString(), fixture.Probe.TraceOf(received));
    }
}
