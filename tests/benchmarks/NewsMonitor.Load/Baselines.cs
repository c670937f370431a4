using System.Diagnostics;
using JasperFx;
using Marten;
using MassTransit;
using Npgsql;
using RabbitMQ.Client;
using Weasel.Core;

namespace NewsMonitor.Load;

/// <summary>The stored event of the Marten baseline: the same fields ingestion's <c>ArticleSubmitted</c> carries.</summary>
public sealed record BaselineArticleSubmitted(Guid ArticleId, string Title, string Body, string Language, string Source, DateTimeOffset ReceivedAt);

/// <summary>The message of the MassTransit baseline: the article as ingestion publishes it, text included.</summary>
public sealed record LoadBaselineArticle(Guid ArticleId, string Title, string Body, string Language, string Source);

/// <summary>
/// The same-run baselines: what the database and the broker do with the same articles when nothing else is done
/// to them. Each works in its own place (a Marten schema, a queue and its exchanges) and removes it afterwards.
/// </summary>
public static class Baselines
{
    /// <summary>
    /// Appends every article as a new stream of one event, in sessions of <paramref name="batch"/> articles (one
    /// transaction each), with the services' serializer settings, in schema <c>load_baseline_&lt;run&gt;</c>,
    /// dropped afterwards. Articles per second.
    /// </summary>
    public static async Task<double> MartenAppendsAsync(string connectionString, IReadOnlyList<LoadArticle> articles, int batch, string run)
    {
        var schema = "load_baseline_" + run;
        using var store = DocumentStore.For(options =>
        {
            options.Connection(connectionString);
            options.DatabaseSchemaName = schema;
            options.Events.DatabaseSchemaName = schema;
            options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
            options.Events.MetadataConfig.HeadersEnabled = true;
            options.AutoCreateSchemaObjects = AutoCreate.All;
        });
        try
        {
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            var watch = Stopwatch.StartNew();
            foreach (var chunk in articles.Chunk(batch))
            {
                await using var session = store.LightweightSession();
                foreach (var article in chunk)
                {
                    var id = Guid.NewGuid();
                    session.Events.StartStream(id, new BaselineArticleSubmitted(id, article.Title, article.Body, "ar", article.Source, DateTimeOffset.UtcNow));
                }
                await session.SaveChangesAsync();
            }
            return articles.Count / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop schema if exists {schema} cascade", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// Publishes every article as a persistent message (publisher confirms, at most <paramref name="batch"/> in flight)
    /// to a durable quorum queue <c>load-baseline-&lt;run&gt;</c> of the system's virtual host, consumed by a MassTransit
    /// consumer with the default prefetch; articles per second from the first publish to the last consume. The queue
    /// and its exchanges are deleted afterwards.
    /// </summary>
    public static async Task<double> MassTransitAsync(SystemUnderLoad system, IReadOnlyList<LoadArticle> articles, int batch, string run)
    {
        var queue = "load-baseline-" + run;
        var consumed = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bus = Bus.Factory.CreateUsingRabbitMq(configure =>
        {
            configure.Host(system.RabbitHost, (ushort)system.RabbitPort, system.RabbitVirtualHost, host =>
            {
                host.Username(system.RabbitUser);
                host.Password(system.RabbitPassword);
            });
            configure.ReceiveEndpoint(queue, endpoint =>
            {
                // The services' endpoint queues are quorum queues (QuorumQueues): the baseline's is too.
                endpoint.SetQuorumQueue();
                endpoint.Handler<LoadBaselineArticle>(_ =>
                {
                    if (Interlocked.Increment(ref consumed) == articles.Count) done.TrySetResult();
                    return Task.CompletedTask;
                });
            });
        });
        await bus.StartAsync();
        try
        {
            var watch = Stopwatch.StartNew();
            foreach (var chunk in articles.Chunk(batch))
            {
                await Task.WhenAll(chunk.Select(article => bus.Publish(new LoadBaselineArticle(Guid.NewGuid(), article.Title, article.Body, "ar", article.Source))));
            }
            await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
            return articles.Count / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            await bus.StopAsync();
            var factory = new ConnectionFactory { HostName = system.RabbitHost, Port = system.RabbitPort, VirtualHost = system.RabbitVirtualHost, UserName = system.RabbitUser, Password = system.RabbitPassword };
            await using var connection = await factory.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            await channel.QueueDeleteAsync(queue);
            await channel.ExchangeDeleteAsync(queue);
            await channel.ExchangeDeleteAsync("NewsMonitor.Load:LoadBaselineArticle");
        }
    }
}
