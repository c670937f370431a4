using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Contracts;
using NewsMonitor.Testing;

namespace NewsMonitor.Classification.Tests;

/// <summary>Its own service: operator topics apply to every article the service sees.</summary>
public sealed class OperatorTopicsFixture() : ServiceFixture<Program>("optopics")
{
    protected override Type[] ProbedMessages => [typeof(ArticleClassified)];

    /// <summary>Waits until every event stored so far has been published by the relay and recorded by the probe.</summary>
    public Task SettledAsync() => Probe.SettleAsync(Schema, "classification-relay");
}

/// <summary>Operator-defined topics over the API, on real PostgreSQL and RabbitMQ.</summary>
public sealed class OperatorTopicsServiceTests(OperatorTopicsFixture fixture) : IClassFixture<OperatorTopicsFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static ArticleReceived Received(Guid id, string sampleId, DateTimeOffset? receivedAt = null)
    {
        var sample = SampleArticles.Get(sampleId);
        var at = receivedAt ?? DateTimeOffset.UtcNow;
        return new ArticleReceived(id, sample.Title, sample.Body, null, "ar", "test", null, at, at);
    }

    private Task<ArticleClassified> ClassifiedAsync(Guid id, Func<ArticleClassified, bool>? which = null) =>
        fixture.Probe.WaitForAsync<ArticleClassified>(m => m.ArticleId == id && (which?.Invoke(m) ?? true), "ArticleClassified");

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string? role = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (role is not null) request.Headers.Add("X-NewsMonitor-Role", role);
        return await fixture.Client.SendAsync(request, Cancel);
    }

    private async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
    }

    [Fact]
    public async Task A_defined_topic_is_listed_and_assigned_to_new_articles_with_what_matched()
    {
        var created = await SendAsync(HttpMethod.Post, "/api/v1/topics", new { label = "rutte-watch", rule = "روته OR \"Mark Rutte\"", description = "NATO's secretary general" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/v1/topics/rutte-watch", created.Headers.Location!.OriginalString);
        // Defining it again with the same rule is idempotent.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/api/v1/topics", new { label = "rutte-watch", rule = "روته OR \"Mark Rutte\"" })).StatusCode);

        var taxonomy = await fixture.Client.GetFromJsonAsync<JsonElement>("/api/v1/topics", Cancel);
        var listed = taxonomy.GetProperty("topics").EnumerateArray().Single(t => t.GetProperty("label").GetString() == "rutte-watch");
        Assert.Equal("operator", listed.GetProperty("kind").GetString());
        Assert.Equal("روته OR \"Mark Rutte\"", listed.GetProperty("rule").GetString());

        var rutte = Guid.NewGuid();
        var other = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(rutte, "blinken-rutte-brussels"));
        await fixture.Probe.PublishAsync(Received(other, "nato-london-summit-2019"));
        var classified = await ClassifiedAsync(rutte);
        Assert.Equal(new TopicScore("rutte-watch", 1.0), classified.Topics[0]);
        Assert.DoesNotContain((await ClassifiedAsync(other)).Topics, topic => topic.Label == "rutte-watch");

        var topics = await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{rutte}/topics", Cancel);
        var match = Assert.Single(topics.GetProperty("operatorTopics").EnumerateArray());
        Assert.Equal("rutte-watch", match.GetProperty("label").GetString());
        Assert.Contains("روته", match.GetProperty("matched").EnumerateArray().Select(term => term.GetString()));
        var byTopic = await fixture.Client.GetFromJsonAsync<JsonElement>("/api/v1/topics/rutte-watch/articles", Cancel);
        Assert.Equal([rutte], byTopic.GetProperty("articles").EnumerateArray().Select(a => a.GetProperty("articleId").GetGuid()));
    }

    [Fact]
    public async Task A_topic_filtering_on_entities_is_decided_when_the_entities_arrive_and_published_once()
    {
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, "/api/v1/topics",
            new { label = "defense-spending", rule = "(الإنفاق الدفاعي OR \"defense spending\" OR الإنفاق OR إنفاق) AND entity:NATO" })).StatusCode);
        try
        {
            var id = Guid.NewGuid();
            using var consumed = ConsumeProbe.Start(fixture.Service.Services);
            await fixture.Probe.PublishAsync(Received(id, "blinken-rutte-brussels"));
            // Waiting for the entities: the text is noted (with whatever topics it decides, in the same append), nothing is
            // assigned or published, and the topics answer 404 as still processing.
            await Eventually.TrueAsync(async () => await EventStoreProbe.CountAsync(fixture.Schema, id, "article_text_noted") == 1, "the text noted");
            Assert.Equal(0, await EventStoreProbe.CountAsync(fixture.Schema, id, "article_topics_assigned"));
            await fixture.SettledAsync();
            Assert.DoesNotContain(fixture.Probe.Received<ArticleClassified>(), m => m.ArticleId == id);
            Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/v1/articles/{id}/topics")).StatusCode);

            var entities = new EntitiesExtracted(id, [new ExtractedEntity("nato", "ORG", "NATO", [new EntityMention("الناتو", 10, 6)])], "test", DateTimeOffset.UtcNow);
            await Task.WhenAll(fixture.Probe.PublishAsync(entities), fixture.Probe.PublishAsync(entities));
            var classified = await ClassifiedAsync(id);
            Assert.Equal("defense-spending", classified.Topics[0].Label);
            await consumed.WaitForAsync<EntitiesExtracted>(m => m.ArticleId == id, "both copies of the entities consumed", count: 2);
            Assert.Equal(1, await EventStoreProbe.CountAsync(fixture.Schema, id, "article_topics_assigned"));
            await fixture.SettledAsync();
            Assert.Single(fixture.Probe.Received<ArticleClassified>(), m => m.ArticleId == id);
        }
        finally
        {
            Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, "/api/v1/topics/defense-spending")).StatusCode);
        }
        // Retired: new articles are classified at once again, without it.
        var after = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(after, "nato-washington-summit-2024"));
        Assert.DoesNotContain((await ClassifiedAsync(after)).Topics, topic => topic.Label == "defense-spending");
    }

    [Fact]
    public async Task Applying_a_topic_to_history_labels_older_articles_once_and_moves_them_in_the_timeline()
    {
        var receivedAt = DateTimeOffset.UtcNow.AddHours(-3);
        var old = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(old, "nato-london-summit-2019", receivedAt));
        var before = await ClassifiedAsync(old);
        Assert.DoesNotContain(before.Topics, topic => topic.Label == "london-talks");
        // "بالقرب من لندن … بيان مشترك للقمة": the summit (للقمة, a clitic away) is ten words after London.

        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, "/api/v1/topics", new { label = "london-talks", rule = "لندن NEAR/10 قمة OR \"London summit\"" })).StatusCode);
        var range = $"from={Uri.EscapeDataString(receivedAt.AddSeconds(-1).ToString("O"))}&to={Uri.EscapeDataString(receivedAt.AddSeconds(1).ToString("O"))}";
        var applied = await (await SendAsync(HttpMethod.Post, $"/api/v1/topics/london-talks/apply?{range}")).Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal(1, applied.GetProperty("examined").GetInt32());
        Assert.Equal(1, applied.GetProperty("changed").GetInt32());
        Assert.Equal(JsonValueKind.Null, applied.GetProperty("next").ValueKind);

        var relabelled = await ClassifiedAsync(old, m => m.Topics.Any(topic => topic.Label == "london-talks"));
        Assert.Equal(before.Topics.Select(t => t.Label), relabelled.Topics.Skip(1).Select(t => t.Label));
        // Applying again changes nothing.
        var again = await (await SendAsync(HttpMethod.Post, $"/api/v1/topics/london-talks/apply?{range}")).Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal(0, again.GetProperty("changed").GetInt32());

        // The article counts under the operator label in the hour it was received, not when the topic was applied.
        var hour = await Eventually.GetAsync(async () =>
        {
            var view = await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/topics/london-talks/timeline?bucket=hour", Cancel);
            var counted = view.GetProperty("items").EnumerateArray().Where(item => item.GetProperty("articles").GetInt32() > 0).ToList();
            return counted.Count == 1 ? (object)counted[0] : null;
        }, "timeline of london-talks");
        Assert.Equal(new DateTimeOffset(receivedAt.Year, receivedAt.Month, receivedAt.Day, receivedAt.Hour, 0, 0, TimeSpan.Zero), ((JsonElement)hour).GetProperty("start").GetDateTimeOffset());

        // Retired and applied again: the label leaves the article.
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, "/api/v1/topics/london-talks")).StatusCode);
        var removed = await (await SendAsync(HttpMethod.Post, $"/api/v1/topics/london-talks/apply?{range}")).Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal(1, removed.GetProperty("changed").GetInt32());
        var topics = await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{old}/topics", Cancel);
        Assert.DoesNotContain(topics.GetProperty("topics").EnumerateArray(), t => t.GetProperty("label").GetString() == "london-talks");
    }

    [Fact]
    public async Task Bad_definitions_are_refused_with_a_problem_naming_what_is_wrong_and_nothing_is_stored()
    {
        // What a definition stores goes to the one stream of operator topics; other tests' articles may still be gaining
        // events elsewhere in the schema, so only that stream counts. (The refused applies name no topic and read no article.)
        var events = await EventStoreProbe.CountAsync(fixture.Schema, NewsMonitor.Classification.Topics.OperatorTopicSet.StreamId);

        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, "/api/v1/topics", new { label = "x-y", rule = "قمة" }, role: "subscriber")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, "/api/v1/topics/x-y/apply", role: "integrator")).StatusCode);

        var badLabel = await ProblemAsync(await SendAsync(HttpMethod.Post, "/api/v1/topics", new { label = "Defense Spending", rule = "قمة" }), HttpStatusCode.BadRequest);
        Assert.True(badLabel.GetProperty("errors").TryGetProperty("label", out _));
        var builtIn = await ProblemAsync(await SendAsync(HttpMethod.Post, "/api/v1/topics", new { label = "politics", rule = "قمة" }), HttpStatusCode.BadRequest);
        Assert.Contains("built-in", builtIn.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var badRule = await ProblemAsync(await SendAsync(HttpMethod.Post, "/api/v1/topics", new { label = "broken", rule = "(قمة AND" }), HttpStatusCode.BadRequest);
        Assert.True(badRule.GetProperty("errors").TryGetProperty("rule", out _));
        Assert.Equal(8, badRule.GetProperty("rulePosition").GetInt32());
        var notOnly = await ProblemAsync(await SendAsync(HttpMethod.Post, "/api/v1/topics", new { label = "broken", rule = "NOT قمة" }), HttpStatusCode.BadRequest);
        Assert.Contains("none of its words", notOnly.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var operatorFilter = await ProblemAsync(await SendAsync(HttpMethod.Post, "/api/v1/topics", new { label = "broken", rule = "قمة AND topic:rutte-watch" }), HttpStatusCode.BadRequest);
        Assert.Contains("built-in labels", operatorFilter.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await ProblemAsync(await SendAsync(HttpMethod.Post, "/api/v1/topics", null), HttpStatusCode.BadRequest);
        await ProblemAsync(await SendAsync(HttpMethod.Put, "/api/v1/topics/never-defined", new { rule = "قمة" }), HttpStatusCode.NotFound);
        await ProblemAsync(await SendAsync(HttpMethod.Delete, "/api/v1/topics/never-defined"), HttpStatusCode.NotFound);
        await ProblemAsync(await SendAsync(HttpMethod.Post, "/api/v1/topics/never-defined/apply"), HttpStatusCode.NotFound);
        await ProblemAsync(await SendAsync(HttpMethod.Post, "/api/v1/topics/never-defined/apply?limit=0"), HttpStatusCode.BadRequest);
        Assert.Equal(events, await EventStoreProbe.CountAsync(fixture.Schema, NewsMonitor.Classification.Topics.OperatorTopicSet.StreamId));

        // A label in use with another rule conflicts; PUT changes the rule.
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, "/api/v1/topics", new { label = "summits", rule = "قمة" })).StatusCode);
        await ProblemAsync(await SendAsync(HttpMethod.Post, "/api/v1/topics", new { label = "summits", rule = "summit" }), HttpStatusCode.Conflict);
        var changed = await (await SendAsync(HttpMethod.Put, "/api/v1/topics/summits", new { rule = "قمة OR summit" })).Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal("قمة OR summit", changed.GetProperty("rule").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, "/api/v1/topics/summits")).StatusCode);
    }
}
