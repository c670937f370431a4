using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NewsMonitor.Alerting.Delivery;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;

namespace NewsMonitor.Alerting.Tests;

/// <summary>The Slack and Teams payload builders, directly.</summary>
public sealed class WebhookPayloadTests
{
    private static readonly ChatAlert Alert = new("Rutte <b>& NATO</b> في بروكسل", ["الناتو", "<@U123>"], DateTimeOffset.Parse("2026-11-29T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
        "https://news.example/a?x=1&y=|2");

    [Fact]
    public void Slack_has_a_fallback_text_and_a_section_linking_the_title_with_everything_escaped()
    {
        var message = WebhookPayloads.Slack("NATO & co", null, [Alert]);
        Assert.Equal("NATO &amp; co: Rutte &lt;b&gt;&amp; NATO&lt;/b&gt; في بروكسل", message["text"]!.GetValue<string>());
        var blocks = message["blocks"]!.AsArray();
        Assert.Equal("section", blocks[0]!["type"]!.GetValue<string>());
        var section = blocks[0]!["text"]!;
        Assert.Equal("mrkdwn", section["type"]!.GetValue<string>());
        Assert.Equal("*<https://news.example/a?x=1&amp;y=%7C2|Rutte &lt;b&gt;&amp; NATO&lt;/b&gt; في بروكسل>*\nMatched: الناتو, &lt;@U123&gt;", section["text"]!.GetValue<string>());
        Assert.Equal("context", blocks[^1]!["type"]!.GetValue<string>());
        Assert.Equal("NewsMonitor · NATO &amp; co", blocks[^1]!["elements"]![0]!["text"]!.GetValue<string>());
        // No raw angle bracket outside the one link: nothing becomes a mention or a second link.
        var all = string.Concat(blocks.Select(block => block!.ToJsonString()));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(section["text"]!.GetValue<string>(), "<"));
        Assert.DoesNotContain("<@", all, StringComparison.Ordinal);
    }

    [Fact]
    public void Slack_leaves_a_title_unlinked_without_an_http_url()
    {
        var message = WebhookPayloads.Slack("s", null, [Alert with { Url = "javascript:alert(1)" }, Alert with { Url = null }]);
        Assert.All(message["blocks"]!.AsArray().Take(2), block => Assert.StartsWith("*Rutte &lt;b&gt;", block!["text"]!["text"]!.GetValue<string>(), StringComparison.Ordinal));
    }

    [Fact]
    public void A_digest_lists_at_most_twenty_alerts_under_its_heading_and_counts_the_rest()
    {
        var alerts = Enumerable.Range(0, 25).Select(i => Alert with { Title = $"t{i}" }).ToList();
        var heading = WebhookPayloads.DigestHeading(25, DateTimeOffset.Parse("2026-11-29T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse("2026-11-29T11:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("25 alerts from 2026-11-29 10:00 to 2026-11-29 11:00 UTC", heading);
        var slack = WebhookPayloads.Slack("s", heading, alerts)["blocks"]!.AsArray();
        Assert.Equal(1 + 20 + 1 + 1, slack.Count);
        Assert.Equal("… and 5 more.", slack[21]!["text"]!["text"]!.GetValue<string>());
        var card = WebhookPayloads.Teams("s", heading, alerts)["attachments"]![0]!["content"]!;
        Assert.Contains(card["body"]!.AsArray(), block => block!["text"]!.GetValue<string>() == "… and 5 more.");
        Assert.Null(card["actions"]);
    }

    [Fact]
    public void Teams_is_a_message_carrying_an_adaptive_card_with_the_title_terms_and_an_open_button()
    {
        var message = WebhookPayloads.Teams("NATO", null, [Alert]);
        Assert.Equal("message", message["type"]!.GetValue<string>());
        var attachment = Assert.Single(message["attachments"]!.AsArray())!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment["contentType"]!.GetValue<string>());
        var card = attachment["content"]!;
        Assert.Equal("AdaptiveCard", card["type"]!.GetValue<string>());
        Assert.Equal("1.4", card["version"]!.GetValue<string>());
        Assert.Equal("http://adaptivecards.io/schemas/adaptive-card.json", card["$schema"]!.GetValue<string>());
        var body = card["body"]!.AsArray();
        Assert.Equal(Alert.Title, body[0]!["text"]!.GetValue<string>());
        Assert.Equal("Bolder", body[0]!["weight"]!.GetValue<string>());
        Assert.True(body[0]!["wrap"]!.GetValue<bool>());
        Assert.Equal("Matched: الناتو, <@U123>", body[1]!["text"]!.GetValue<string>());
        var action = Assert.Single(card["actions"]!.AsArray())!;
        Assert.Equal("Action.OpenUrl", action["type"]!.GetValue<string>());
        Assert.Equal(new Uri(Alert.Url!).AbsoluteUri, action["url"]!.GetValue<string>());
    }
}

/// <summary>Deliveries in the Slack and Teams shapes reach a real receiver, still signed; an unknown format is refused.</summary>
public sealed class WebhookFormatTests(FeedFixture fixture) : IClassFixture<FeedFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;
    private const string Secret = "a-webhook-secret-of-some-length";

