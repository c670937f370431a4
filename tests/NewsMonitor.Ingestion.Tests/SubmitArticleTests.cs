using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.Testing;

namespace NewsMonitor.Ingestion.Tests;

/// <summary>
/// Ingestion with a second bus in its virtual host standing in for the sources service: it sends
/// <see cref="SubmitArticle"/> requests through RabbitMQ as that service does.
/// </summary>
public sealed class SubmitArticleFixture() : ServiceFixture<Program>("submit"), IAsyncLifetime
{
    private IBusControl? _sender;

    protected override Type[] ProbedMessages => [typeof(ArticleReceived)];

    /// <summary>A request client on the sender bus, addressed by message type as the sources service does.</summary>
    public IRequestClient<SubmitArticle> Requests { get; private set; } = null!;

    /// <summary>Starts the service (so its queue is bound) and the sender bus.</summary>
    public async Task StartAsync()
    {
        if (_sender is not null) return;
        _ = Service.Services; // builds and starts the host: the service's queues are bound when this returns
        var sender = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host("127.0.0.1", TestInfrastructure.RabbitPort, VirtualHost, host =>
        {
            host.Username(TestInfrastructure.RabbitUserOf(VirtualHost));
            host.Password(TestInfrastructure.RabbitPassword);
        }));
        await sender.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        _sender = sender;
        Requests = sender.CreateRequestClient<SubmitArticle>(RequestTimeout.After(s: 30));
    }

    /// <summary>Stops the sender bus before the service and its virtual host go (re-implements <see cref="IAsyncDisposable"/>).</summary>
    public new async ValueTask DisposeAsync()
    {
        if (_sender is not null) await _sender.StopAsync();
        await base.DisposeAsync();
    }
}

/// <summary>The intake command: every outcome comes back as an answer, through the same path as <c>POST /api/v1/articles</c>.</summary>
public sealed class SubmitArticleTests(SubmitArticleFixture fixture) : IClassFixture<SubmitArticleFixture>
{
    // Each command's body is a text of its own unless the test gives one: near copies are found across tests of the class.
    private static SubmitArticle Command(Guid source, string marker, string? url = null, string? body = null, string? title = null) => new(
        source, "item-" + marker, url, title ?? "قمة الناتو " + marker, body ?? Republication.UniqueBody(new Random(), 60) + " " + marker,
        null, "وكالة الاختبار", DateTimeOffset.Parse("2026-11-29T10:00:00Z"), "مراسل " + marker);

    private async Task<ArticleSubmissionResult> SendAsync(SubmitArticle command)
    {
        await fixture.StartAsync();
        var response = await fixture.Requests.GetResponse<ArticleSubmissionResult>(command, TestContext.Current.CancellationToken);
        return response.Message;
    }

    [Fact]
    public async Task A_new_article_is_accepted_stored_with_source_and_author_and_published()
    {
        var source = Guid.NewGuid();
        var marker = Guid.NewGuid().ToString("N");

        var result = await SendAsync(Command(source, marker, url: $"https://example.test/news/{marker}"));

        Assert.Equal("accepted", result.Outcome);
        Assert.Equal(source, result.SourceId);
        Assert.Equal("item-" + marker, result.ItemKey);
        Assert.NotNull(result.ArticleId);
        Assert.Null(result.Reason);
        var id = result.ArticleId.Value;
        var received = await fixture.Probe.WaitForAsync<ArticleReceived>(m => m.ArticleId == id, "ArticleReceived of the command's article");
        Assert.Equal("وكالة الاختبار", received.Source);
        Assert.Equal($"https://example.test/news/{marker}", received.Url);

        var article = await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{id}", TestContext.Current.CancellationToken);
        Assert.Equal("وكالة الاختبار", article.GetProperty("source").GetString());
        Assert.Equal("مراسل " + marker, article.GetProperty("author").GetString());
        Assert.Equal("ar", article.GetProperty("language").GetString());
    }

    [Fact]
    public async Task The_same_url_again_is_a_duplicate_of_the_stored_article_and_stores_nothing()
    {
        var source = Guid.NewGuid();
        var marker = Guid.NewGuid().ToString("N");
        var url = $"https://example.test/news/{marker}";
        var first = await SendAsync(Command(source, marker, url: url));

        // Tracking noise and the scheme do not make another article: the canonical URL is the same.
        var again = await SendAsync(Command(source, marker + "-again", url: url.Replace("https:", "http:") + "?utm_source=feed"));

        Assert.Equal("accepted", first.Outcome);
        Assert.Equal("duplicate", again.Outcome);
        Assert.Equal(first.ArticleId, again.ArticleId);
        Assert.Equal("item-" + marker + "-again", again.ItemKey);
        Assert.Equal(1, await EventStoreProbe.CountAsync(fixture.Schema, first.ArticleId!.Value, "article_submitted"));
    }

