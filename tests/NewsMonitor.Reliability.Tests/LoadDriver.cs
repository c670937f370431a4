using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace NewsMonitor.Reliability.Tests;

/// <summary>What the clients saw while posting a load.</summary>
/// <param name="Ids">Article id by load index, as ingestion answered it (accepted, or duplicate of a retried post).</param>
/// <param name="Refusals">Answers or failures that made a client send a batch again (5xx, 429, connection refused, timeout).</param>
/// <param name="Unexpected">Items answered <c>invalid</c>, <c>nearDuplicate</c>, or with an id other than their URL's: the load is built to have none.</param>
public sealed record LoadOutcome(IReadOnlyDictionary<int, Guid> Ids, int Refusals, IReadOnlyList<string> Unexpected);

/// <summary>
/// Posts a load through the gateway with a few concurrent clients, in batches. A batch the system refuses or cannot answer
/// during a fault is sent again as it was: the same URLs give the same article ids, so ingestion answers <c>duplicate</c>
/// for what it had already stored, and a retry is never a new article.
/// </summary>
public sealed class LoadDriver(HttpClient gateway, int clients = 4, int batchSize = 25)
{
    /// <summary>Posts every article of <paramref name="articles"/>; gives up only at <paramref name="deadline"/>.</summary>
    public async Task<LoadOutcome> PostAsync(IReadOnlyList<PlannedArticle> articles, DateTime deadline, CancellationToken cancellationToken)
    {
        var batches = new ConcurrentQueue<PlannedArticle[]>(articles.Chunk(batchSize));
        var ids = new ConcurrentDictionary<int, Guid>();
        var unexpected = new ConcurrentBag<string>();
        var refusals = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (batches.TryDequeue(out var batch))
            {
                var attempt = 0;
                while (true)
                {
                    if (DateTime.UtcNow > deadline) throw new TimeoutException($"The load could not be posted before the deadline ({refusals} refusals).");
                    var (answer, retryAfter) = await SendAsync(batch, cancellationToken);
                    if (answer is { } items)
                    {
                        foreach (var item in items.EnumerateArray())
                        {
                            var article = batch[item.GetProperty("index").GetInt32()];
                            var status = item.GetProperty("status").GetString();
                            var id = item.TryGetProperty("id", out var given) && given.ValueKind == JsonValueKind.String ? given.GetGuid() : (Guid?)null;
                            // "duplicate" of its own id is a retried post that had been stored; of another id, a text copy of another article.
                            if (status is "accepted" or "duplicate" && id == article.Id) ids[article.Index] = article.Id;
                            else unexpected.Add($"article {article.Index}: {status} {item}");
                        }
                        break;
                    }
                    Interlocked.Increment(ref refusals);
                    attempt++;
                    await Task.Delay(retryAfter ?? TimeSpan.FromMilliseconds(Math.Min(2_000, 100 * Math.Pow(2, Math.Min(attempt, 5)))), cancellationToken);
                }
            }
        }));
        return new LoadOutcome(ids, refusals, [.. unexpected]);
    }

    // The batch's items, or null and how long to wait when the system refused or could not answer.
    private async Task<(JsonElement? Items, TimeSpan? RetryAfter)> SendAsync(PlannedArticle[] batch, CancellationToken cancellationToken)
    {
        var body = batch.Select(article => new { title = article.Title, body = article.Body, url = article.Url, language = "ar", source = "reliability" });
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            using var response = await gateway.PostAsJsonAsync("/api/v1/articles/batch", body, timeout.Token);
            if (response.StatusCode == HttpStatusCode.OK)
                return ((await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("items").Clone(), null);
            if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
                return (null, response.Headers.RetryAfter?.Delta);
            throw new InvalidOperationException($"The gateway refused a batch for good: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        catch (HttpRequestException)
        {
            return (null, null); // connection refused or reset: the gateway or a service is down
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, null); // no answer in time: the request may or may not have been stored, the retry finds out
        }
    }
}
