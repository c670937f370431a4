using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NewsMonitor.Import.Http;
using NewsMonitor.Testing;

namespace NewsMonitor.Import.Tests;

/// <summary>The client against a real loopback HTTP server that answers as the gateway does when it is busy, failing or refusing.</summary>
public sealed class GatewayClientTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private sealed class Peer : IAsyncDisposable
    {
        public List<string> Bodies { get; } = [];

        public List<string?> Keys { get; } = [];

        public WebApplication App { get; private set; } = null!;

        public static async Task<Peer> StartAsync(Func<int, IResult> answer)
        {
            var peer = new Peer();
            peer.App = await LoopbackHttpServer.StartAsync(app => app.MapPost("/api/v1/articles/batch", async (HttpRequest request) =>
            {
                using var reader = new StreamReader(request.Body);
                int count;
                lock (peer.Bodies)
                {
                    peer.Keys.Add(request.Headers["X-Api-Key"]);
                    count = peer.Bodies.Count;
                }
                var body = await reader.ReadToEndAsync();
                lock (peer.Bodies) peer.Bodies.Add(body);
                return answer(count);
            }));
            return peer;
        }

        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }

    private static (GatewayClient Client, List<TimeSpan> Waits, HttpClient Http) ClientOf(string address, RetryPolicy? policy = null)
    {
        var waits = new List<TimeSpan>();
        var http = new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/") };
        return (new GatewayClient(http, "nm_test-key", policy, (wait, _) => { waits.Add(wait); return Task.CompletedTask; }), waits, http);
    }

    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"title\":\"t\",\"body\":\"b\"}\n");

    private static IResult Answer() => Results.Json(new { items = new[] { new { index = 0, status = "accepted" } }, accepted = 1, duplicates = 0, invalid = 0 });

    [Fact]
    public async Task A_429_is_waited_out_for_its_retry_after_and_the_same_batch_is_sent_again()
    {
        await using var peer = await Peer.StartAsync(count => count < 2
            ? Results.Problem(statusCode: 429, title: "Too many requests").WithRetryAfter("3")
            : Answer());
        var (client, waits, http) = ClientOf(LoopbackHttpServer.AddressOf(peer.App));
        using var _ = http;
        var outcome = await client.PostAsync("api/v1/articles/batch", Body, "application/x-ndjson", Cancel);

        Assert.IsType<SendOutcome.Answered>(outcome);
        Assert.Equal([TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)], waits);
        Assert.Equal(3, peer.Bodies.Count);
        Assert.All(peer.Bodies, body => Assert.Equal(Encoding.UTF8.GetString(Body), body));
        Assert.All(peer.Keys, key => Assert.Equal("nm_test-key", key));
        Assert.Equal((3, 2, 0), (client.Requests, client.TooManyRequests, client.Retries));
    }

    [Fact]
    public async Task Server_errors_are_retried_with_growing_backoff_then_given_up()
    {
        await using var peer = await Peer.StartAsync(_ => Results.Problem(statusCode: 502, title: "Bad gateway", detail: "ingestion is down"));
        var (client, waits, http) = ClientOf(LoopbackHttpServer.AddressOf(peer.App), new RetryPolicy(ServerErrorAttempts: 4));
        using var _ = http;
        var outcome = await client.PostAsync("api/v1/articles/batch", Body, "application/x-ndjson", Cancel);

        var gaveUp = Assert.IsType<SendOutcome.GaveUp>(outcome);
        Assert.Contains("502", gaveUp.Reason, StringComparison.Ordinal);
        Assert.Contains("ingestion is down", gaveUp.Reason, StringComparison.Ordinal);
        Assert.Equal(4, peer.Bodies.Count);
        Assert.Equal(3, waits.Count);
        Assert.InRange(waits[0], TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
        Assert.InRange(waits[2], TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task A_server_error_then_success_is_answered()
    {
        await using var peer = await Peer.StartAsync(count => count == 0 ? Results.StatusCode(500) : Answer());
        var (client, waits, http) = ClientOf(LoopbackHttpServer.AddressOf(peer.App));
        using var _ = http;
        Assert.IsType<SendOutcome.Answered>(await client.PostAsync("api/v1/articles/batch", Body, "application/x-ndjson", Cancel));
        Assert.Single(waits);
        Assert.Equal(1, client.Retries);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task A_refused_key_gives_up_at_once_with_the_problem(int status)
    {
        await using var peer = await Peer.StartAsync(_ => Results.Problem(statusCode: status, title: "Forbidden", detail: "This key's role may not."));
        var (client, waits, http) = ClientOf(LoopbackHttpServer.AddressOf(peer.App));
        using var _ = http;
        var gaveUp = Assert.IsType<SendOutcome.GaveUp>(await client.PostAsync("api/v1/articles/batch", Body, "application/x-ndjson", Cancel));
        Assert.Contains("This key's role may not.", gaveUp.Reason, StringComparison.Ordinal);
        Assert.Single(peer.Bodies);
        Assert.Empty(waits);
    }

    [Fact]
    public async Task A_request_the_gateway_refuses_as_such_is_refused_with_its_reason_and_not_retried()
    {
        await using var peer = await Peer.StartAsync(_ => Results.Problem(statusCode: 400, title: "Batch too large", detail: "The batch has 1200 items; the limit is 1000."));
        var (client, waits, http) = ClientOf(LoopbackHttpServer.AddressOf(peer.App));
        using var _ = http;
        var refused = Assert.IsType<SendOutcome.Refused>(await client.PostAsync("api/v1/articles/batch", Body, "application/x-ndjson", Cancel));
        Assert.Equal(400, refused.Status);
        Assert.Equal("Batch too large: The batch has 1200 items; the limit is 1000.", refused.Reason);
        Assert.Empty(waits);
    }

    [Fact]
    public async Task An_address_where_nothing_listens_is_retried_then_given_up_as_unreachable()
    {
        var (client, waits, http) = ClientOf("http://127.0.0.1:1", new RetryPolicy(ServerErrorAttempts: 3));
        using var _ = http;
        var gaveUp = Assert.IsType<SendOutcome.GaveUp>(await client.PostAsync("api/v1/articles/batch", Body, "application/x-ndjson", Cancel));
        Assert.Contains("unreachable", gaveUp.Reason, StringComparison.Ordinal);
        Assert.Equal(2, waits.Count);
        Assert.Equal(3, client.Requests);
    }

    [Fact]
    public async Task A_path_the_server_does_not_have_gives_up_naming_the_gateway_option()
    {
        await using var peer = await Peer.StartAsync(_ => Answer());
        var (client, _, http) = ClientOf(LoopbackHttpServer.AddressOf(peer.App));
        using var __ = http;
        var gaveUp = Assert.IsType<SendOutcome.GaveUp>(await client.PostAsync("api/v1/elsewhere", Body, "application/x-ndjson", Cancel));
        Assert.Contains("--gateway", gaveUp.Reason, StringComparison.Ordinal);
    }
}

internal static class ResultExtensions
{
    /// <summary>The result with a <c>Retry-After</c> header, as the gateway's rate limiter sends it.</summary>
    public static IResult WithRetryAfter(this IResult result, string value) => new WithHeader(result, "Retry-After", value);

    private sealed class WithHeader(IResult inner, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
