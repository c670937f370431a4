using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NewsMonitor.Load;
using NewsMonitor.Text.Rules;

// The load harness of issue 17 (docs/benchmarks.md, "End-to-end load"): posts realistic articles through the
// gateway of a running system, follows them through every stage, and measures the raw baselines in the same run.
LoadOptions options;
try { options = LoadOptions.Parse(args); }
catch (ArgumentException exception)
{
    Console.Error.WriteLine(exception.Message);
    Console.Error.WriteLine("usage: NewsMonitor.Load --articles N [--rate R] [--subscriptions S] [--gateway URL --key KEY] [--batch B] [--label L] [--timeout S] [--no-baselines] [--no-docs] [--keep-subscriptions]");
    return 2;
}
var system = SystemUnderLoad.Discover(options);
var run = Guid.NewGuid().ToString("N")[..8];
var loadAtStart = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
Console.WriteLine($"run {run} (seed {options.Seed}): {options.Articles:N0} articles, {(options.Rate is { } r ? $"{r:0.#}/s" : $"as fast as taken, batches of {options.Batch}")}, {options.Subscriptions:N0} subscriptions, gateway {system.Gateway}, load average {loadAtStart}");

var random = new Random(options.Seed);
var watch = Stopwatch.StartNew();
var sentences = LoadCorpus.Sentences();
var articles = ArticleMix.Generate(options.Articles, sentences, LoadCorpus.Leads(), random);
var meanKb = articles.Average(a => Encoding.UTF8.GetByteCount(a.Body)) / 1024.0;
Console.WriteLine($"{articles.Count:N0} unique articles from {sentences.Count:N0} train sentences in {watch.Elapsed.TotalSeconds:F1} s: mean body {meanKb:F1} KB, {articles.Min(a => Encoding.UTF8.GetByteCount(a.Body)) / 1024.0:F1}–{articles.Max(a => Encoding.UTF8.GetByteCount(a.Body)) / 1024.0:F1} KB");

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
{
    BaseAddress = system.Gateway,
    Timeout = TimeSpan.FromMinutes(5),
};
http.DefaultRequestHeaders.Add("X-Api-Key", system.Key);

// Subscriptions through the public API, every rule checked with the product's parser first.
var (words, phrases) = LoadCorpus.Vocabulary(sentences);
var names = LoadCorpus.Names();
var subscriptionIds = new List<Guid>();
watch.Restart();
var wanted = new List<LoadSubscription>();
while (wanted.Count < options.Subscriptions)
{
    var subscription = RuleMix.Next(random, words, names, phrases);
    if (AlertRule.Parse(subscription.Rule).Rule is not null) wanted.Add(subscription);
}
using (var gate = new SemaphoreSlim(4))
{
    await Task.WhenAll(wanted.Select(async subscription =>
    {
        await gate.WaitAsync();
        try
        {
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "api/v1/subscriptions")
            {
                Content = JsonContent.Create(new { name = subscription.Name, rule = subscription.Rule, mode = "immediate" }),
            });
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST /api/v1/subscriptions {subscription.Rule}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var created = await response.Content.ReadFromJsonAsync<JsonElement>();
            lock (subscriptionIds) subscriptionIds.Add(created.GetProperty("id").GetGuid());
        }
        finally { gate.Release(); }
    }));
}
Console.WriteLine($"{subscriptionIds.Count:N0} subscriptions created in {watch.Elapsed.TotalSeconds:F1} s, e.g. {string.Join(" | ", wanted.Take(4).Select(s => s.Rule))}");

await using var counter = new StageCounter(system.Postgres);
await counter.MarkStartAsync();
var sampler = new ProcessSampler(system.StateDirectory);
await using var stream = new AlertStreamListener(http);
await stream.StartAsync();

// One sample a second: stage counts, queue depths and lag, every process's CPU and RSS.
var samples = new List<Sample>();
var start = Stopwatch.GetTimestamp();
double Now() => Stopwatch.GetElapsedTime(start).TotalSeconds;
using var stopSampling = new CancellationTokenSource();
var sampling = Task.Run(async () =>
{
    using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
    do
    {
        var t = Now();
        var counts = await counter.CountAsync();
        OpsSnapshot? ops = null;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            ops = OpsSnapshot.Parse(await http.GetFromJsonAsync<JsonElement>("api/v1/ops/status", timeout.Token));
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or JsonException) { }
        lock (samples) samples.Add(new Sample(t, counts, ops, sampler.Sample()));
    }
    while (await timer.WaitForNextTickAsync(stopSampling.Token).AsTask().ContinueWith(task => !task.IsCanceled && task.Result, TaskScheduler.Default));
});

