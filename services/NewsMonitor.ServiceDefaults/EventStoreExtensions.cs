using JasperFx;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Weasel.Core;

namespace NewsMonitor.ServiceDefaults;

/// <summary>Marten wiring shared by every service: one schema per service, System.Text.Json, async daemon.</summary>
public static class EventStoreExtensions
{
    /// <summary>
    /// Adds Marten on the <c>ConnectionStrings:Postgres</c> database in schema <c>NewsMonitor:Schema</c>
    /// (default <paramref name="defaultSchema"/>), with the async daemon that runs relays and async projections.
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddEventStore(
        this WebApplicationBuilder builder, string defaultSchema, Action<StoreOptions> configure)
    {
        var connectionString = builder.Configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set (deploy/local/up sets it for local runs).");
        var schema = builder.Configuration["NewsMonitor:Schema"] ?? defaultSchema;
        // Solo for one replica; HotCold lets many replicas share the daemon work safely (deploy/k8s).
        var daemonMode = Enum.Parse<DaemonMode>(builder.Configuration["NewsMonitor:DaemonMode"] ?? nameof(DaemonMode.Solo));

        builder.Services.AddSingleton(new EventStoreSchema(schema));
        builder.Services.AddHealthChecks().AddCheck("postgres", new PostgresHealthCheck(connectionString), tags: ["ready"]);
        // Marten's default logger prints every parameter of a failed command (whole events); this one prints none.
        builder.Services.ConfigureMarten((services, options) =>
            options.Logger(new RedactingMartenLogger(services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("Marten"))));
        // Appends saved without the commit-order lock (CommitOrder) are allowed, warned about or refused.
        var unordered = Enum.Parse<UnorderedAppends>(builder.Configuration["NewsMonitor:Events:UnorderedAppends"] ?? nameof(UnorderedAppends.Refuse), ignoreCase: true);
        builder.Services.ConfigureMarten((services, options) => options.Listeners.Add(
            new CommitOrderGuard(unordered, services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("NewsMonitor.CommitOrder"))));

        return builder.Services.AddMarten(options =>
            {
                options.Connection(PostgresTuning.Apply(connectionString, builder.Configuration));
                options.DatabaseSchemaName = schema;
                // Migrations at start take an advisory lock, by default one id for the whole database: six services
                // starting at once on a loaded machine queued behind each other and some gave up ("Unable to attain the
                // global lock in time"). One lock per schema keeps replicas of a service serialised, and services apart.
                options.ApplyChangesLockId = SchemaLockId(schema);
                options.ApplyChangesLockTimeout = TimeSpan.FromSeconds(60);
                options.Events.DatabaseSchemaName = schema;
                options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                options.Events.MetadataConfig.HeadersEnabled = true;
                options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
                // Relays should pick up new events quickly: alerts are promised in well under a second per hop.
                options.Projections.FastPollingTime = TimeSpan.FromMilliseconds(100);
                options.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
                // A rolled-back append (an optimistic-concurrency loser, retried) leaves a hole in the event sequence.
                // The daemon waits this long before stepping over a hole, and every relay and projection behind it
                // waits too: the 3 s default showed as 3 s alert spikes. Marten steps over only when it finds no live
                // transaction that began before it saw the hole; a plain Rich append numbers its events before its
                // transaction begins, so it is not found: appends save through CommitOrder, under a lock, in a
                // transaction that is open before the numbers are taken (docs/reliability.md, "Event sequence and the async daemon").
                options.Projections.StaleSequenceThreshold = TimeSpan.FromMilliseconds(250);
                configure(options);
            })
            .ApplyAllDatabaseChangesOnStartup()
            .AddAsyncDaemon(daemonMode);
    }

    /// <summary>
    /// <c>GET /internal/projections</c> (for the gateway's operations status; operators only, through the gateway): every projection and subscription of this service's store with its position and how many events it
    /// is behind the store's high-water mark.
    /// </summary>
    public static WebApplication MapProjectionStatus(this WebApplication app)
    {
        app.MapGet("/internal/projections", async (IDocumentStore store, CancellationToken cancellationToken) =>
        {
            var shards = await store.Advanced.AllProjectionProgress(token: cancellationToken);
            var head = shards.FirstOrDefault(shard => shard.ShardName == "HighWaterMark")?.Sequence ?? 0;
            return TypedResults.Ok(new ProjectionStatusView(head, shards.Where(shard => shard.ShardName != "HighWaterMark")
                .Select(shard => new ProjectionPosition(shard.ShardName, shard.Sequence, Math.Max(0, head - shard.Sequence)))
                .OrderBy(shard => shard.Name, StringComparer.Ordinal).ToList()));
        }).ExcludeFromDescription().RequireAuthorization(Access.Operators);
        // Every service that shows its projections can rebuild them (issue 16): one call maps both.
        app.MapProjectionRebuild();
        return app;
    }

