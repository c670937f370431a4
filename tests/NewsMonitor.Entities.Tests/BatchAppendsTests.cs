using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;
using Npgsql;

namespace NewsMonitor.Entities.Tests;

/// <summary>
/// The batch write path (<see cref="BatchAppends"/>) against a real store wired like every service's: one transaction
/// for the batch, each event with its own message's trace, repeats of a stream in order, and a batch that loses to a
/// concurrent writer decided again without losing or doubling anything.
/// </summary>
public sealed class BatchAppendsTests : IAsyncLifetime
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;
    private readonly string _schema = TestInfrastructure.UniqueName("batch");
    private WebApplication? _app;

    private IDocumentStore Store => _app!.Services.GetRequiredService<IDocumentStore>();

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["ConnectionStrings:Postgres"] = TestInfrastructure.Postgres;
        builder.Configuration["NewsMonitor:Schema"] = _schema;
        builder.AddEventStore(_schema, options =>
        {
            options.Projections.Snapshot<Tally>(SnapshotLifecycle.Inline);
            options.Events.AddEventType<Counted>();
        });
        _app = builder.Build();
        await _app.StartAsync(Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
        await TestInfrastructure.DropSchemasAsync(_schema);
    }

    [Fact]
    public async Task A_batch_is_saved_in_one_transaction_and_each_event_keeps_its_message_trace()
    {
        var ids = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToList();
        var traces = ids.ToDictionary(id => id, _ => $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01");

        var stored = await Store.DecideAndAppendBatchAsync(ids.Select(id => new BatchDecision<Tally>(id, Increment(id), traces[id])).ToList(), Token);

        Assert.Equal(20, stored);
        var rows = await EventsAsync(ids);
        Assert.Equal(20, rows.Count);
        // xmin is the id of the transaction that wrote the row: one for the whole batch.
        Assert.Single(rows.Select(row => row.Transaction).Distinct());
        Assert.All(rows, row => Assert.Equal(traces[row.Stream], row.TraceParent));
        await using var query = Store.QuerySession();
        Assert.All(await query.LoadManyAsync<Tally>(Token, ids), tally => Assert.Equal(1, tally.Count));
    }

    [Fact]
    public async Task A_stream_twice_in_a_batch_is_decided_in_order_each_time_on_the_state_before()
    {
        var id = Guid.NewGuid();
        var other = Guid.NewGuid();

        var stored = await Store.DecideAndAppendBatchAsync<Tally>(
            [new(id, Increment(id), null), new(other, Increment(other), null), new(id, Increment(id), null), new(id, Increment(id), null)], Token);

        Assert.Equal(4, stored);
        await using var query = Store.QuerySession();
        Assert.Equal(3, (await query.LoadAsync<Tally>(id, Token))!.Count);
        Assert.Equal(1, (await query.LoadAsync<Tally>(other, Token))!.Count);
        Assert.Equal([1, 2, 3], (await query.Events.FetchStreamAsync(id, token: Token)).Select(e => ((Counted)e.Data).N));
    }

    [Fact]
    public async Task A_batch_that_loses_to_a_concurrent_writer_stores_nothing_of_itself_and_decides_each_message_again()
    {
        var raced = Guid.NewGuid();
        var bystander = Guid.NewGuid();
        await Store.DecideAndAppendBatchAsync<Tally>([new(raced, Increment(raced), null)], Token);
        var racedDecisions = 0;
        var bystanderDecisions = 0;

        var stored = await Store.DecideAndAppendBatchAsync<Tally>(
        [
            new(raced, state =>
            {
                // The first time, another writer commits to this stream between the batch's read and its save.
                if (++racedDecisions == 1) CommitElsewhere(raced, 100);
                return [new Counted(raced, (state?.Count ?? 0) + 1)];
            }, null),
            // Idempotent, like the consumers' decisions: nothing once counted.
            new(bystander, state =>
            {
                bystanderDecisions++;
                return state is null ? [new Counted(bystander, 1)] : [];
            }, null),
        ], Token);

        Assert.Equal(2, racedDecisions);
        Assert.Equal(2, bystanderDecisions);
        Assert.Equal(2, stored);
        // The concurrent write is kept (never "last writer wins") and the raced decision was made again on top of it.
        Assert.Equal([1, 100, 101], (await EventsAsync([raced])).Select(row => row.N));
        Assert.Equal([1], (await EventsAsync([bystander])).Select(row => row.N));
    }

    [Fact]
    public async Task A_stream_whose_first_decision_keeps_losing_in_the_batch_still_gets_its_decisions_in_batch_order()
    {
        var id = Guid.NewGuid();
        await Store.DecideAndAppendBatchAsync<Tally>([new(id, Increment(id), null)], Token);
        var firstDecisions = 0;

        await Store.DecideAndAppendBatchAsync<Tally>(
        [
            new(id, _ =>
            {
                // Both tries of the batch lose a race, so this decision is made alone after it.
                if (++firstDecisions <= 2) CommitElsewhere(id, 100 + firstDecisions);
                return [new Counted(id, 1000)];
            }, null),
            new(id, _ => [new Counted(id, 2000)], null),
        ], Token);

        Assert.Equal(3, firstDecisions);
        Assert.Equal([1, 101, 102, 1000, 2000], (await EventsAsync([id])).Select(row => row.N));
    }

    [Fact]
    public async Task Decisions_with_nothing_to_do_store_nothing()
    {
        var id = Guid.NewGuid();
        await Store.DecideAndAppendBatchAsync<Tally>([new(id, Increment(id), null)], Token);

        var stored = await Store.DecideAndAppendBatchAsync([new BatchDecision<Tally>(id, state => state is null ? [new Counted(id, 1)] : [], null)], Token);

        Assert.Equal(0, stored);
        Assert.Single(await EventsAsync([id]));
    }

    private static Func<Tally?, IReadOnlyList<object>> Increment(Guid id) => state => [new Counted(id, (state?.Count ?? 0) + 1)];

    // Runs synchronously inside a decision on purpose: the race must be committed before the batch saves.
    private void CommitElsewhere(Guid id, int n)
    {
        using var session = Store.LightweightSession();
        session.Events.Append(id, new Counted(id, n));
        session.SaveChangesInCommitOrderAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    private async Task<List<(Guid Stream, int N, string? TraceParent, uint Transaction)>> EventsAsync(IReadOnlyList<Guid> streams)
    {
        await using var connection = new NpgsqlConnection(TestInfrastructure.Postgres);
        await connection.OpenAsync(Token);
        await using var command = new NpgsqlCommand(
            $"select stream_id, (data->>'n')::int, headers->>'traceparent', xmin::text::bigint from \"{_schema}\".mt_events where stream_id = any(@ids) order by seq_id", connection);
        command.Parameters.AddWithValue("ids", streams.ToArray());
        var rows = new List<(Guid, int, string?, uint)>();
        await using var reader = await command.ExecuteReaderAsync(Token);
        while (await reader.ReadAsync(Token))
            rows.Add((reader.GetGuid(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), (uint)reader.GetInt64(3)));
        return rows;
    }

    /// <summary>The last number counted on a stream; carries its version so the write path can check what it read.</summary>
    public sealed record Tally(Guid Id, int Count) : IVersionedAggregate
    {
        public long Version { get; set; }
        public static Tally Create(Counted counted) => new(counted.Id, counted.N);
        public Tally Apply(Counted counted) => this with { Count = counted.N };
    }

    public sealed record Counted(Guid Id, int N);
}