// Post: NDJSON batches through the gateway, back to back or on a fixed schedule.
var postedAt = new Dictionary<Guid, long>();
var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
var firstPost = Now();
var batchSize = options.Rate is { } rate ? Math.Max(1, (int)Math.Round(rate / 5)) : options.Batch;
var batches = articles.Chunk(batchSize).ToList();
for (var i = 0; i < batches.Count; i++)
{
    if (options.Rate is { } perSecond)
    {
        var due = firstPost + i * batchSize / perSecond;
        var wait = due - Now();
        if (wait > 0) await Task.Delay(TimeSpan.FromSeconds(wait));
    }
    await PostBatchAsync(batches[i]);
}
var lastPost = Now();
var stored = outcomes.GetValueOrDefault("accepted") + outcomes.GetValueOrDefault("nearDuplicate");
Console.WriteLine($"posted in {lastPost - firstPost:F1} s ({articles.Count / (lastPost - firstPost):F1} articles/s): {string.Join(", ", outcomes.Select(pair => $"{pair.Value} {pair.Key}"))}");

// Wait for every stage to have every stored article and the queues to be empty, then for the alert stream to go quiet.
var deadline = Now() + options.Timeout.TotalSeconds;
while (Now() < deadline)
{
    Sample? last;
    lock (samples) last = samples.Count > 0 ? samples[^1] : null;
    if (last is { } s && s.Counts.Classified >= stored && s.Counts.EntitiesExtracted >= stored && s.Counts.AlertsEvaluated >= stored && s.Ops is { TotalDepth: 0 }) break;
    await Task.Delay(500);
}
var quiet = Now();
var seenAlerts = stream.Alerts.Count;
while (Now() - quiet < 3 && Now() < deadline + 30)
{
    await Task.Delay(500);
    if (stream.Alerts.Count != seenAlerts) { seenAlerts = stream.Alerts.Count; quiet = Now(); }
}
await stopSampling.CancelAsync();
await sampling;

// The baselines run after the pipeline has drained, so neither slows the other.
double? martenRate = null, busRate = null;
if (options.Baselines)
{
    martenRate = await Baselines.MartenAppendsAsync(system.Postgres, articles, options.Batch, run);
    Console.WriteLine($"baseline: raw Marten appends, batches of {options.Batch}: {martenRate:F1} articles/s");
    busRate = await Baselines.MassTransitAsync(system, articles, options.Batch, run);
    Console.WriteLine($"baseline: raw MassTransit publish→consume: {busRate:F1} articles/s");
}
if (!options.KeepSubscriptions)
{
    using var gate = new SemaphoreSlim(4);
    await Task.WhenAll(subscriptionIds.Select(async id =>
    {
        await gate.WaitAsync();
        try { using var _ = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, $"api/v1/subscriptions/{id}")); }
        finally { gate.Release(); }
    }));
}

// Figures.
var final = samples[^1].Counts;
double? Reached(Func<StageCounts, long> stage) => samples.FirstOrDefault(s => stage(s.Counts) >= stored && stored > 0)?.T - firstPost;
var stages = new (string Name, Func<StageCounts, long> Count)[]
{
    ("stored", c => c.Stored), ("classified", c => c.Classified), ("entities extracted", c => c.EntitiesExtracted), ("alerts evaluated", c => c.AlertsEvaluated),
};
var seconds = samples.Select(s => s.T - firstPost).ToList();
var stageRows = stages.Select(stage =>
{
    var reached = Reached(stage.Count);
    var peak = Statistics.TrailingRate(seconds, samples.Select(s => stage.Count(s.Counts)).ToList(), 10).DefaultIfEmpty(0).Max();
    return (stage.Name, Done: stage.Count(final), Seconds: reached, Rate: reached is > 0 ? stored / reached.Value : (double?)null, Peak: peak);
}).ToList();
var endToEndSeconds = stageRows.Skip(1).All(row => row.Seconds is not null) ? stageRows.Skip(1).Max(row => row.Seconds!.Value) : (double?)null;
var throughput = endToEndSeconds is > 0 ? stored / endToEndSeconds.Value : final.AlertsEvaluated / Math.Max(1, samples[^1].T - firstPost);

var frequency = (double)Stopwatch.Frequency;
var latencies = stream.Alerts.Where(alert => postedAt.ContainsKey(alert.ArticleId))
    .Select(alert => (alert.At - postedAt[alert.ArticleId]) * 1000.0 / frequency).ToList();
var alertedArticles = stream.Alerts.Where(alert => postedAt.ContainsKey(alert.ArticleId)).Select(alert => alert.ArticleId).Distinct().Count();
double? P(double p) => Statistics.Percentile(latencies, p);

