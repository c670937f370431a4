using Npgsql;

namespace NewsMonitor.Testing;

/// <summary>
/// A store's two-key advisory lock (the commit-order lock: class, <c>hashtext(schema)</c>) held by the test in an open
/// transaction, as a slow write of another writer would hold it; writers that need it queue until <see cref="ReleaseAsync"/>.
/// </summary>
public sealed class HeldAdvisoryLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly int _lockClass;
    private readonly string _schema;

    private HeldAdvisoryLock(NpgsqlConnection connection, NpgsqlTransaction transaction, int lockClass, string schema) =>
        (_connection, _transaction, _lockClass, _schema) = (connection, transaction, lockClass, schema);

    /// <summary>Takes the lock of <paramref name="lockClass"/> for <paramref name="schema"/>, waiting for it if another holds it.</summary>
    public static async Task<HeldAdvisoryLock> TakeAsync(int lockClass, string schema, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(TestInfrastructure.Postgres);
        await connection.OpenAsync(cancellationToken);
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("select pg_advisory_xact_lock(@class, hashtext(@schema))", connection, transaction))
        {
            take.Parameters.AddWithValue("class", lockClass);
            take.Parameters.AddWithValue("schema", schema);
            await take.ExecuteNonQueryAsync(cancellationToken);
        }
        return new HeldAdvisoryLock(connection, transaction, lockClass, schema);
    }

    /// <summary>Waits until at least <paramref name="count"/> sessions wait for this lock.</summary>
    public Task WaitForWaitersAsync(int count, string what) => Eventually.TrueAsync(async () => await TestInfrastructure.ScalarAsync<long>(
            $"select count(*) from pg_locks where locktype = 'advisory' and classid::bigint = {_lockClass} and objsubid = 2 and not granted " +
            $"and objid::bigint = (hashtext('{_schema}')::bigint & 4294967295)") >= count, what);

    /// <summary>Lets the waiting writers go (the transaction holding the lock commits).</summary>
    public Task ReleaseAsync(CancellationToken cancellationToken) => _transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
