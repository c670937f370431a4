using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using NewsMonitor.Testing;

namespace NewsMonitor.EndToEnd.Tests;

/// <summary>
/// The operator dashboard in Debian's Chromium, driven by Playwright, against the whole system (every service a
/// process on real PostgreSQL and RabbitMQ). Screenshots go to the test results, beside the TRX files.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class DashboardTests(RunningSystem system) : IAsyncLifetime
{
    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IPage _page = null!;

    public static string Screenshots { get; } = Path.Combine(TestInfrastructure.RepoRoot, "deploy", "local", ".state", "test-results", "screenshots");

    public async ValueTask InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("NEWSMONITOR_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            // As root Chromium needs --no-sandbox; the rest keep it from calling out of this closed network.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        _page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 }, BaseURL = system.Gateway.BaseAddress!.ToString() });
        Directory.CreateDirectory(Screenshots);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private Task ScreenshotAsync(string name, bool fullPage = true) =>
        _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = fullPage });

    private async Task SignInAsync(string key)
    {
        await _page.GotoAsync("/");
        await _page.FillAsync("#key", key);
        await _page.ClickAsync("#signin button[type=submit]");
    }

    private async Task<Guid> PostArticleAsync(string title, string body)
    {
        var posted = await system.Gateway.PostAsJsonAsync("/api/v1/articles", new { title, body, language = "ar", source = "dashboard-test" }, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        return (await posted.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task An_operator_signs_in_sees_a_new_alert_live_within_two_seconds_and_opens_the_article_with_mark_rutte_highlighted()
    {
        var subscribed = await system.Gateway.PostAsJsonAsync("/api/v1/subscriptions", new { name = "Rutte watch", rule = "روته OR \"مارك روته\"" }, Cancel);
        Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);

        await SignInAsync(RunningSystem.OperatorKey);
        await Assertions.Expect(_page.Locator("#stream-status")).ToHaveTextAsync("live", new() { Timeout = 15_000 });

        // The first article warms the pipeline (a fresh process compiles its hot paths); the second is timed.
        var warmUp = await PostArticleAsync($"روته يلتقي الحلفاء {Guid.NewGuid():N}", "قال الأمين العام لحلف الناتو مارك روته إن الحلف موحد.");
        // Other classes' subscriptions match these articles too (operators see every alert): find ours by its name.
        await _page.Locator($"#alerts li[data-article='{warmUp}']", new() { HasTextString = "Rutte watch" }).WaitForAsync(new() { Timeout = 15_000 });

        var sample = SampleArticles.Get("blinken-rutte-brussels");
        var postedAt = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        var id = await PostArticleAsync(sample.Title + " " + Guid.NewGuid().ToString("N")[..6], sample.Body);
        var item = _page.Locator($"#alerts li[data-article='{id}']", new() { HasTextString = "Rutte watch" });
        await item.WaitForAsync(new() { Timeout = 15_000 });
        var seen = watch.Elapsed;
        // The page stamps each alert when it draws it: the latency is that, not when Playwright's polling noticed.
        var shownAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((await item.GetAttributeAsync("data-shown-at"))!, System.Globalization.CultureInfo.InvariantCulture));
        var latency = shownAt - postedAt;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"post → alert drawn in the browser's live feed: {latency.TotalMilliseconds:F0} ms (noticed by the test after {seen.TotalMilliseconds:F0} ms)");
        Assert.True(latency < TimeSpan.FromSeconds(2), $"the alert took {latency.TotalMilliseconds:F0} ms to appear");
        await Assertions.Expect(item.Locator(".chip").First).ToContainTextAsync("روته");
        await ScreenshotAsync("live-alerts");

        // The article page: right-to-left, with Mark Rutte highlighted as a person once extraction is done.
        await Eventually.TrueAsync(async () => (await system.Gateway.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{id}", Cancel))
            .GetProperty("processing").GetProperty("entitiesExtracted").GetBoolean(), "entities extracted");
        await item.Locator("a.title").ClickAsync();
        var rutte = _page.Locator("#article-body mark[data-type='PERSON']", new() { HasTextString = "مارك روته" }).First;
        await Assertions.Expect(rutte).ToBeVisibleAsync(new() { Timeout = 10_000 });
        Assert.Equal("rtl", await _page.GetAttributeAsync("#article", "dir"));
        await Assertions.Expect(_page.Locator("#topics .chip").First).ToBeVisibleAsync();
        await ScreenshotAsync("article", fullPage: false);

        // The mention links to the entity's profile.
        await rutte.Locator("a").ClickAsync();
        await Assertions.Expect(_page.Locator("#entity h1")).ToContainTextAsync("Mark Rutte");
    }

    [Fact]
    public async Task A_link_with_the_key_in_the_fragment_signs_in_and_drops_the_key_from_the_address()
    {
        await _page.GotoAsync($"/#key={Uri.EscapeDataString(RunningSystem.OperatorKey)}");
        await Assertions.Expect(_page.Locator("#stream-status")).ToHaveTextAsync("live", new() { Timeout = 15_000 });
        Assert.DoesNotContain(RunningSystem.OperatorKey, _page.Url, StringComparison.Ordinal);

        await _page.ClickAsync("#signout");
        await SignInAsync("nm_this-key-was-never-issued");
        await Assertions.Expect(_page.Locator("#signin-error")).ToHaveTextAsync("That key is not valid.");
    }

    [Fact]
    public async Task A_subscriber_creates_a_subscription_sees_the_rule_error_inline_pauses_and_deletes_it()
    {
        var key = await system.IssueKeyAsync("subscriber", "dash", "Dana");
        await SignInAsync(key);
        await Assertions.Expect(_page.Locator("#who")).ToContainTextAsync("subscriber · dash");
        await Assertions.Expect(_page.Locator("#nav a[data-page='ops']")).ToBeHiddenAsync();
        await Assertions.Expect(_page.Locator("#nav a[data-page='trends']")).ToBeHiddenAsync();
        await _page.ClickAsync("#nav a[data-page='subscriptions']");

        var form = _page.Locator("#create-subscription");
        await form.Locator("input[name=name]").FillAsync("Summits");
        await form.Locator("textarea[name=rule]").FillAsync("(قمة AND");
        await form.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(form.Locator(".rule-error")).ToContainTextAsync("at character 9");
        await Assertions.Expect(form.Locator(".caret")).ToContainTextAsync("^");
        await ScreenshotAsync("subscription-rule-error");

        await form.Locator("textarea[name=rule]").FillAsync("قمة AND (الناتو OR NATO)");
        await form.Locator("button[type=submit]").ClickAsync();
        var row = _page.Locator("#subscriptions tr", new() { HasTextString = "Summits" });
        await Assertions.Expect(row).ToContainTextAsync("active");
        await row.Locator("button", new() { HasTextString = "Pause" }).ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("paused");

        _page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await row.Locator("button", new() { HasTextString = "Delete" }).ClickAsync();
        await Assertions.Expect(_page.Locator("#subscriptions")).Not.ToContainTextAsync("Summits");
    }

    [Fact]
    public async Task Trends_draw_a_topic_timeline_and_operations_show_queues_and_projection_lag()
    {
        var id = await PostArticleAsync($"قمة الناتو {Guid.NewGuid():N}", "اجتمع قادة حلف الناتو في لاهاي لبحث الإنفاق الدفاعي ودعم أوكرانيا، وقال مارك روته إن الحلف موحد.");
        await Eventually.TrueAsync(async () => (await system.Gateway.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{id}", Cancel))
            .GetProperty("processing").GetProperty("classified").GetBoolean(), "classified");
        await SignInAsync(RunningSystem.OperatorKey);
        await _page.ClickAsync("#nav a[data-page='trends']");
        await Assertions.Expect(_page.Locator("#timeline svg rect.bar").First).ToBeAttachedAsync(new() { Timeout = 10_000 });
        await _page.SelectOptionAsync("#bucket", "day");
        await Assertions.Expect(_page.Locator("#timeline svg")).ToHaveAttributeAsync("aria-label", "defense articles per day");
        await ScreenshotAsync("trends");

        await _page.ClickAsync("#nav a[data-page='ops']");
        await Assertions.Expect(_page.Locator("#queues")).ToContainTextAsync("alerting", new() { Timeout = 10_000 });
        await Assertions.Expect(_page.Locator("#projections")).ToContainTextAsync("classification");
        await Assertions.Expect(_page.Locator("#error-queues")).ToContainTextAsync("messages in error queues");
        await ScreenshotAsync("operations");
    }

    [Fact]
    public async Task Operations_replay_an_error_queue_and_rebuild_a_projection_after_a_confirmation_and_show_the_answers()
    {
        // A work queue with one message parked in its error queue, in the running system's vhost.
        var factory = new RabbitMQ.Client.ConnectionFactory
        {
            HostName = "127.0.0.1", Port = TestInfrastructure.RabbitPort, VirtualHost = system.VirtualHost,
            UserName = TestInfrastructure.RabbitUserOf(system.VirtualHost), Password = TestInfrastructure.RabbitPassword,
        };
        await using var connection = await factory.CreateConnectionAsync(Cancel);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: Cancel);
        await channel.QueueDeclareAsync("dashboard-work", durable: true, exclusive: false, autoDelete: false, cancellationToken: Cancel);
        await channel.QueueDeclareAsync("dashboard-work_error", durable: true, exclusive: false, autoDelete: false, cancellationToken: Cancel);
        await RabbitMQ.Client.IChannelExtensions.BasicPublishAsync(channel, "", "dashboard-work_error", "{}"u8.ToArray(), Cancel);

        await SignInAsync(RunningSystem.OperatorKey);
        // Signed in (the key is in the tab's session storage): from here every reload draws the operations page.
        await Assertions.Expect(_page.Locator("#who")).ToContainTextAsync("operator", new() { Timeout = 30_000 });
        await _page.EvaluateAsync("() => { location.hash = '#/ops'; }");
        var replay = _page.Locator("#error-queue-table button[data-queue='dashboard-work_error']");
        // The management API's counts trail by a few seconds, and the status is slow on a loaded machine: draw the page
        // again until the row is there.
        var drawn = "";
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                await _page.ReloadAsync();
                await _page.Locator("#projections, #main .card.error").First.WaitForAsync(new() { Timeout = 30_000 });
                drawn = await _page.Locator("#main").InnerTextAsync();
                return await replay.CountAsync() == 1 && await replay.IsEnabledAsync();
            }, "the parked message on the operations page", TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The operations page never offered to replay dashboard-work_error; it showed:\n{drawn}");
        }

        var questions = new List<string>();
        _page.Dialog += (_, dialog) => { questions.Add(dialog.Message); dialog.AcceptAsync(); };
        await replay.ClickAsync();
        await Assertions.Expect(_page.Locator("#ops-result")).ToContainTextAsync("Replayed 1 message(s) from dashboard-work_error to dashboard-work", new() { Timeout = 10_000 });
        Assert.Contains(questions, question => question.Contains("dashboard-work_error", StringComparison.Ordinal));
        Assert.Equal(1u, (await channel.QueueDeclarePassiveAsync("dashboard-work", Cancel)).MessageCount);
        Assert.Equal(0u, (await channel.QueueDeclarePassiveAsync("dashboard-work_error", Cancel)).MessageCount);

        // The timeline projection is listed once it has projected something: a classified article first.
        var article = await PostArticleAsync($"قمة الناتو {Guid.NewGuid():N}", "اجتمع قادة حلف الناتو في لاهاي لبحث الإنفاق الدفاعي.");
        await Eventually.TrueAsync(async () => (await system.Gateway.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{article}", Cancel))
            .GetProperty("processing").GetProperty("classified").GetBoolean(), "classified");
        var rebuild = _page.Locator("#projections button[data-projection='TopicBucket:All']");
        await Eventually.TrueAsync(async () =>
        {
            await _page.ReloadAsync();
            await _page.Locator("#projections, #main .card.error").First.WaitForAsync(new() { Timeout = 30_000 });
            return await rebuild.CountAsync() == 1;
        }, "the timeline projection on the operations page", TimeSpan.FromSeconds(90));
        await rebuild.ClickAsync();
        await Assertions.Expect(_page.Locator("#ops-result")).ToContainTextAsync("Rebuilt TopicBucket of classification", new() { Timeout = 60_000 });
        await ScreenshotAsync("operations-rebuilt");
        // A relay is refused, and the page says why.
        await _page.Locator("#projections button[data-projection='classification-relay:All']").ClickAsync();
        await Assertions.Expect(_page.Locator("#ops-result[role='alert']")).ToContainTextAsync("409", new() { Timeout = 10_000 });
        await Assertions.Expect(_page.Locator("#ops-result")).ToContainTextAsync("subscription");
        // Other tests count the system's queues: leave none of this test's behind.
        await channel.QueueDeleteAsync("dashboard-work", ifUnused: false, ifEmpty: false, cancellationToken: Cancel);
        await channel.QueueDeleteAsync("dashboard-work_error", ifUnused: false, ifEmpty: false, cancellationToken: Cancel);
    }

    [Fact]
    public async Task The_api_reference_renders_the_services_documents()
    {
        var errors = new List<string>();
        _page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        await _page.GotoAsync("/docs/");
        // The default document (ingestion) is fetched through the gateway and its operations listed.
        await Assertions.Expect(_page.GetByText("NewsMonitor ingestion").First).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(_page.GetByText("/api/v1/articles/batch").First).ToBeAttachedAsync(new() { Timeout = 10_000 });
        await ScreenshotAsync("api-reference", fullPage: false);
    }

    [Fact]
    public async Task An_integrator_starts_on_trends_and_is_not_offered_alerts_or_subscriptions()
    {
        var key = await system.IssueKeyAsync("integrator", "default", "Ivan's importer");
        await _page.GotoAsync($"/#key={Uri.EscapeDataString(key)}");
        await _page.GotoAsync("/#/");
        await Assertions.Expect(_page.Locator("#nav a[data-page='trends']")).ToHaveClassAsync("active");
        await Assertions.Expect(_page.Locator("#timeline svg")).ToBeAttachedAsync(new() { Timeout = 10_000 });
        foreach (var hidden in new[] { "feed", "subscriptions", "ops", "sources" })
            await Assertions.Expect(_page.Locator($"#nav a[data-page='{hidden}']")).ToBeHiddenAsync();
    }

    /// <summary>An RSS feed of two items whose text is long enough that the poller takes it from the feed (no page fetch).</summary>
    private static string Feed(string marker) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <rss version="2.0"><channel><title>Loopback news {marker}</title><link>http://127.0.0.1/</link><description>test feed</description>
        {string.Concat(Enumerable.Range(1, 2).Select(i => $"""
          <item><title>خبر {i} من المصدر {marker}</title><link>http://127.0.0.1/news/{marker}/{i}</link><guid>{marker}-{i}</guid>
            <pubDate>Sun, 29 Nov 2026 10:0{i}:00 GMT</pubDate>
            <description>{string.Concat(Enumerable.Repeat($"اجتمع وزراء خارجية دول حلف الناتو في بروكسل لبحث الإنفاق الدفاعي في الخبر {i}. ", 12))}{marker}</description></item>
          """))}
        </channel></rss>
        """;

    [Fact]
    public async Task An_operator_adds_a_source_sees_it_polled_pauses_resumes_and_polls_it_now_and_sees_refusals_explained()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        await using var feeds = await FeedServer.StartAsync(Cancel);
        feeds.Map("/feed.xml", FeedFixture.Text(Feed(marker)));
        var url = feeds.Url("feed.xml").ToString();
        Guid? id = null;
        try
        {
            await SignInAsync(RunningSystem.OperatorKey);
            // The start page first, so its late drawing cannot replace the sources page.
            await Assertions.Expect(_page.Locator("#stream-status")).ToHaveTextAsync("live", new() { Timeout = 15_000 });
            await _page.ClickAsync("#nav a[data-page='sources']");
            await _page.FillAsync("#source-url", url);
            await _page.FillAsync("#source-name", $"Loopback {marker}");
            await _page.FillAsync("#source-interval", "3600");
            await _page.ClickAsync("#add-source button[type=submit]");

            // Listed, then polled by the service (a new source is due at once): last success and counts filled in.
            var row = _page.Locator("#sources tr[data-source]", new() { HasTextString = $"Loopback {marker}" });
            await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 10_000 });
            id = Guid.Parse((await row.GetAttributeAsync("data-source"))!);
            await Assertions.Expect(row.Locator(".url")).ToHaveTextAsync(url);
            await Eventually.TrueAsync(async () =>
            {
                await _page.ClickAsync("#sources-refresh");
                return (await row.Locator(".accepted").TextContentAsync())?.Trim() == "2";
            }, "the source polled and both items accepted", TimeSpan.FromSeconds(60));
            await Assertions.Expect(row.Locator(".items-seen")).ToHaveTextAsync("2");
            await Assertions.Expect(row.Locator(".status")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^active"));
            Assert.NotEqual("–", await row.Locator(".last-success").TextContentAsync());
            await Assertions.Expect(row.Locator(".last-error")).ToHaveTextAsync("none");
            await ScreenshotAsync("sources");

            // Pause: the status says so and polling now is not offered; resume brings it back.
            await row.Locator("button.pause").ClickAsync();
            await Assertions.Expect(row.Locator(".status")).ToHaveTextAsync("paused");
            await Assertions.Expect(row.Locator("button.poll")).ToBeDisabledAsync();
            Assert.Equal("paused", (await system.Gateway.GetFromJsonAsync<JsonElement>($"/api/v1/sources/{id}", Cancel)).GetProperty("status").GetString());
            await row.Locator("button.resume").ClickAsync();
            await Assertions.Expect(row.Locator(".status")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^active"));

            // Poll now: the feed server sees another request. First wait until no poll is running or due within the
            // hour's interval (a resumed source may be made due at once), so only the button explains the next request.
            await Eventually.TrueAsync(async () =>
            {
                var source = await system.Gateway.GetFromJsonAsync<JsonElement>($"/api/v1/sources/{id}", Cancel);
                return !source.GetProperty("polling").GetBoolean() && source.GetProperty("nextPollAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(30);
            }, "no poll running or due");
            var before = feeds.RequestsTo("/feed.xml").Count;
            await row.Locator("button.poll").ClickAsync();
            await Assertions.Expect(_page.Locator("#sources-error")).ToHaveTextAsync("");
            await Eventually.TrueAsync(() => Task.FromResult(feeds.RequestsTo("/feed.xml").Count > before), "a poll after Poll now", TimeSpan.FromSeconds(30));
            // The same items again: seen, not stored twice.
            await Eventually.TrueAsync(async () =>
            {
                await _page.ClickAsync("#sources-refresh");
                return (await row.Locator(".accepted").TextContentAsync())?.Trim() == "2" && (await row.Locator(".last-success").TextContentAsync()) != "–";
            }, "the counts after polling again");

            // Refusals come from the API's problem answers: the same feed again (409), an address that is not http(s) (400).
            await _page.FillAsync("#source-url", url);
            await _page.ClickAsync("#add-source button[type=submit]");
            await Assertions.Expect(_page.Locator("#source-form-error")).ToContainTextAsync("409");
            await Assertions.Expect(_page.Locator("#source-form-error")).ToContainTextAsync("already exists");
            await _page.FillAsync("#source-url", "ftp://127.0.0.1/feed.xml");
            await _page.ClickAsync("#add-source button[type=submit]");
            await Assertions.Expect(_page.Locator("#source-form-error")).ToContainTextAsync("400: url");
        }
        finally
        {
            if (id is not null) await system.Gateway.DeleteAsync($"/api/v1/sources/{id}", Cancel);
        }
    }

    /// <summary>A client of the gateway with <paramref name="key"/>.</summary>
    private HttpClient ClientWith(string key)
    {
        var client = new HttpClient { BaseAddress = system.GatewayAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private static async Task<Guid> SubscribeAsync(HttpClient client, string name, string rule)
    {
        var response = await client.PostAsJsonAsync("/api/v1/subscriptions", new { name, rule }, Cancel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetGuid();
    }

    /// <summary>Waits until the caller's feed holds <paramref name="count"/> alerts (stored and below the high-water mark).</summary>
    private static Task FeedHoldsAsync(HttpClient client, int count) => Eventually.TrueAsync(async () =>
        (await client.GetFromJsonAsync<JsonElement>("/api/v1/alerts?limit=500", Cancel)).GetProperty("items").GetArrayLength() == count,
        $"{count} alerts in the feed", TimeSpan.FromSeconds(60));

    /// <summary>The alerts drawn on the live page, top to bottom: (alert id, position).</summary>
    private async Task<List<(string Alert, long Position)>> DrawnAsync()
    {
        var items = _page.Locator("#alerts li");
        var drawn = new List<(string, long)>();
        for (var i = 0; i < await items.CountAsync(); i++)
            drawn.Add(((await items.Nth(i).GetAttributeAsync("data-alert"))!, long.Parse((await items.Nth(i).GetAttributeAsync("data-position"))!, System.Globalization.CultureInfo.InvariantCulture)));
        return drawn;
    }

    [Fact]
    public async Task Alerts_raised_while_the_page_was_closed_are_there_on_open_newest_first_and_a_subscriber_opens_their_article_and_filters_by_subscription()
    {
        var tenant = "resume-" + Guid.NewGuid().ToString("N")[..8];
        using var subscriber = ClientWith(await system.IssueKeyAsync("subscriber", tenant, "Rania"));
        var key = subscriber.DefaultRequestHeaders.GetValues("X-Api-Key").Single();
        var summits = await SubscribeAsync(subscriber, "Zanzibar", "زنجبار");
        await SubscribeAsync(subscriber, "Tanganyika", "تنجانيقا");
        var before = new List<Guid>();
        foreach (var i in Enumerable.Range(1, 3)) before.Add(await PostArticleAsync($"زنجبار {i} {Guid.NewGuid():N}", $"قمة في زنجبار اليوم، الجلسة {i}."));
        await FeedHoldsAsync(subscriber, 3);

        await SignInAsync(key);
        await Assertions.Expect(_page.Locator("#stream-status")).ToHaveTextAsync("live", new() { Timeout = 15_000 });
        await Assertions.Expect(_page.Locator("#alerts li")).ToHaveCountAsync(3);
        var drawn = await DrawnAsync();
        Assert.Equal(drawn.Select(d => d.Position).OrderDescending(), drawn.Select(d => d.Position));

        // Closed: two more alerts while no page is open; a new page shows all five, newest first.
        await _page.CloseAsync();
        var whileClosed = new List<Guid>();
        foreach (var i in Enumerable.Range(4, 2)) whileClosed.Add(await PostArticleAsync($"زنجبار {i} {Guid.NewGuid():N}", $"قمة في زنجبار اليوم، الجلسة {i}."));
        var other = await PostArticleAsync($"تنجانيقا {Guid.NewGuid():N}", "وفد من تنجانيقا يصل.");
        await FeedHoldsAsync(subscriber, 6);
        _page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 }, BaseURL = system.Gateway.BaseAddress!.ToString() });
        await SignInAsync(key);
        await Assertions.Expect(_page.Locator("#alerts li")).ToHaveCountAsync(6, new() { Timeout = 15_000 });
        // Newest first by position (the order alerts were stored in, which concurrent consumers may make differ from posting order).
        drawn = await DrawnAsync();
        Assert.Equal(drawn.Select(d => d.Position).OrderDescending(), drawn.Select(d => d.Position));
        await Assertions.Expect(_page.Locator($"#alerts li[data-article='{other}']")).ToHaveCountAsync(1);
        foreach (var article in before.Concat(whileClosed)) await Assertions.Expect(_page.Locator($"#alerts li[data-article='{article}']")).ToHaveCountAsync(1);
        await ScreenshotAsync("alerts-on-open");

        // The filter shows one subscription's alerts only.
        await _page.SelectOptionAsync("#alert-filter", summits.ToString());
        await Assertions.Expect(_page.Locator("#alerts li")).ToHaveCountAsync(5, new() { Timeout = 15_000 });
        await Assertions.Expect(_page.Locator($"#alerts li[data-article='{other}']")).ToHaveCountAsync(0);

        // A subscriber opens the article through its alert: what alerting knows of it, no link to the entity pages it may not read.
        await _page.Locator($"#alerts li[data-article='{whileClosed[^1]}'] a.title").ClickAsync();
        await Assertions.Expect(_page.Locator("#article h1")).ToContainTextAsync("زنجبار 5", new() { Timeout = 10_000 });
        await Assertions.Expect(_page.Locator("#article-body")).ToContainTextAsync("الجلسة 5");
        Assert.StartsWith("#/alert/", new Uri(_page.Url).Fragment, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alerts_raised_while_alerting_is_stopped_and_restarted_all_appear_once_on_the_open_page()
    {
        var tenant = "restart-" + Guid.NewGuid().ToString("N")[..8];
        using var subscriber = ClientWith(await system.IssueKeyAsync("subscriber", tenant, "Sami"));
        await SubscribeAsync(subscriber, "Sarajevo", "سراييفو");
        await SignInAsync(subscriber.DefaultRequestHeaders.GetValues("X-Api-Key").Single());
        await Assertions.Expect(_page.Locator("#stream-status")).ToHaveTextAsync("live", new() { Timeout = 15_000 });
        var articles = new List<Guid> { await PostArticleAsync($"سراييفو 1 {Guid.NewGuid():N}", "قمة في سراييفو، الجلسة 1.") };
        await Assertions.Expect(_page.Locator($"#alerts li[data-article='{articles[0]}']")).ToHaveCountAsync(1, new() { Timeout = 15_000 });

        // The tab is hidden from now on (as another tab in front would make it): live alerts count in its title.
        await _page.EvaluateAsync("() => Object.defineProperty(document, 'visibilityState', { get: () => 'hidden', configurable: true })");
        await system.StopServiceAsync("Alerting");
        try
        {
            // The page loses its stream; the articles wait in alerting's durable queue.
            await Assertions.Expect(_page.Locator("#stream-status")).ToContainTextAsync("reconnecting", new() { Timeout = 15_000 });
            foreach (var i in Enumerable.Range(2, 3)) articles.Add(await PostArticleAsync($"سراييفو {i} {Guid.NewGuid():N}", $"قمة في سراييفو، الجلسة {i}."));
        }
        finally
        {
            await system.StartServiceAsync("Alerting");
        }
        articles.Add(await PostArticleAsync($"سراييفو 5 {Guid.NewGuid():N}", "قمة في سراييفو، الجلسة 5."));
        await FeedHoldsAsync(subscriber, 5);

        await Assertions.Expect(_page.Locator("#alerts li")).ToHaveCountAsync(5, new() { Timeout = 60_000 });
        await Assertions.Expect(_page.Locator("#stream-status")).ToHaveTextAsync("live");
        var drawn = await DrawnAsync();
        Assert.Equal(5, drawn.Select(d => d.Alert).Distinct().Count());
        Assert.Equal(drawn.Select(d => d.Position).OrderDescending(), drawn.Select(d => d.Position));
        foreach (var article in articles) await Assertions.Expect(_page.Locator($"#alerts li[data-article='{article}']")).ToHaveCountAsync(1);
        await ScreenshotAsync("alerts-after-restart");

        // Four alerts arrived while the tab was hidden; seeing the tab clears the count.
        Assert.Equal("(4) NewsMonitor", await _page.TitleAsync());
        await _page.EvaluateAsync("() => { Object.defineProperty(document, 'visibilityState', { get: () => 'visible', configurable: true }); document.dispatchEvent(new Event('visibilitychange')); }");
        Assert.Equal("NewsMonitor", await _page.TitleAsync());
    }
}