var processNames = samples.SelectMany(s => s.Processes.Keys).Distinct().ToList();
var processRows = processNames.Select(name =>
{
    var mine = samples.Where(s => s.Processes.ContainsKey(name)).Select(s => (s.T, s.Processes[name])).ToList();
    var cpu = mine[^1].Item2.CpuSeconds - mine[0].Item2.CpuSeconds;
    var span = Math.Max(1e-9, mine[^1].T - mine[0].T);
    return (Name: name, CpuSeconds: cpu, CpuPercent: cpu / span * 100, MaxRss: mine.Max(m => m.Item2.RssMb), EndRss: mine[^1].Item2.RssMb);
}).OrderByDescending(row => row.CpuSeconds).ToList();
var maxRss = processRows.Where(row => ProcessSampler.DotnetProcesses.Contains(row.Name)).Select(row => row.MaxRss).DefaultIfEmpty(0).Max();
var queueRows = samples.Where(s => s.Ops is not null).SelectMany(s => s.Ops!.QueueDepths).GroupBy(pair => pair.Key)
    .Select(group => (Queue: group.Key, Max: group.Max(pair => pair.Value))).Where(row => row.Max > 0).OrderByDescending(row => row.Max).ToList();
var lagRows = samples.Where(s => s.Ops is not null).SelectMany(s => s.Ops!.ServiceLag).GroupBy(pair => pair.Key)
    .Select(group => (Service: group.Key, Max: group.Max(pair => pair.Value))).OrderByDescending(row => row.Max).ToList();

string F(double? value, string format = "F1") => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";
var report = new StringBuilder();
report.AppendLine(CultureInfo.InvariantCulture, $"| stage | articles | all done after (s) | rate to done (articles/s) | peak 10 s rate (articles/s) |");
report.AppendLine("| --- | --- | --- | --- | --- |");
report.AppendLine(CultureInfo.InvariantCulture, $"| posted (gateway answered) | {articles.Count:N0} | {F(lastPost - firstPost)} | {F(articles.Count / (lastPost - firstPost))} | |");
foreach (var row in stageRows) report.AppendLine(CultureInfo.InvariantCulture, $"| {row.Name} | {row.Done:N0} | {F(row.Seconds)} | {F(row.Rate)} | {F(row.Peak)} |");
report.AppendLine(CultureInfo.InvariantCulture, $"| **end to end** | {stored:N0} | {F(endToEndSeconds)} | **{F(throughput)}** | |");
if (martenRate is not null) report.AppendLine(CultureInfo.InvariantCulture, $"| baseline: raw Marten appends (batches of {options.Batch}) | {articles.Count:N0} | | {F(martenRate)} (end to end = {F(throughput / martenRate, "F3")}×) | |");
if (busRate is not null) report.AppendLine(CultureInfo.InvariantCulture, $"| baseline: raw MassTransit publish→consume | {articles.Count:N0} | | {F(busRate)} | |");
report.AppendLine();
report.AppendLine(CultureInfo.InvariantCulture, $"Alert latency, POST of the batch → alert on the SSE stream: {latencies.Count:N0} alerts on {alertedArticles:N0} articles; p50 {F(P(50), "F0")} ms, p95 {F(P(95), "F0")} ms, p99 {F(P(99), "F0")} ms, max {F(latencies.Count > 0 ? latencies.Max() : null, "F0")} ms.");
report.AppendLine();
report.AppendLine("| process | CPU s in run | mean CPU (% of one core) | max RSS (MB) | RSS at end (MB) |");
report.AppendLine("| --- | --- | --- | --- | --- |");
foreach (var row in processRows) report.AppendLine(CultureInfo.InvariantCulture, $"| {row.Name} | {row.CpuSeconds:F1} | {row.CpuPercent:F0} | {row.MaxRss:F0} | {row.EndRss:F0} |");
report.AppendLine();
report.AppendLine("Deepest queues (ready + unacknowledged, max over the run): " + (queueRows.Count == 0 ? "none above 0" : string.Join(", ", queueRows.Take(6).Select(row => $"{row.Queue} {row.Max:N0}"))) + ".");
report.AppendLine("Largest projection/relay lag per service (events behind the high-water mark): " + string.Join(", ", lagRows.Select(row => $"{row.Service} {row.Max:N0}")) + ".");
var summary = Statistics.SummaryLine(throughput, martenRate, P(99), maxRss);
Console.WriteLine();
Console.WriteLine(report.ToString());

