using Marten;
using Marten.Services;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// Marten's command log without parameter values. Marten's own logger writes every parameter of a failed command at
/// Error level, and a failed append's parameters are whole events: that is how a webhook secret once reached the log
/// (a subscription insert failed and its event was printed). This one logs the SQL text and the error only; successful
/// commands only at Debug, also without values.
/// </summary>
public sealed class RedactingMartenLogger(ILogger logger) : IMartenLogger, IMartenSessionLogger
{
    /// <inheritdoc />
    public IMartenSessionLogger StartSession(IQuerySession session) => this;

    /// <inheritdoc />
    public void SchemaChange(string sql) => logger.LogInformation("Marten applied a schema change:\n{Sql}", sql);

    /// <inheritdoc />
    public void LogSuccess(NpgsqlCommand command) => logger.LogDebug("Marten executed (parameter values not logged):\n{Sql}", command.CommandText);

    /// <inheritdoc />
    public void LogSuccess(NpgsqlBatch batch) =>
        logger.LogDebug("Marten executed (parameter values not logged):\n{Sql}", string.Join('\n', batch.BatchCommands.Select((NpgsqlBatchCommand command) => command.CommandText)));

    /// <inheritdoc />
    public void LogFailure(NpgsqlCommand command, Exception ex) =>
        logger.LogError(ex, "Marten failed executing (parameter values not logged):\n{Sql}", command.CommandText);

    /// <inheritdoc />
    public void LogFailure(NpgsqlBatch batch, Exception ex) =>
        logger.LogError(ex, "Marten failed executing (parameter values not logged):\n{Sql}", string.Join('\n', batch.BatchCommands.Select((NpgsqlBatchCommand command) => command.CommandText)));

    /// <inheritdoc />
    public void LogFailure(Exception ex, string message) => logger.LogError(ex, "Marten failed: {Message}", message);

    /// <inheritdoc />
    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit) =>
        logger.LogDebug("Marten saved {Inserted} inserts, {Updated} updates, {Deleted} deletions", commit.Inserted.Count(), commit.Updated.Count(), commit.Deleted.Count());

    /// <inheritdoc />
    public void OnBeforeExecute(NpgsqlCommand command) { }

    /// <inheritdoc />
    public void OnBeforeExecute(NpgsqlBatch batch) { }
}
