using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewsMonitor.Contracts;
using NewsMonitor.Testing;

namespace NewsMonitor.Entities.Tests;

public sealed class EntitiesFixture() : ServiceFixture<Program>("entities")
{
    protected override Type[] ProbedMessages => [typeof(EntitiesExtracted)];

    /// <summary>Waits until every event stored so far has been published by the relay and recorded by the probe.</summary>
    public Task SettledAsync() => Probe.SettleAsync(Schema, "entities-relay");
}

/// <summary>Given ArticleReceived on RabbitMQ, the service stores entities once and publishes EntitiesExtracted once.</summary>
public sealed class EntitiesServiceTests(EntitiesFixture fixture) : IClassFixture<EntitiesFixture>
{
    private static ArticleReceived Received(Guid id, string body) =>
        new(id, "عنوان", body, null, "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_received_article_gets_entities_with_offsets_and_they_are_published()
    {
        var id = Guid.NewGuid();
        var body = SampleArticles.Get("blinken-rutte-brussels").Body;
        await fixture.Probe.PublishAsync(Received(id, body));

        var extracted = await fixture.Probe.WaitForAsync<EntitiesExtracted>(m => m.ArticleId == id, "EntitiesExtracted");
        Assert.Contains(extracted.Entities, entity => entity.Id == "mark-rutte" && entity.Type == "PERSON");

        var view = await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{id}/entities", TestContext.Current.CancellationToken);
        var nato = view.GetProperty("entities").EnumerateArray().Single(entity => entity.GetProperty("id").GetString() == "nato");
        Assert.Equal("NATO", nato.GetProperty("name").GetString());
        foreach (var mention in nato.GetProperty("mentions").EnumerateArray())
        {
            Assert.Equal(mention.GetProperty("text").GetString(), body.Substring(mention.GetProperty("start").GetInt32(), mention.GetProperty("length").GetInt32()));
        }

        var articles = await fixture.Client.GetFromJsonAsync<JsonElement>("/api/v1/entities/mark-rutte/articles", TestContext.Current.CancellationToken);
        Assert.Contains(articles.GetProperty("articles").EnumerateArray(), a => a.GetProperty("articleId").GetGuid() == id);
    }

    [Fact]
    public async Task A_redelivered_article_is_extracted_once()
    {
        var id = Guid.NewGuid();
        var message = Received(id, "اجتمع قادة الناتو في لندن");
        using var consumed = ConsumeProbe.Start(fixture.Service.Services);
        await Task.WhenAll(fixture.Probe.PublishAsync(message), fixture.Probe.PublishAsync(message));

        await fixture.Probe.WaitForAsync<EntitiesExtracted>(m => m.ArticleId == id, "EntitiesExtracted");
        // Both copies consumed, so all they stored is committed; then all that is stored has been relayed and recorded.
        await consumed.WaitForAsync<ArticleReceived>(m => m.ArticleId == id, "both copies consumed", count: 2);
        Assert.Equal(1, await EventStoreProbe.CountAsync(fixture.Schema, id, "article_entities_extracted"));
        await fixture.SettledAsync();
        Assert.Single(fixture.Probe.Received<EntitiesExtracted>(), m => m.ArticleId == id);
    }

    [Fact]
    public async Task Articles_taken_in_one_batch_each_keep_their_own_trace_and_are_extracted_once()
    {
        using var listener = Tracing.ListenToAll();
        var traces = new Dictionary<Guid, string>();
        var publishes = new List<Task>();
        foreach (var id in Enumerable.Range(0, 12).Select(_ => Guid.NewGuid()))
        {
            using var sender = new Activity("test publish").Start();
            traces[id] = sender.TraceId.ToHexString();
            publishes.Add(fixture.Probe.PublishAsync(Received(id, "اجتمع قادة الناتو في لندن " + id)));
        }
        await Task.WhenAll(publishes);

        foreach (var (id, trace) in traces)
        {
            var extracted = await fixture.Probe.WaitForAsync<EntitiesExtracted>(m => m.ArticleId == id, "EntitiesExtracted");
            Assert.Equal(trace, fixture.Probe.TraceOf(extracted));
            Assert.Equal(1, await EventStoreProbe.CountAsync(fixture.Schema, id, "article_entities_extracted"));
        }
    }

    [Fact]
    public async Task A_poison_message_in_a_batch_is_parked_alone_and_the_rest_of_its_batch_is_extracted()
    {
        var ids = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToList();
        // An article without an id can never be stored: it fails every time it is decided.
        var publishes = ids.Select(id => fixture.Probe.PublishAsync(Received(id, "اجتمع قادة الناتو في لندن " + id))).ToList();
        publishes.Insert(5, fixture.Probe.PublishAsync(Received(Guid.Empty, "اجتمع قادة الناتو في لندن")));
        await Task.WhenAll(publishes);

        foreach (var id in ids)
        {
            await fixture.Probe.WaitForAsync<EntitiesExtracted>(m => m.ArticleId == id, "EntitiesExtracted");
            Assert.Equal(1, await EventStoreProbe.CountAsync(fixture.Schema, id, "article_entities_extracted"));
        }
        // Retried on its own (five quick tries, about 10 s), then parked; the others are not parked with it.
        await Eventually.TrueAsync(async () => await ParkedMessages.CountAsync(fixture.VirtualHost, "entities-extract-entities_error", TestContext.Current.CancellationToken) == 1,
            "the poison message parked", TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(6), TestContext.Current.CancellationToken);
        Assert.Equal(1, await ParkedMessages.CountAsync(fixture.VirtualHost, "entities-extract-entities_error", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Entities_are_found_by_any_alias()
    {
        var found = await fixture.Client.GetFromJsonAsync<JsonElement>("/api/v1/entities?q=" + Uri.EscapeDataString("حلف شمال الأطلسى"), TestContext.Current.CancellationToken);
        Assert.Equal("nato", found.GetProperty("items")[0].GetProperty("id").GetString());
        var latin = await fixture.Client.GetFromJsonAsync<JsonElement>("/api/v1/entities?q=rutte&type=PERSON", TestContext.Current.CancellationToken);
        Assert.Equal("mark-rutte", latin.GetProperty("items")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Entities_of_an_unknown_article_answer_404_problem()
    {
        var response = await fixture.Client.GetAsync($"/api/v1/articles/{Guid.NewGuid()}/entities", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }
}

/// <summary>Profiles, trending, topic mix and operators' catalog edits, through the service's HTTP API.</summary>
public sealed class EntityProfileTests(EntitiesFixture fixture) : IClassFixture<EntitiesFixture>
{
    private static ArticleReceived Received(Guid id, string body) =>
        new(id, "عنوان", body, null, "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    private async Task<Guid> ExtractAsync(string body)
    {
        var id = Guid.NewGuid();
        await fixture.Probe.PublishAsync(Received(id, body));
        await fixture.Probe.WaitForAsync<EntitiesExtracted>(m => m.ArticleId == id, "EntitiesExtracted");
        return id;
    }

    private Task<JsonElement> GetAsync(string path) => fixture.Client.GetFromJsonAsync<JsonElement>(path, TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_profile_counts_mentions_articles_names_partners_and_topics()
    {
        var first = await ExtractAsync("قال الأمين العام لحلف الناتو مارك روته في بروكسل إن روته سيزور كييف.");
        await fixture.Probe.PublishAsync(new ArticleClassified(first, [new TopicScore("defense", 0.9), new TopicScore("international", 0.7)], "test-model", DateTimeOffset.UtcNow));
        // Topics first, entities second: the second event carries the first's facts.
        var second = Guid.NewGuid();
        using (var consumed = ConsumeProbe.Start(fixture.Service.Services))
        {
            await fixture.Probe.PublishAsync(new ArticleClassified(second, [new TopicScore("defense", 0.8)], "test-model", DateTimeOffset.UtcNow));
            await consumed.WaitForAsync<ArticleClassified>(m => m.ArticleId == second, "the second article's topics noted first");
        }
        await fixture.Probe.PublishAsync(Received(second, "التقى مارك روته بوزير الدفاع في بروكسل."));

        var profile = await Eventually.GetAsync(async () =>
        {
            var view = await GetAsync("/api/v1/entities/mark-rutte");
            return view.GetProperty("articles").GetInt32() >= 2 && view.GetProperty("topics").GetArrayLength() >= 2 ? (object)view : null;
        }, "profile with two articles and their topics");
        var json = (JsonElement)profile;
        Assert.Equal("PERSON", json.GetProperty("type").GetString());
        Assert.Equal("Mark Rutte", json.GetProperty("name").GetString());
        Assert.True(json.GetProperty("mentions").GetInt32() >= 3);
        Assert.Contains(json.GetProperty("namesSeen").EnumerateArray(), name => name.GetProperty("text").GetString() == "مارك روته");
        Assert.Contains(json.GetProperty("coMentioned").EnumerateArray(), partner => partner.GetProperty("id").GetString() == "brussels" && partner.GetProperty("name").GetString() == "Brussels");
        var defense = json.GetProperty("topics").EnumerateArray().First(topic => topic.GetProperty("label").GetString() == "defense");
        Assert.True(defense.GetProperty("articles").GetInt32() >= 2);
        Assert.True(json.GetProperty("firstSeen").GetDateTimeOffset() <= json.GetProperty("lastSeen").GetDateTimeOffset());
    }

    [Fact]
    public async Task Trending_ranks_entities_mentioned_now_and_refuses_a_bad_window()
    {
        for (var i = 0; i < 3; i++) await ExtractAsync($"أعلنت حكومة جزر فيرناندو الشمالية اليوم أن نيكولاي برانشتاين سيزور عمّان. وقال نيكولاي برانشتاين إن الزيارة مهمة رقم {i}.");
        // Trending reads async projections: wait until they have every event stored so far (all three articles), not
        // merely until the person first shows up, which can be after the first article alone.
        await EventStoreProbe.CaughtUpAsync(fixture.Schema, "EntityMentionHour");
        await EventStoreProbe.CaughtUpAsync(fixture.Schema, "EntityProfile");
        var trending = await GetAsync("/api/v1/entities/trending?window=24h&limit=50");
        var person = Assert.Single(trending.GetProperty("items").EnumerateArray(), item => item.GetProperty("name").GetString() == "نيكولاي برانشتاين");
        Assert.Equal("PERSON", person.GetProperty("type").GetString());
        Assert.True(person.GetProperty("mentions").GetInt32() >= 6);

        var bad = await fixture.Client.GetAsync("/api/v1/entities/trending?window=soon", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("window", await bad.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operators_add_aliases_and_merge_entities_and_extraction_follows()
    {
        var article = await ExtractAsync("قال المبعوث الخاص غوستاف لندكفيست إن المفاوضات مستمرة، وأكد لندكفيست ذلك.");
        var extracted = fixture.Probe.Received<EntitiesExtracted>().Single(m => m.ArticleId == article);
        var found = extracted.Entities.Single(entity => entity.Type == "PERSON");
        Assert.Equal(2, found.Mentions.Count);
        await Eventually.TrueAsync(async () => (await fixture.Client.GetAsync($"/api/v1/entities/{found.Id}", TestContext.Current.CancellationToken)).IsSuccessStatusCode, "profile of the found person");

        // Not an operator: refused.
        using var subscriber = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/entities/{found.Id}/aliases") { Content = JsonContent.Create(new { alias = "Gustav Lundqvist" }) };
        subscriber.Headers.Add("X-NewsMonitor-Role", "subscriber");
        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Client.SendAsync(subscriber, TestContext.Current.CancellationToken)).StatusCode);

        var alias = await fixture.Client.PostAsJsonAsync($"/api/v1/entities/{found.Id}/aliases", new { alias = "Gustav Lundqvist" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, alias.StatusCode);
        var defined = await fixture.Client.PostAsJsonAsync("/api/v1/entities", new { type = "PERSON", name = "Gustav Lundqvist Envoy Office", aliases = new[] { "مكتب المبعوث لندكفيست" } }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, defined.StatusCode);
        Assert.Equal("/api/v1/entities/gustav-lundqvist-envoy-office", defined.Headers.Location!.OriginalString);

        var merge = await fixture.Client.PostAsJsonAsync("/api/v1/entities/gustav-lundqvist-envoy-office/merge", new { into = found.Id }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, merge.StatusCode);
        var again = await fixture.Client.PostAsJsonAsync($"/api/v1/entities/{found.Id}/merge", new { into = "gustav-lundqvist-envoy-office" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        // New articles: the Latin alias and the merged entity's alias both name the found person.
        var later = await ExtractAsync("Gustav Lundqvist met the ministers. وقال مكتب المبعوث لندكفيست إن اللقاء مثمر.");
        var person = Assert.Single(fixture.Probe.Received<EntitiesExtracted>().Single(m => m.ArticleId == later).Entities, entity => entity.Id == found.Id);
        Assert.Contains(person.Mentions, mention => mention.Text == "Gustav Lundqvist");
        Assert.Contains(person.Mentions, mention => mention.Text == "مكتب المبعوث لندكفيست");

        var search = await GetAsync("/api/v1/entities?q=lundqvist");
        Assert.Contains(search.GetProperty("items").EnumerateArray(), item => item.GetProperty("id").GetString() == found.Id);
        var profile = await GetAsync("/api/v1/entities/gustav-lundqvist-envoy-office");
        Assert.Equal(found.Id, profile.GetProperty("id").GetString());
        Assert.Contains(profile.GetProperty("mergedFrom").EnumerateArray(), id => id.GetString() == "gustav-lundqvist-envoy-office");
    }

    [Theory]
    [InlineData("{\"type\":\"PLANET\",\"name\":\"Mars\"}", "type")]
    [InlineData("{\"type\":\"LOC\",\"name\":\"\"}", "name")]
    [InlineData("{\"type\":\"LOC\",\"name\":\"Mars\",\"id\":\"Not An Id!\"}", "id")]
    public async Task A_bad_definition_is_a_problem_naming_the_field(string body, string field)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var response = await fixture.Client.PostAsync("/api/v1/entities", content, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Unknown_entities_answer_404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Client.GetAsync("/api/v1/entities/no-such-entity", TestContext.Current.CancellationToken)).StatusCode);
        var merge = await fixture.Client.PostAsJsonAsync("/api/v1/entities/no-such-entity/merge", new { into = "nato" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, merge.StatusCode);
    }
}
