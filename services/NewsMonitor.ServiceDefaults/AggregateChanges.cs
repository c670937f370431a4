using System.Runtime.CompilerServices;
using Marten;
using Marten.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// Tells a cache built from the streams of <typeparamref name="T"/> (every replica's) that one of them changed, so it
/// need not ask the store on every use. Every save that appends to a <typeparamref name="T"/> stream also sends a
/// PostgreSQL <c>NOTIFY</c> in its own transaction (delivered only if it commits, to every listening connection) and,
/// after the commit, moves this process's <see cref="Generation"/> on at once; <see cref="AggregateChangeWatch{T}"/>
/// moves it on for the other replicas' notifications. While the watch is not listening (starting, reconnecting)
/// <see cref="Live"/> is false and callers must ask the store each time; it moves the generation on when it starts
/// listening again, so changes made while nobody listened are picked up too.
/// </summary>
/// <remarks>Another replica's change reaches this one when its notification does, a few milliseconds after its commit.</remarks>
public sealed class AggregateChanges<T> where T : class
{
    private readonly TimeProvider _clock;
    private long _generation;
    private volatile bool _live;

    /// <summary>Creates the signal for the store schema <paramref name="schema"/>.</summary>
    public AggregateChanges(string schema, TimeProvider? clock = null)
    {
        // One channel for every watched type and schema; the payload names which.
        Tag = schema + ":" + typeof(T).Name;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>How long a cache the signal says is current is used without asking the store (a safety net only).</summary>
    public static readonly TimeSpan VerifyEvery = TimeSpan.FromSeconds(30);

    /// <summary>The <c>NOTIFY</c> channel.</summary>
    public const string Channel = "newsmonitor_aggregate_changes";

    /// <summary>The notification payload: schema and aggregate type.</summary>
    public string Tag { get; }

    /// <summary>Moves on with every change known to this process. Read it before reading the store.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Whether other replicas' changes are being heard: only then may a cache trust <see cref="Generation"/>.</summary>
    public bool Live => _live;

    /// <summary>Where this process stands now; take it before asking the store, and keep it with what the store said.</summary>
    public AggregateCheck Begin() => new(Generation, _clock.GetTimestamp());

    /// <summary>
    /// Whether a cache built after <paramref name="since"/> (<see cref="Begin"/>) may be used without asking the store:
    /// the watch is listening, nothing changed since, and the check is younger than <see cref="VerifyEvery"/>.
    /// </summary>
    public bool Unchanged(AggregateCheck since) => _live && since.Generation == Generation && _clock.GetElapsedTime(since.At) < VerifyEvery;

    internal void Changed() => Interlocked.Increment(ref _generation);

    internal void Listening(bool live)
    {
        // Changed first: whatever was cached before the watch (re)started is checked against the store once more.
        if (live) Changed();
        _live = live;
    }
}

/// <summary>When a cache last asked the store: the <see cref="AggregateChanges{T}.Generation"/> and timestamp read just before.</summary>
public sealed record AggregateCheck(long Generation, long At)
{
    /// <summary>Never checked: no cache built on it counts as current.</summary>
    public static AggregateCheck Never { get; } = new(-1, 0);
}

/// <summary>Sends the notification with every save that appends to a <typeparamref name="T"/> stream.</summary>
internal sealed class AggregateChangeNotifier<T>(AggregateChanges<T> changes) : DocumentSessionListenerBase where T : class
{
    private static readonly ConditionalWeakTable<IDocumentSession, object> Changing = new();

    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        if (session.PendingChanges.Streams().Any(stream => stream.AggregateType == typeof(T) && stream.Events.Count > 0))
        {
            session.QueueSqlCommand("select pg_notify(?, ?)", AggregateChanges<T>.Channel, changes.Tag);
            Changing.AddOrUpdate(session, changes);
        }
        return Task.CompletedTask;
    }

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        if (Changing.TryGetValue(session, out _))
        {
            Changing.Remove(session);
            changes.Changed();
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// Listens for <see cref="AggregateChanges{T}.Channel"/> on a connection of its own and moves the generation on for
/// every notification about <typeparamref name="T"/> in this schema; reconnects after a second when the connection is
/// lost (a PostgreSQL restart), not listening meanwhile.
/// </summary>
internal sealed class AggregateChangeWatch<T>(AggregateChanges<T> changes, string connectionString, ILogger<AggregateChangeWatch<T>> logger)
    : BackgroundService where T : class
{
    /// <summary>The watch connection's <c>application_name</c> (seen in <c>pg_stat_activity</c>).</summary>
    public static string ApplicationName(AggregateChanges<T> changes) => "newsmonitor-watch " + changes.Tag;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Keepalive: a silently dropped connection fails the wait within seconds instead of leaving Live true.
        var settings = new NpgsqlConnectionStringBuilder(connectionString) { KeepAlive = 5, Pooling = false, ApplicationName = ApplicationName(changes) };
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(settings.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, notification) =>
                {
                    if (notification.Payload == changes.Tag) changes.Changed();
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {AggregateChanges<T>.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                changes.Listening(true);
                while (true) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Any failure, not only the expected ones (a broken socket, a restart, a refused login): an exception
                // escaping a hosted service stops the whole process, and this watch is only an optimisation.
                logger.LogWarning("Not listening for {Aggregate} changes ({Reason}); every use asks the store until it listens again", typeof(T).Name, exception.Message);
            }
            finally
            {
                changes.Listening(false);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}

/// <summary>Registration of <see cref="AggregateChanges{T}"/>.</summary>
public static class AggregateChangesExtensions
{
    /// <summary>
    /// Adds <see cref="AggregateChanges{T}"/> for the streams of <typeparamref name="T"/> in this service's store:
    /// the notification with every save and the watch (call after <c>AddEventStore</c>).
    /// </summary>
    public static WebApplicationBuilder AddAggregateChanges<T>(this WebApplicationBuilder builder) where T : class
    {
        builder.Services.AddSingleton(services => new AggregateChanges<T>(services.GetRequiredService<EventStoreSchema>().Name, services.GetService<TimeProvider>()));
        builder.Services.ConfigureMarten((services, options) => options.Listeners.Add(new AggregateChangeNotifier<T>(services.GetRequiredService<AggregateChanges<T>>())));
        builder.Services.AddHostedService(services => new AggregateChangeWatch<T>(services.GetRequiredService<AggregateChanges<T>>(),
            builder.Configuration.GetConnectionString("Postgres") ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set."),
            services.GetRequiredService<ILogger<AggregateChangeWatch<T>>>()));
        return builder;
    }
}