    [Fact]
    public async Task Invalid_items_are_rejected_with_the_reason_and_nothing_is_stored()
    {
        var source = Guid.NewGuid();
        var marker = Guid.NewGuid().ToString("N");
        var before = await fixture.StoredEventsAsync("article_submitted");

        var noBody = await SendAsync(Command(source, marker + "-a", body: "   "));
        var nul = await SendAsync(Command(source, marker + "-b", title: "عنوان\0مكسور"));
        var badUrl = await SendAsync(Command(source, marker + "-c", url: "javascript:alert(1)"));

        Assert.All(new[] { noBody, nul, badUrl }, result =>
        {
            Assert.Equal("rejected", result.Outcome);
            Assert.Null(result.ArticleId);
            Assert.Equal(source, result.SourceId);
        });
        Assert.Equal("item-" + marker + "-a", noBody.ItemKey);
        Assert.StartsWith("body: A body is required.", noBody.Reason);
        Assert.Contains("title:", nul.Reason);
        Assert.Contains("NUL", nul.Reason);
        Assert.StartsWith("url: ", badUrl.Reason);
        Assert.Equal(before, await fixture.StoredEventsAsync("article_submitted"));
    }

    [Fact]
    public async Task An_undeclared_language_is_detected_and_shown_with_its_confidence_a_declared_one_is_kept()
    {
        var source = Guid.NewGuid();
        var marker = Guid.NewGuid().ToString("N");
        const string english = "NATO leaders met in London on Tuesday to discuss defence spending and relations with Russia; the secretary general said the alliance faces new challenges.";

        var detected = await SendAsync(Command(source, marker + "-en", title: "NATO summit " + marker, body: english));
        var declared = await SendAsync(Command(source, marker + "-de", title: "NATO-Gipfel " + marker, body: english) with { Language = "de" });

        var id = detected.ArticleId!.Value;
        var received = await fixture.Probe.WaitForAsync<ArticleReceived>(m => m.ArticleId == id, "ArticleReceived of the English article");
        Assert.Equal("en", received.Language);
        Assert.InRange(received.LanguageConfidence!.Value, 0.5, 1.0);
        var view = await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{id}", TestContext.Current.CancellationToken);
        Assert.Equal("en", view.GetProperty("language").GetString());
        Assert.Equal(received.LanguageConfidence.Value, view.GetProperty("languageConfidence").GetDouble());

        var kept = await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{declared.ArticleId}", TestContext.Current.CancellationToken);
        Assert.Equal("de", kept.GetProperty("language").GetString());
        Assert.Equal(JsonValueKind.Null, kept.GetProperty("languageConfidence").ValueKind);
    }

    [Fact]
    public async Task Copies_are_answered_duplicate_by_text_and_nearDuplicate_with_the_original()
    {
        var source = Guid.NewGuid();
        var marker = Guid.NewGuid().ToString("N");
        var random = new Random(1415);
        var body = Republication.UniqueBody(random, 250);
        var original = await SendAsync(Command(source, marker, url: $"https://agency.example/{marker}", body: body));

        var sameText = await SendAsync(Command(source, marker + "-same", url: $"https://mirror.example/{marker}", body: body, title: "قمة الناتو " + marker));
        var near = await SendAsync(Command(source, marker + "-near", url: $"https://paper.example/{marker}", body: Republication.Edited(body, random), title: "عنوان جديد " + marker));

        Assert.Equal("accepted", original.Outcome);
        Assert.Equal("duplicate", sameText.Outcome);
        Assert.Equal(original.ArticleId, sameText.ArticleId);
        Assert.Equal(original.ArticleId, sameText.DuplicateOf);
        Assert.Equal("nearDuplicate", near.Outcome);
        Assert.NotEqual(original.ArticleId, near.ArticleId);
        Assert.Equal(original.ArticleId, near.DuplicateOf);
        Assert.InRange(near.Similarity!.Value, 0.3, 0.99);
    }
}