    /// <summary>A stable advisory lock id for <paramref name="schema"/> (the first four bytes of its SHA-256).</summary>
    internal static int SchemaLockId(string schema) =>
        System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("marten-apply:" + schema)));

    /// <summary>
    /// <c>POST /internal/projections/{name}/rebuild</c> (for the gateway's <c>POST /api/v1/ops/projections/{name}/rebuild</c>;
    /// operators only): rebuilds an async projection from its events with the running daemon, while the service runs,
    /// and answers once it has caught up with the events stored when it started. <paramref name="app"/>'s
    /// <c>/internal/projections</c> names are accepted with or without their <c>:All</c> shard suffix. Refused with 409:
    /// a subscription (a relay: rebuilding it would publish every event again), an inline projection (written in the
    /// transaction of its events, so never behind; a rebuild would delete documents the service reads while it runs)
    /// and a live aggregation (not stored). Unknown names answer 404, a rebuild already running 409, one longer than
    /// five minutes 504.
    /// </summary>
    public static WebApplication MapProjectionRebuild(this WebApplication app)
    {
        app.MapPost("/internal/projections/{name}/rebuild", async (string name, IDocumentStore store, IServiceProvider services, CancellationToken cancellationToken) =>
        {
            var projection = name.EndsWith(":All", StringComparison.Ordinal) ? name[..^":All".Length] : name;
            var options = (StoreOptions)store.Options;
            var source = options.Projections.All.FirstOrDefault(candidate => string.Equals(candidate.Name, projection, StringComparison.Ordinal));
            if (source is null)
            {
                var shards = await store.Advanced.AllProjectionProgress(token: cancellationToken);
                return shards.Any(shard => shard.ShardName == projection + ":All")
                    ? Problems.Conflict($"{projection} is a subscription (an integration-event relay), not a projection: rebuilding it would publish every stored event again.")
                    : Problems.NotFound($"This service has no projection named {projection}.", new Dictionary<string, object?> { ["name"] = name });
            }
            if (source.Lifecycle != ProjectionLifecycle.Async)
                return Problems.Conflict(source.Lifecycle == ProjectionLifecycle.Inline
                    ? $"{projection} is an inline projection: it is written in the same transaction as its events, so it is never behind them, and a rebuild would delete the documents this service reads while it runs."
                    : $"{projection} is a live aggregation: it is computed on read and not stored, so there is nothing to rebuild.");
            var daemon = services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var ours = true;
            try
            {
                // The running daemon stops the projection's shard, deletes its documents and progress and replays every
                // event up to the high-water mark. Not cancelled by the caller going away (the gateway gives up after
                // the same five minutes): a rebuild stopped halfway would leave the documents half built.
                await daemon.RebuildProjectionAsync(projection, RebuildTimeout, CancellationToken.None);
            }
            catch (ProjectionAlreadyRebuildingException)
            {
                ours = false; // the rebuild under way starts the shard again when it ends
                return Problems.Conflict($"{projection} is being rebuilt already.");
            }
            catch (TimeoutException)
            {
                return Problems.Of(StatusCodes.Status504GatewayTimeout, "Rebuild timed out", $"Rebuilding {projection} took longer than {RebuildTimeout.TotalMinutes:N0} minutes.");
            }
            finally
            {
                // The daemon leaves the shard stopped after a rebuild, finished or not: it runs on from the progress the
                // rebuild saved (the events appended meanwhile included), or the projection would stop for good.
                if (ours) foreach (var shard in source.ShardNames()) await daemon.StartAgentAsync(shard, CancellationToken.None);
            }
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            var progress = await store.Advanced.AllProjectionProgress(token: cancellationToken);
            var position = progress.FirstOrDefault(shard => shard.ShardName == projection + ":All")?.Sequence ?? 0;
            return (IResult)TypedResults.Ok(new ProjectionRebuilt(projection, position, (long)elapsed.TotalMilliseconds));
        }).ExcludeFromDescription().RequireAuthorization(Access.Operators);
        return app;
    }

    /// <summary>How long one shard's rebuild may take before the answer is 504 (the gateway waits as long).</summary>
    public static readonly TimeSpan RebuildTimeout = TimeSpan.FromMinutes(5);

    private sealed class PostgresHealthCheck(string connectionString) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("select 1", connection);
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy("PostgreSQL is not reachable", exception);
            }
        }
    }
}

/// <summary>The schema of this service's event store (<c>NewsMonitor:Schema</c>), known before the store is built.</summary>
public sealed record EventStoreSchema(string Name);

/// <summary>A projection's or subscription's position in the event store and how far behind the head it is.</summary>
public sealed record ProjectionPosition(string Name, long Position, long Lag);

/// <summary>Answer of <c>GET /internal/projections</c>.</summary>
public sealed record ProjectionStatusView(long Head, IReadOnlyList<ProjectionPosition> Projections);

/// <summary>Answer of <c>POST /internal/projections/{name}/rebuild</c>: the projection, its position after the rebuild, how long it took.</summary>
public sealed record ProjectionRebuilt(string Projection, long Position, long ElapsedMs);
