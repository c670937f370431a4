using Marten;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;
using Npgsql;

namespace NewsMonitor.Events.Feed;

/// <summary>
/// Records every integration event in this service's event store, whose global sequence is the feed's one durable
/// order. Each message becomes a stream of its own, keyed by the AMQP message id (which the relays set to the source
/// event's id): a redelivery, or a relay's republish after a crash, finds its id in the log and is not recorded twice.
/// Deliveries are taken in batches (<see cref="EventFeedModule"/>), one transaction per batch: writes to the log are
/// serialised (<see cref="FeedLog"/>, which keeps positions in commit order), so the fewer transactions the better.
/// </summary>
public sealed class FeedRecorder(IDocumentSession session, FeedSignal signal, ILogger<FeedRecorder> logger) :
    IConsumer<Batch<ArticleReceived>>, IConsumer<Batch<ArticleClassified>>, IConsumer<Batch<EntitiesExtracted>>,
    IConsumer<Batch<ArticleAlertsEvaluated>>, IConsumer<Batch<AlertRaised>>, IConsumer<Batch<AlertDigestCompiled>>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<Batch<ArticleReceived>> context) => RecordAsync(context.Message, context.CancellationToken);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<Batch<ArticleClassified>> context) => RecordAsync(context.Message, context.CancellationToken);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<Batch<EntitiesExtracted>> context) => RecordAsync(context.Message, context.CancellationToken);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<Batch<ArticleAlertsEvaluated>> context) => RecordAsync(context.Message, context.CancellationToken);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<Batch<AlertRaised>> context) => RecordAsync(context.Message, context.CancellationToken);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<Batch<AlertDigestCompiled>> context) => RecordAsync(context.Message, context.CancellationToken);

    private async Task RecordAsync<T>(Batch<T> batch, CancellationToken cancellationToken) where T : class
    {
        // MassTransit gives every message an id; one without would have no stable id to deduplicate on.
        var events = batch.Select(delivery => (
            delivery.MessageId ?? throw new InvalidOperationException($"A {typeof(T).Name} arrived without a message id."),
            (object)delivery.Message)).ToList();
        session.KeepTraceContext();
        try
        {
            var appended = await FeedLog.AppendAsync(session, events, cancellationToken);
            if (appended > 0) signal.Raise();
            if (appended < events.Count) logger.LogDebug("{Count} {EventType} already in the feed (redeliveries)", events.Count - appended, typeof(T).Name);
        }
        catch (Exception exception) when (IsDuplicate(exception))
        {
            // Only a writer that bypassed the log's lock could have added one of these ids meanwhile: retry the batch.
            throw new InvalidOperationException("A message id of the batch was stored by a concurrent writer.", exception);
        }
    }

    /// <summary>
    /// True when saving failed because a message's stream exists: Marten's collision exception
    /// (<see cref="EventStoreSessions.IsStreamCollision"/>) or, under it, PostgreSQL's unique violation on the streams table.
    /// </summary>
    public static bool IsDuplicate(Exception exception)
    {
        if (EventStoreSessions.IsStreamCollision(exception)) return true;
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique && unique.TableName == "mt_streams") return true;
            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(IsDuplicate)) return true;
        }
        return false;
    }
}
