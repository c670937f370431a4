using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.EndToEnd.Tests;
using NewsMonitor.Testing;

namespace NewsMonitor.Reliability.Tests;

/// <summary>
/// A RabbitMQ memory alarm, raised on the node the test script started (rabbitmqctl through deploy/local/env.sh): the
/// broker blocks every publishing connection; article submission answers 503 with Retry-After through the gateway and
/// stores nothing; once the alarm clears, submissions are accepted again and every article accepted before the alarm is
/// relayed and processed. The alarm is always cleared, even when the test fails.
/// </summary>
public sealed class BrokerAlarmTests : IAsyncLifetime
{
    private readonly RunningSystem _system = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _system.InitializeAsync();

    public ValueTask DisposeAsync() => _system.DisposeAsync();

    // Runs rabbitmqctl against the test node (the NEWSMONITOR_* variables the test script exported pick it).
    private static async Task<string> RabbitmqctlAsync(string arguments)
    {
        var script = $"source '{TestInfrastructure.RepoRoot}/deploy/local/env.sh' && nm_rabbitmqctl {arguments} </dev/null";
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"rabbitmqctl {arguments} failed: {error}");
        return output.Trim();
    }

    private static object Article(string title) => new
    {
        title,
        body = $"قال الأمين العام لحلف الناتو إن الحلفاء اتفقوا على زيادة الإنفاق الدفاعي. {title}",
        language = "ar",
        source = "reliability",
        url = $"https://news.example/alarm/{Guid.NewGuid():N}",
    };

    private async Task<bool> ProcessedAsync(Guid id)
    {
        var response = await _system.Gateway.GetAsync($"/api/v1/articles/{id}", Cancel);
        if (response.StatusCode != HttpStatusCode.OK) return false;
        var processing = (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("processing");
        return processing.GetProperty("classified").GetBoolean() && processing.GetProperty("entitiesExtracted").GetBoolean()
               && processing.GetProperty("alertsEvaluated").GetBoolean();
    }

    [Fact]
    public async Task A_memory_alarm_answers_503_with_retry_after_and_loses_nothing_accepted()
    {
        // The node's watermark as configured (infra writes it to rabbitmq.conf), to put back afterwards.
        var watermark = await RabbitmqctlAsync("eval 'vm_memory_monitor:get_vm_memory_high_watermark().'");
        var restore = watermark.StartsWith("{absolute,", StringComparison.Ordinal)
            ? "set_vm_memory_high_watermark absolute " + watermark["{absolute,".Length..].TrimEnd('}').Trim()
            : "set_vm_memory_high_watermark " + watermark;

        var accepted = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            var response = await _system.Gateway.PostAsJsonAsync("/api/v1/articles", Article($"قبل الإنذار {i}"), Cancel);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            accepted.Add((await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid());
        }
        var refusedArticle = Article("أثناء الإنذار");
        try
        {
            // One byte: the node is over its memory mark at once and blocks every publishing connection.
            await RabbitmqctlAsync("set_vm_memory_high_watermark absolute 1");
            // The services learn of the block from the broker within about a second; what they accept until then is
            // stored and must come through as well.
            await Eventually.TrueAsync(async () =>
            {
                var response = await _system.Gateway.PostAsJsonAsync("/api/v1/articles", Article("قبل أن يصل الإنذار"), Cancel);
                if (response.StatusCode == HttpStatusCode.Accepted) accepted.Add((await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid());
                return response.StatusCode == HttpStatusCode.ServiceUnavailable;
            }, "503 while the broker blocks publishing", TimeSpan.FromSeconds(30));
            var refused = await _system.Gateway.PostAsJsonAsync("/api/v1/articles", refusedArticle, Cancel);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.True(int.TryParse(refused.Headers.GetValues("Retry-After").Single(), out var retryAfter) && retryAfter > 0);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(Cancel);
            Assert.Equal(503, problem.GetProperty("status").GetInt32());
            Assert.Contains("nothing was stored", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

            var batch = await _system.Gateway.PostAsJsonAsync("/api/v1/articles/batch", new[] { Article("دفعة أثناء الإنذار") }, Cancel);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, batch.StatusCode);
            Assert.True(batch.Headers.Contains("Retry-After"));

            // Readiness names the alarm (degraded: the service itself is fine and keeps answering reads).
            using var probe = new HttpClient();
            var ready = await probe.GetFromJsonAsync<JsonElement>(new Uri(_system.ServiceAddress("Ingestion"), "/health/ready"), Cancel);
            Assert.Equal("Degraded", ready.GetProperty("checks").GetProperty("broker-alarm").GetProperty("status").GetString());
        }
        finally
        {
            await RabbitmqctlAsync(restore);
        }

        // Accepted again once the alarm clears; the article refused during the alarm was not stored, so it is stored now.
        var again = await Eventually.GetAsync(async () =>
        {
            var response = await _system.Gateway.PostAsJsonAsync("/api/v1/articles", refusedArticle, Cancel);
            return response.StatusCode == HttpStatusCode.Accepted ? (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetRawText() : null;
        }, "202 after the alarm", TimeSpan.FromSeconds(30));
        // Stored now (as new, or as a near copy of the similar articles before): not a `duplicate` of a copy stored during the alarm.
        Assert.Contains(JsonDocument.Parse(again).RootElement.GetProperty("status").GetString(), new[] { "accepted", "nearDuplicate" });

        // Nothing accepted before the alarm is lost: each article is relayed and processed by every service.
        foreach (var id in accepted)
            await Eventually.TrueAsync(() => ProcessedAsync(id), $"article {id} processed after the alarm", TimeSpan.FromSeconds(60));
    }
}
