using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace NewsMonitor.Import.Http;

/// <summary>What came of sending one request.</summary>
public abstract record SendOutcome
{
    private SendOutcome() { }

    /// <summary>A 2xx answer, with its JSON body.</summary>
    public sealed record Answered(int Status, JsonElement Body) : SendOutcome;

    /// <summary>A 4xx answer about the request itself (malformed, too large): its items are rejected, the import goes on.</summary>
    public sealed record Refused(int Status, string Reason) : SendOutcome;

    /// <summary>No point going on: the gateway is unreachable, refuses the key (401/403), or keeps failing.</summary>
    public sealed record GaveUp(string Reason) : SendOutcome;
}

/// <summary>How the client waits and how often it tries.</summary>
/// <param name="ServerErrorAttempts">Tries for a request that meets 5xx answers, timeouts or lost connections.</param>
/// <param name="TooManyRequestsAttempts">Tries for a request the gateway keeps answering 429: each waits the <c>Retry-After</c> it names.</param>
/// <param name="DefaultRetryAfter">Wait after a 429 without a usable <c>Retry-After</c>.</param>
public sealed record RetryPolicy(int ServerErrorAttempts = 5, int TooManyRequestsAttempts = 50, TimeSpan? DefaultRetryAfter = null);

/// <summary>
/// Sends requests to the gateway with the caller's key (<c>X-Api-Key</c>), respecting 429 (waits the
/// <c>Retry-After</c> and sends the same request again) and retrying 5xx answers, timeouts and lost connections with
/// exponential backoff and jitter a few times before giving up.
/// </summary>
/// <param name="http">A client whose base address is the gateway.</param>
/// <param name="key">The API key.</param>
/// <param name="policy">Retries.</param>
/// <param name="delay">Waits (a test passes one that records the waits).</param>
/// <param name="clock">The time, for <c>Retry-After</c> dates.</param>
/// <param name="waiting">Told before each wait, with why (shown on the progress line).</param>
public sealed class GatewayClient(HttpClient http, string key, RetryPolicy? policy = null, Func<TimeSpan, CancellationToken, Task>? delay = null,
    TimeProvider? clock = null, Action<string, TimeSpan>? waiting = null)
{
    private readonly RetryPolicy _policy = policy ?? new RetryPolicy();
    private readonly Func<TimeSpan, CancellationToken, Task> _delay = delay ?? ((wait, token) => Task.Delay(wait, token));
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Requests sent, retries included.</summary>
    public int Requests { get; private set; }

    /// <summary>429 answers met.</summary>
    public int TooManyRequests { get; private set; }

    /// <summary>Retries after server errors or lost connections.</summary>
    public int Retries { get; private set; }

    /// <summary>POSTs <paramref name="body"/> as <paramref name="contentType"/> to <paramref name="path"/>, retrying as the policy says.</summary>
    public async Task<SendOutcome> PostAsync(string path, ReadOnlyMemory<byte> body, string contentType, CancellationToken cancellationToken)
    {
        var serverErrors = 0;
        var throttled = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ReadOnlyMemoryContent(body) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            request.Headers.Add("X-Api-Key", key);
            request.Headers.Accept.ParseAdd("application/json");
            string failure;
            TimeSpan? asked = null;
            try
            {
                Requests++;
                using var response = await http.SendAsync(request, cancellationToken);
                var status = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode) return Parse(status, text);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    TooManyRequests++;
                    if (++throttled >= _policy.TooManyRequestsAttempts) return new SendOutcome.GaveUp($"the gateway answered 429 (too many requests) {throttled} times in a row");
                    var wait = RetryAfter.Parse(response.Headers.TryGetValues("Retry-After", out var values) ? values.FirstOrDefault() : null, _clock.GetUtcNow())
                        ?? _policy.DefaultRetryAfter ?? TimeSpan.FromSeconds(1);
                    waiting?.Invoke("429 too many requests", wait);
                    await _delay(wait, cancellationToken);
                    continue;
                }
                if (status is 401 or 403) return new SendOutcome.GaveUp($"the gateway answered {status}: {ProblemText(text, response.ReasonPhrase)}");
                // 404 or 405 means no batch endpoint here: the --gateway address is wrong, and every batch would meet the same.
                if (status is 404 or 405) return new SendOutcome.GaveUp($"{http.BaseAddress}{path.TrimStart('/')} answered {status}: is --gateway the NewsMonitor gateway?");
                if (status < 500) return new SendOutcome.Refused(status, ProblemText(text, response.ReasonPhrase));
                failure = $"the gateway answered {status}: {ProblemText(text, response.ReasonPhrase)}";
                if (status == 503) asked = RetryAfter.Parse(response.Headers.TryGetValues("Retry-After", out var values) ? values.FirstOrDefault() : null, _clock.GetUtcNow());
            }
            catch (HttpRequestException exception)
            {
                failure = $"the gateway at {http.BaseAddress} is unreachable: {exception.Message}";
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"the gateway did not answer within {http.Timeout.TotalSeconds:0} s";
            }
            if (++serverErrors >= _policy.ServerErrorAttempts) return new SendOutcome.GaveUp($"{failure} (tried {serverErrors} times)");
            Retries++;
            var backoff = asked ?? RetryAfter.Backoff(serverErrors, Random.Shared.NextDouble());
            waiting?.Invoke(failure, backoff);
            await _delay(backoff, cancellationToken);
        }
    }

    private static SendOutcome Parse(int status, string text)
    {
        try
        {
            return new SendOutcome.Answered(status, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
        }
        catch (JsonException)
        {
            return new SendOutcome.GaveUp($"the gateway answered {status} with something that is not JSON: is --gateway the NewsMonitor gateway?");
        }
    }

    /// <summary>The problem+json's title and detail (RFC 9457), or the reason phrase when the body is not one.</summary>
    public static string ProblemText(string body, string? reasonPhrase)
    {
        try
        {
            var problem = JsonDocument.Parse(body).RootElement;
            if (problem.ValueKind == JsonValueKind.Object)
            {
                var title = problem.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                var detail = problem.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                if (title is not null || detail is not null) return string.Join(": ", new[] { title, detail }.Where(part => !string.IsNullOrEmpty(part)));
            }
        }
        catch (JsonException) { }
        return string.IsNullOrEmpty(reasonPhrase) ? "no reason given" : reasonPhrase;
    }
}
