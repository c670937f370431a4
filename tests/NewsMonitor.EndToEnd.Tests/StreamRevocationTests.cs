using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Testing;

namespace NewsMonitor.EndToEnd.Tests;

/// <summary>An open alert stream ends within seconds of its key being revoked or its subscription deleted.</summary>
[Collection(SystemCollection.Name)]
public sealed class StreamRevocationTests(RunningSystem system)
{
    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;

    private async Task<(HttpResponseMessage Response, ServerSentEventReader Events)> OpenAsync(string key, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", key);
        var response = await system.Anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = new ServerSentEventReader(await response.Content.ReadAsStreamAsync(Cancel));
        await events.WaitForAsync(item => item.Event == "ready", TimeSpan.FromSeconds(30));
        return (response, events);
    }

    /// <summary>
    /// Reads until the stream ends and returns how long that took: a clean end, or, where <paramref name="aborted"/>
    /// allows it, a connection the gateway broke off.
    /// </summary>
    private static async Task<TimeSpan> UntilEndAsync(ServerSentEventReader events, TimeSpan limit, bool aborted)
    {
        var watch = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            while (await events.NextAsync(timeout.Token) is not null)
            {
                // heartbeats and alerts until the end
            }
        }
        catch (Exception exception) when (aborted && exception is IOException or HttpRequestException)
        {
            // An aborted connection ends the stream too.
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The stream was still open after {limit.TotalSeconds} s.");
        }
        return watch.Elapsed;
    }

    [Fact]
    public async Task A_stream_closes_within_seconds_after_its_key_is_revoked()
    {
        var created = await system.Gateway.PostAsJsonAsync("/api/v1/keys", new { role = "subscriber", tenant = "revoked", name = "stream to revoke" }, Cancel);
        var issued = await created.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        var (response, events) = await OpenAsync(issued.GetProperty("key").GetString()!, "/api/v1/alerts/stream");
        using (response)
        using (events)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await system.Gateway.DeleteAsync($"/api/v1/keys/{issued.GetProperty("id").GetGuid()}", Cancel)).StatusCode);
            var took = await UntilEndAsync(events, TimeSpan.FromSeconds(10), aborted: true);
            TestContext.Current.TestOutputHelper?.WriteLine($"closed {took.TotalMilliseconds:F0} ms after the revocation");
        }
    }

    [Fact]
    public async Task A_stream_of_one_subscription_closes_within_seconds_after_the_subscription_is_deleted()
    {
        var key = await system.IssueKeyAsync("subscriber", "deleting", "stream of a deleted subscription");
        using var subscribe = new HttpRequestMessage(HttpMethod.Post, "/api/v1/subscriptions") { Content = JsonContent.Create(new { name = "to delete", rule = "الناتو" }) };
        subscribe.Headers.Add("X-Api-Key", key);
        var subscription = (await (await system.Anonymous.SendAsync(subscribe, Cancel)).Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();

        var (response, events) = await OpenAsync(key, $"/api/v1/alerts/stream?subscriptionId={subscription}");
        using (response)
        using (events)
        {
            using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/subscriptions/{subscription}");
            delete.Headers.Add("X-Api-Key", key);
            Assert.Equal(HttpStatusCode.NoContent, (await system.Anonymous.SendAsync(delete, Cancel)).StatusCode);
            // Alerting ends the stream itself: a clean end of the response, not a broken connection.
            var took = await UntilEndAsync(events, TimeSpan.FromSeconds(10), aborted: false);
            TestContext.Current.TestOutputHelper?.WriteLine($"closed {took.TotalMilliseconds:F0} ms after the deletion");
        }

        // Reconnecting to the deleted subscription's stream answers 404, as does another tenant's.
        using var again = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/alerts/stream?subscriptionId={subscription}");
        again.Headers.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.NotFound, (await system.Anonymous.SendAsync(again, HttpCompletionOption.ResponseHeadersRead, Cancel)).StatusCode);
    }
}