    private static HttpRequestMessage AsTenant(HttpMethod method, string path, object body)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Add(Caller.RoleHeader, "subscriber");
        request.Headers.Add(Caller.TenantHeader, "t-format");
        return request;
    }

    [Theory]
    [InlineData("slack")]
    [InlineData("Teams")]
    public async Task An_alert_is_delivered_in_the_chosen_shape_with_the_signature(string format)
    {
        await using var receiver = await WebhookReceiver.StartAsync(failures: 0);
        var rule = "نوفي ساد " + Guid.NewGuid().ToString("N")[..6];
        var created = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, "/api/v1/subscriptions", new { name = "chat", rule = $"\"{rule}\"", webhook = new { url = receiver.Url, secret = Secret, format } }), Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();
        var view = await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/subscriptions/{id}", Cancel);
        Assert.Equal(format.ToLowerInvariant(), view.GetProperty("delivery").GetProperty("webhookFormat").GetString());

        var article = Guid.NewGuid();
        await fixture.Probe.PublishAsync(new ArticleReceived(article, "خبر من " + rule, $"وصل الوفد إلى {rule} صباحاً", "https://news.example.org/ns/1", "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
        await Eventually.TrueAsync(() => Task.FromResult(!receiver.Requests.IsEmpty), "a delivery");
        var delivered = receiver.Requests.ToArray()[0];
        Assert.Equal(WebhookDeliveryConsumer.Signature(Secret, Encoding.UTF8.GetBytes(delivered.Body)), delivered.Signature);
        Assert.NotEmpty(delivered.DeliveryId);
        var body = JsonNode.Parse(delivered.Body)!;
        if (format == "slack")
        {
            Assert.Equal("chat: خبر من " + rule, body["text"]!.GetValue<string>());
            Assert.StartsWith($"*<https://news.example.org/ns/1|خبر من {rule}>*", body["blocks"]![0]!["text"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Null(body["id"]);
        }
        else
        {
            Assert.Equal("message", body["type"]!.GetValue<string>());
            var card = body["attachments"]![0]!["content"]!;
            Assert.Equal("خبر من " + rule, card["body"]![0]!["text"]!.GetValue<string>());
            Assert.Equal("https://news.example.org/ns/1", card["actions"]![0]!["url"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task An_hourly_digest_is_delivered_as_one_teams_card_listing_its_alerts_with_their_links()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failures: 0);
        var rule = "نيش " + Guid.NewGuid().ToString("N")[..6];
        var created = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, "/api/v1/subscriptions",
            new { name = "digest chat", rule = $"\"{rule}\"", mode = "hourly", webhook = new { url = receiver.Url, secret = Secret, format = "teams" } }), Cancel);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();
        var articles = new[] { Guid.NewGuid(), Guid.NewGuid() };
        foreach (var (article, index) in articles.Select((article, index) => (article, index)))
            await fixture.Probe.PublishAsync(new ArticleReceived(article, $"خبر {index} من {rule}", $"وصل الوفد إلى {rule}", $"https://news.example.org/d/{index}", "ar", "test", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
        var raised = await fixture.Probe.WaitForAtLeastAsync<AlertRaised>(2, m => m.SubscriptionId == id && articles.Contains(m.ArticleId), "both alerts");

        // Compile when the hour of the later alert closes (two alerts either side of an hour's end make two digests).
        var hour = TimeSpan.FromHours(1);
        var digests = raised.Select(alert => Digests.DigestPeriods.StartOf(alert.RaisedAt, hour)).Distinct().Count();
        await using (var scope = fixture.Service.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Digests.DigestCompiler>().CompileDueAsync(raised.Max(alert => Digests.DigestPeriods.StartOf(alert.RaisedAt, hour)) + hour, Cancel);
        await Eventually.TrueAsync(() => Task.FromResult(receiver.Requests.Count >= digests), "the digest deliveries");

        var cards = receiver.Requests.ToArray();
        Assert.All(cards, card => Assert.Equal(WebhookDeliveryConsumer.Signature(Secret, Encoding.UTF8.GetBytes(card.Body)), card.Signature));
        var texts = cards.SelectMany(card => JsonNode.Parse(card.Body)!["attachments"]![0]!["content"]!["body"]!.AsArray().Select(block => block!["text"]!.GetValue<string>())).ToList();
        Assert.Equal(digests, texts.Count(text => text.EndsWith(" UTC", StringComparison.Ordinal) && text.Contains(" alert", StringComparison.Ordinal)));
        Assert.Contains($"خبر 0 من {rule}", texts);
        Assert.Contains($"خبر 1 من {rule}", texts);
        Assert.Contains("[https://news.example.org/d/1](https://news.example.org/d/1)", texts);
    }

    [Fact]
    public async Task An_unknown_format_is_a_400_naming_webhook_format_and_json_stays_the_default()
    {
        var refused = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, "/api/v1/subscriptions", new { name = "x", rule = "قمة", webhook = new { url = "http://127.0.0.1:9/hook", secret = Secret, format = "xml" } }), Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.True(problem.GetProperty("errors").TryGetProperty("webhook.format", out _));

        var created = await fixture.Client.SendAsync(AsTenant(HttpMethod.Post, "/api/v1/subscriptions", new { name = "x", rule = "قمة", webhook = new { url = "http://127.0.0.1:9/hook", secret = Secret } }), Cancel);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();
        var view = await fixture.Client.GetFromJsonAsync<JsonElement>($"/api/v1/subscriptions/{id}", Cancel);
        Assert.Equal("json", view.GetProperty("delivery").GetProperty("webhookFormat").GetString());
    }
}
