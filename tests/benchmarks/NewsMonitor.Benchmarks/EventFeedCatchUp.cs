extern alias events;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NewsMonitor.Contracts;
using NewsMonitor.Testing;
using Npgsql;
using EventsProgram = events::Program;
using FeedLog = events::NewsMonitor.Events.Feed.FeedLog;

namespace NewsMonitor.Benchmarks;

/// <summary>
/// `events-catchup --events 20000 --page 1000`: the events service hosted in this process on the test PostgreSQL (its
/// own schema) and RabbitMQ (its own virtual host); its log filled with N integration events (the four article kinds in
/// turn, the sample articles' text as ArticleReceived bodies), written as its consumer writes them (FeedLog: one stream
/// per message id, under the log's lock) in batches of 500, and 2,000 more one per transaction from 8 concurrent writers
/// (its rate is printed), and 4,000 small ones published on RabbitMQ and taken by the service's batch consumer (the
/// whole intake; its rate is printed); then the whole log read from position 0 through <c>GET /api/v1/events</c> in pages (in-process HTTP: routing,
/// authorization, the high-water mark query, the page query, CloudEvents JSON, no socket), beside a raw read of the same
/// rows with Npgsql (<c>select ... from mt_events order by seq_id</c>, data read as text) in the same run.
/// </summary>
public static class EventFeedCatchUp
{
    public static async Task RunAsync(int count, int pageSize)
    {
        var schema = TestInfrastructure.UniqueName("evbench");
        var virtualHost = TestInfrastructure.UniqueName("evbench");
        await TestInfrastructure.CreateVirtualHostAsync(virtualHost);
        try
        {
            var settings = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" };
            await using var service = new ServiceFactory<EventsProgram>(schema, virtualHost, settings);
            using var client = service.CreateGatewayClient();
            var store = service.Services.GetRequiredService<IDocumentStore>();

            var watch = Stopwatch.StartNew();
            var samples = SampleArticles.All;
            for (var start = 0; start < count; start += 500)
            {
                await using var session = store.LightweightSession();
                var batch = Enumerable.Range(start, Math.Min(count, start + 500) - start).Select(i => (Guid.NewGuid(), EventOf(i, samples[i / 4 % samples.Count]))).ToList();
                await FeedLog.AppendAsync(session, batch, CancellationToken.None);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count:N0} events written in {watch.Elapsed.TotalSeconds:F1} s"));
            // One event per transaction, eight writers at once, all behind the log's lock: the cost of a transaction.
            const int single = 2_000;
            watch.Restart();
            await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
            {
                for (var i = writer; i < single; i += 8)
                {
                    await using var session = store.LightweightSession();
                    await FeedLog.AppendAsync(session, [(Guid.NewGuid(), EventOf(i + 1, samples[0]))], CancellationToken.None);
                }
            })));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{single:N0} single-event writes from 8 concurrent writers in {watch.Elapsed.TotalSeconds:F1} s = {single / watch.Elapsed.TotalSeconds:N0} events/s"));
            count += single;
            // The whole intake: published on RabbitMQ as the relays publish, consumed in batches, written under the lock.
            const int published = 4_000;
            await using (var probe = await MessageProbe.StartAsync(virtualHost))
            {
                var before = await TestInfrastructure.ScalarAsync<long>($"select count(*) from \"{schema}\".mt_events");
                watch.Restart();
                // 100 publishes in flight at a time, so the publisher is not what limits the rate.
                for (var start = 0; start < published; start += 100)
                    await Task.WhenAll(Enumerable.Range(start, 100).Select(_ => probe.PublishAsync(new ArticleClassified(Guid.NewGuid(), [new TopicScore("politics", 0.8)], "lexicon-3", DateTimeOffset.UtcNow), Guid.NewGuid())));
                var publishTime = watch.Elapsed;
                await Eventually.TrueAsync(async () => await TestInfrastructure.ScalarAsync<long>($"select count(*) from \"{schema}\".mt_events") >= before + published,
                    "every published event in the log", TimeSpan.FromMinutes(5));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{published:N0} events published on AMQP in {publishTime.TotalSeconds:F1} s, all in the log after {watch.Elapsed.TotalSeconds:F1} s = {published / watch.Elapsed.TotalSeconds:N0} events/s through the consumer"));
            }
            count += published;
            var bytes = await TestInfrastructure.ScalarAsync<long>($"select sum(length(data::text)) from \"{schema}\".mt_events");

            // Warm-up (JIT, connection pool) on one page of each, then the measured reads.
            await ReadApiAsync(client, pageSize, maxPages: 1);
            await ReadRawAsync(schema, pageSize, maxPages: 1);
            for (var round = 1; round <= 2; round++)
            {
                watch.Restart();
                var (apiEvents, apiBytes) = await ReadApiAsync(client, pageSize, int.MaxValue);
                var api = watch.Elapsed;
                watch.Restart();
                var rawEvents = await ReadRawAsync(schema, pageSize, int.MaxValue);
                var raw = watch.Elapsed;
                if (apiEvents != count || rawEvents != count) throw new InvalidOperationException($"read {apiEvents} through the API and {rawEvents} raw, wrote {count}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: API {count:N0} events in {api.TotalSeconds:F2} s = {count / api.TotalSeconds:N0} events/s ({apiBytes / 1048576.0:F1} MB of JSON); " +
                    $"raw PostgreSQL {raw.TotalSeconds:F2} s = {count / raw.TotalSeconds:N0} events/s ({bytes / 1048576.0:F1} MB of event data); API/raw time {api / raw:F1}×"));
            }
        }
        finally
        {
            await TestInfrastructure.DropSchemasAsync(schema);
            await TestInfrastructure.DeleteVirtualHostAsync(virtualHost);
        }
    }

    private static object EventOf(int i, SampleArticle sample)
    {
        var articleId = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        return (i % 4) switch
        {
            0 => new ArticleReceived(articleId, sample.Title, sample.Body, $"https://news.example/{articleId:N}", sample.Language, sample.Source, now, now, now),
            1 => new ArticleClassified(articleId, [new TopicScore("politics", 0.82), new TopicScore("defense", 0.64)], "lexicon-3", now),
            2 => new EntitiesExtracted(articleId, [new ExtractedEntity("org:nato", "ORG", "NATO", [new EntityMention("الناتو", 10, 6)], ["الناتو", "NATO"]),
                new ExtractedEntity("person:mark-rutte", "PERSON", "Mark Rutte", [new EntityMention("مارك روته", 30, 9)])], "gazetteer-2", now),
            _ => new ArticleAlertsEvaluated(articleId, 1, now),
        };
    }

    // Reads the feed from position 0 as an integrator would: pass `next` as `after` until a short page.
    private static async Task<(int Events, long Bytes)> ReadApiAsync(HttpClient client, int pageSize, int maxPages)
    {
        var (events, bytes, after) = (0, 0L, "0");
        for (var page = 0; page < maxPages; page++)
        {
            using var response = await client.GetAsync($"/api/v1/events?after={after}&limit={pageSize}");
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsByteArrayAsync();
            bytes += body.Length;
            using var json = JsonDocument.Parse(body);
            var items = json.RootElement.GetProperty("items").GetArrayLength();
            events += items;
            after = json.RootElement.GetProperty("next").GetString()!;
            if (items < pageSize) break;
        }
        return (events, bytes);
    }

    // The same rows straight from PostgreSQL, in the same pages, every column a consumer would need.
    private static async Task<int> ReadRawAsync(string schema, int pageSize, int maxPages)
    {
        await using var connection = new NpgsqlConnection(TestInfrastructure.Postgres);
        await connection.OpenAsync();
        var (events, after) = (0, 0L);
        for (var page = 0; page < maxPages; page++)
        {
            await using var command = new NpgsqlCommand(
                $"select seq_id, id, stream_id, type, timestamp, data::text from \"{schema}\".mt_events where seq_id > @after order by seq_id limit @limit", connection);
            command.Parameters.AddWithValue("after", after);
            command.Parameters.AddWithValue("limit", pageSize);
            var items = 0;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                after = reader.GetInt64(0);
                _ = reader.GetGuid(1);
                _ = reader.GetGuid(2);
                _ = reader.GetString(3);
                _ = reader.GetFieldValue<DateTimeOffset>(4);
                _ = reader.GetString(5);
                items++;
            }
            events += items;
            if (items < pageSize) break;
        }
        return events;
    }
}
