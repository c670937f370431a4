using Marten;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Subscriptions;

/// <summary>
/// A subscription's commands on the one write path: read the stream (the version read is expected at save), decide with
/// <see cref="SubscriptionDecider"/>, append, save; after a concurrent write, decide again on the state that won
/// (<see cref="EventStoreSessions.DecideAndAppendWithRetriesAsync{TAggregate, TAnswer}"/>).
/// </summary>
public static class SubscriptionWrites
{
    /// <summary>
    /// Decides the command that <paramref name="command"/> makes of the state read and answers with
    /// <paramref name="answer"/>, given the state after the decision (null: not found) and the decision. A subscription
    /// <paramref name="visible"/> rejects is treated as missing (another tenant's answers like a missing one). After
    /// <see cref="EventStoreSessions.WriteAttempts"/> conflicts in a row, <paramref name="conflicted"/> answers.
    /// </summary>
    public static Task<TAnswer> DecideAsync<TAnswer>(this IDocumentSession session, Guid id, Func<Subscription, SubscriptionCommand> command,
        Func<Subscription?, SubscriptionDecision, TAnswer> answer, Func<TAnswer> conflicted, CancellationToken cancellationToken, Func<Subscription, bool>? visible = null) =>
        session.DecideAndAppendWithRetriesAsync<Subscription, TAnswer>(id, state =>
        {
            var seen = state is not null && (visible?.Invoke(state) ?? true) ? state : null;
            var decision = seen is null ? SubscriptionDecision.NotFound : SubscriptionDecider.Decide(seen, command(seen));
            var after = decision.Refused ? null : SubscriptionDecider.Fold(seen, decision.Events);
            return (decision.Events, answer(after, decision));
        }, conflicted, cancellationToken);

    /// <summary>
    /// Records what a consumer or a start-up task observed (a delivery's outcome, a sealed secret): decided on the state
    /// read, so a recovery already recorded by a concurrent delivery is not recorded twice, and nothing is recorded on a
    /// deleted subscription. A conflict that persists throws, so the message is retried.
    /// </summary>
    /// <returns>True when an event was stored.</returns>
    public static Task<bool> RecordAsync(this IDocumentSession session, SubscriptionCommand command, CancellationToken cancellationToken) =>
        session.DecideAsync(command.SubscriptionId, _ => command, (_, decision) => decision.Events.Count > 0,
            () => throw new InvalidOperationException($"Subscription {command.SubscriptionId} kept changing while {command.GetType().Name} was recorded; the message is retried."),
            cancellationToken);
}
