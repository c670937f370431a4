using Marten;
using MassTransit;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;
using Npgsql;

namespace NewsMonitor.Events.Feed;

/// <summary>
/// Records every integration event in this service's event store, whose global sequence is the feed's one durable
/// order. Each message becomes a stream of its own, keyed by the AMQP message id (which the relays set to the source
/// event's id): a redelivery or a relay's republish after a crash starts a stream that exists, the save fails, and the
/// event is not recorded twice. Writes go through <see cref="FeedLog"/>, which keeps positions in commit order.
/// </summary>
public sealed class FeedRecorder(IDocumentSession session, FeedSignal signal, ILogger<FeedRecorder> logger) :
    IConsumer<ArticleReceived>, IConsumer<ArticleClassified>, IConsumer<EntitiesExtracted>,
    IConsumer<ArticleAlertsEvaluated>, IConsumer<AlertRaised>, IConsumer<AlertDigestCompiled>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<ArticleReceived> context) => RecordAsync(context, context.Message);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<ArticleClassified> context) => RecordAsync(context, context.Message);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<EntitiesExtracted> context) => RecordAsync(context, context.Message);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<ArticleAlertsEvaluated> context) => RecordAsync(context, context.Message);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<AlertRaised> context) => RecordAsync(context, context.Message);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<AlertDigestCompiled> context) => RecordAsync(context, context.Message);

    private async Task RecordAsync(ConsumeContext context, object message)
    {
        // MassTransit gives every message an id; one without would have no stable id to deduplicate on.
        var id = context.MessageId ?? throw new InvalidOperationException($"A {message.GetType().Name} arrived without a message id.");
        session.KeepTraceContext();
        try
        {
            await FeedLog.AppendAsync(session, [(id, message)], context.CancellationToken);
            signal.Raise();
        }
        catch (Exception exception) when (IsDuplicate(exception))
        {
            logger.LogDebug("{EventType} {MessageId} is already in the feed (a redelivery)", message.GetType().Name, id);
        }
    }

    /// <summary>
    /// True when saving failed because the message's stream exists: Marten's collision exception (Marten 9 throws
    /// <c>Marten.Exceptions.ExistingStreamIdCollisionException</c>, JasperFx has a type of the same name) or, under it,
    /// PostgreSQL's unique violation on the streams table.
    /// </summary>
    public static bool IsDuplicate(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current.GetType().Name == "ExistingStreamIdCollisionException") return true;
            if (current is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique && unique.TableName == "mt_streams") return true;
            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(IsDuplicate)) return true;
        }
        return false;
    }
}