if (options.WriteDocs)
{
    var images = Path.Combine(LoadCorpus.RepoRoot, "docs", "images");
    Directory.CreateDirectory(images);
    var throughputSvg = $"load-{options.Label}-throughput.svg";
    var latencySvg = $"load-{options.Label}-alert-latency.svg";
    var lines = stages.Select(stage => new Series(stage.Name, seconds, Statistics.TrailingRate(seconds, samples.Select(s => stage.Count(s.Counts)).ToList(), 5))).ToList();
    var withOps = samples.Where(s => s.Ops is not null).ToList();
    var opsSeconds = withOps.Select(s => s.T - firstPost).ToList();
    var depthLines = new List<Series> { new("all queues (messages)", opsSeconds, withOps.Select(s => (double)s.Ops!.TotalDepth).ToList()) };
    depthLines.AddRange(lagRows.Where(row => row.Max > 0).Take(5).Select(row => new Series($"lag {row.Service} (events)", opsSeconds, withOps.Select(s => (double)s.Ops!.ServiceLag.GetValueOrDefault(row.Service)).ToList())));
    await File.WriteAllTextAsync(Path.Combine(images, throughputSvg), SvgChart.Render([
        new Panel($"Throughput per stage ({options.Label}, 5 s trailing rate)", "seconds since the first POST", "articles/s", lines, [(lastPost - firstPost, "last POST")]),
        new Panel("Queue depth and projection lag", "seconds since the first POST", "messages / events", depthLines),
    ]));
    var sorted = latencies.Order().ToList();
    var cdf = new Series("alerts at or below", sorted, sorted.Select((_, i) => (i + 1) * 100.0 / sorted.Count).ToList());
    await File.WriteAllTextAsync(Path.Combine(images, latencySvg), SvgChart.Render([
        new Panel($"Alert latency, POST → SSE ({options.Label}, {latencies.Count:N0} alerts)", "milliseconds", "% of alerts", [cdf],
            new[] { (50.0, P(50)), (95.0, P(95)), (99.0, P(99)) }.Where(m => m.Item2 is not null).Select(m => (m.Item2!.Value, $"p{m.Item1:0}")).ToList()),
    ]));
    var section = new StringBuilder();
    section.AppendLine(CultureInfo.InvariantCulture, $"### Run `{options.Label}`: {options.Articles:N0} articles, {(options.Rate is { } pr ? $"{pr:0.#} articles/s" : $"as fast as taken (NDJSON batches of {options.Batch})")}, {options.Subscriptions:N0} subscriptions");
    section.AppendLine();
    section.AppendLine(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {RunConditions.AtStart(loadAtStart, Environment.ProcessorCount)}. Articles: mean body {meanKb:F1} KB. Command:");
    section.AppendLine();
    section.AppendLine("```bash");
    section.AppendLine("dotnet run -c Release --project tests/benchmarks/NewsMonitor.Load -- " + string.Join(' ', args));
    section.AppendLine("```");
    section.AppendLine();
    section.Append(report);
    section.AppendLine();
    section.AppendLine(CultureInfo.InvariantCulture, $"![throughput and lag]({"images/" + throughputSvg}) ![alert latency]({"images/" + latencySvg})");
    section.AppendLine();
    section.AppendLine("```");
    section.AppendLine(summary);
    section.AppendLine("```");
    var docs = Path.Combine(LoadCorpus.RepoRoot, "docs", "benchmarks.md");
    await File.WriteAllTextAsync(docs, MarkdownSection.Replace(await File.ReadAllTextAsync(docs), options.Label, section.ToString(), "## End-to-end load (issue 17)"));
    Console.WriteLine($"wrote docs/benchmarks.md (section {options.Label}), docs/images/{throughputSvg}, docs/images/{latencySvg}");
}
Console.WriteLine(summary);
return 0;

async Task PostBatchAsync(IReadOnlyList<LoadArticle> batch)
{
    var ndjson = new StringBuilder();
    foreach (var article in batch) ndjson.AppendLine(JsonSerializer.Serialize(new { title = article.Title, body = article.Body, language = "ar", source = article.Source }));
    var sent = Stopwatch.GetTimestamp();
    using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "api/v1/articles/batch")
    {
        Content = new StringContent(ndjson.ToString(), Encoding.UTF8, "application/x-ndjson"),
    });
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST /api/v1/articles/batch: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
    foreach (var item in answer.GetProperty("items").EnumerateArray())
    {
        var status = item.GetProperty("status").GetString() ?? "?";
        outcomes[status] = outcomes.GetValueOrDefault(status) + 1;
        if (status is "accepted" or "nearDuplicate" && item.GetProperty("id").TryGetGuid(out var id)) postedAt[id] = sent;
    }
}

// The gateway limits each key (429, Retry-After) and refuses intake while the broker blocks publishing (503,
// Retry-After): both are waited out, as a well-behaved client does, up to 30 tries.
async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request)
{
    for (var attempt = 0; ; attempt++)
    {
        using var message = request();
        var response = await http.SendAsync(message);
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) || attempt >= 30) return response;
        var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
        response.Dispose();
        await Task.Delay(wait);
    }
}

/// <summary>One sample of the run: seconds since start, stage counts, ops status (null if it did not answer), processes.</summary>
internal sealed record Sample(double T, StageCounts Counts, OpsSnapshot? Ops, Dictionary<string, ProcessSample> Processes);
