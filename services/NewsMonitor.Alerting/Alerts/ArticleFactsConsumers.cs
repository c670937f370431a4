using Marten;
using MassTransit;
using NewsMonitor.Alerting.Matching;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Text;

namespace NewsMonitor.Alerting.Alerts;

/// <summary>
/// Notes one fact of an article (text, entities or topics) on the article's stream and, in the same
/// transaction, raises the alerts of every rule that this fact completes. The append expects the version it
/// read, so facts of one article arriving together are noted one after the other (the loser decides again); a fact already
/// noted is a redelivery and changes nothing. Each rule is therefore decided exactly once per article. A near copy
/// (<see cref="ArticleReceived.DuplicateOf"/>) raises no alert for a subscription whose alert on the original is stored; the
/// subscriptions so withheld are recorded (<see cref="AlertsWithheldAsRepeats"/>).
/// </summary>
public sealed class ArticleFactRecorder(IDocumentStore store, SubscriptionIndex index, TimeProvider clock)
{
    private static readonly Guid AlertScope = new("0b7f0b52-8d7e-4a39-9a3f-5b1c2d1e7a44");

    /// <summary>The alert id of a (subscription, article) pair: the same pair can only ever have one alert.</summary>
    public static Guid AlertId(Guid subscriptionId, Guid articleId) => DeterministicId.Create(AlertScope, $"{subscriptionId:N}:{articleId:N}");

    /// <summary>One delivered fact: an <c>Article…Noted</c> event of <paramref name="Kind"/>, with its message's trace.</summary>
    public sealed record Fact(Guid ArticleId, ArticleFactKinds Kind, object Noted, string? TraceParent);

    /// <summary>
    /// Notes each fact and raises what it completes. The facts of distinct articles are read together and saved in one
    /// transaction (one commit-order lock, one commit). When that save loses to a concurrent writer, nothing of it was
    /// stored: the batch is read and decided once more, and if it loses again its facts are noted one at a time, each in a
    /// session of its own, deciding again on the state that won; a fact that keeps losing throws, and MassTransit retries
    /// that message on its own (every fact already noted is then a no-op). An article twice in a batch is noted alone
    /// after it. A near copy whose original is in the same batch is noted after the batch, so that its repeats are seen.
    /// </summary>
    public async Task NoteAsync(IReadOnlyList<Fact> facts, CancellationToken cancellationToken)
    {
        var together = new List<Fact>();
        var alone = new List<Fact>();
        var copies = new List<Fact>();
        var articles = new HashSet<Guid>();
        foreach (var fact in facts) (fact.ArticleId != Guid.Empty && articles.Add(fact.ArticleId) ? together : alone).Add(fact);
        for (var round = 1; together.Count > 0; round++)
        {
            await using var session = store.LightweightSession();
            var reads = session.CreateBatchQuery();
            var streams = together.Select(fact => reads.Events.FetchForWriting<AlertingArticle>(fact.ArticleId)).ToList();
            await reads.Execute(cancellationToken);
            var snapshot = await index.CurrentAsync(session, cancellationToken);
            var staged = new List<Fact>();
            var unrepeated = new List<Guid>();
            for (var i = 0; i < together.Count; i++)
            {
                var stream = await streams[i];
                // A near copy whose original is in this batch waits until the original's alerts are committed: its
                // repeats are read from the store.
                if (((together[i].Noted as ArticleTextNoted)?.DuplicateOf ?? stream.Aggregate?.DuplicateOf) is { } original && articles.Contains(original))
                    copies.Add(together[i]);
                else if (await StageAsync(session, stream, together[i], snapshot, unrepeated, cancellationToken)) staged.Add(together[i]);
            }
            if (staged.Count == 0) break;
            try
            {
                await session.SaveChangesInCommitOrderAsync(cancellationToken, StillUnrepeated(session, unrepeated));
                break;
            }
            catch (Exception exception) when (EventStoreSessions.IsWriteConflict(exception) || exception is RepeatsChangedException)
            {
                // Nothing of the batch was stored (facts and alerts are one transaction): decided again on what is committed.
                if (round >= BatchAppends.BatchRounds)
                {
                    alone.AddRange(staged);
                    break;
                }
                together = staged;
            }
        }
        // Originals before their copies: an original that lost its race twice is among the alone ones.
        foreach (var fact in alone.Concat(copies)) await NoteAloneAsync(fact, cancellationToken);
    }

    // A fact in a session of its own, read again after each lost race; after WriteAttempts losses the exception goes to
    // MassTransit's retry. A collision is never swallowed: the fact and its alerts are one transaction.
    private async Task NoteAloneAsync(Fact fact, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var stream = await session.Events.FetchForWriting<AlertingArticle>(fact.ArticleId, cancellationToken);
            var unrepeated = new List<Guid>();
            if (!await StageAsync(session, stream, fact, await index.CurrentAsync(session, cancellationToken), unrepeated, cancellationToken)) return;
            try
            {
                await session.SaveChangesInCommitOrderAsync(cancellationToken, StillUnrepeated(session, unrepeated));
                return;
            }
            catch (Exception exception) when ((EventStoreSessions.IsWriteConflict(exception) || exception is RepeatsChangedException) && attempt < EventStoreSessions.WriteAttempts)
            {
            }
        }
    }

    /// <summary>
    /// The check made under the commit-order lock before a save that raised alerts on near copies: none of
    /// <paramref name="unrepeated"/> (the originals' alert ids whose absence let a copy's alert be raised) may have been
    /// stored meanwhile. The originals' alerts are read before the lock, so another batch (or a later fact of the
    /// original) could commit one in between; under the lock every alert committed so far is visible and none can commit
    /// until this save has. Null when there is nothing to check.
    /// </summary>
    private static Func<CancellationToken, Task>? StillUnrepeated(IDocumentSession session, List<Guid> unrepeated) =>
        unrepeated.Count == 0 ? null : async cancellationToken =>
        {
            if ((await session.LoadManyAsync<Alert>(cancellationToken, unrepeated)).Count > 0)
                throw new RepeatsChangedException();
        };

    /// <summary>An original's alert was stored after a copy's repeats were read: nothing is saved and the copy is decided again.</summary>
    private sealed class RepeatsChangedException() : Exception("An alert on the original of a near copy was stored meanwhile; the copy is decided again.");

    /// <summary>
    /// Appends <paramref name="fact"/> to its article's stream in <paramref name="session"/>, with the alerts it completes
    /// and, for the text, the evaluation; false when the stream has the fact already (a redelivery: nothing to do). For a
    /// near copy, the originals' alert ids that must still be absent at save are added to <paramref name="unrepeated"/>.
    /// </summary>
    private async Task<bool> StageAsync(IDocumentSession session, JasperFx.Events.IEventStream<AlertingArticle> stream, Fact fact,
        SubscriptionSnapshot snapshot, List<Guid> unrepeated, CancellationToken cancellationToken)
    {
        var articleId = fact.ArticleId;
        var before = stream.Aggregate ?? AlertingArticle.Empty(articleId);
        if (before.Known.HasFlag(fact.Kind)) return false;
        var after = fact.Noted switch
        {
            ArticleTextNoted text => before.Apply(text),
            ArticleEntitiesNoted entities => before.Apply(entities),
            ArticleTopicsNoted topics => before.Apply(topics),
            _ => throw new ArgumentException("Not an article fact.", nameof(fact)),
        };
        stream.AppendOne(session.WithTraceContext(fact.Noted, fact.TraceParent));

        var now = clock.GetUtcNow();
        var alertIds = new List<Guid>();
        if (after.Known.HasFlag(ArticleFactKinds.Text))
        {
            var facts = after.ToFacts();
            var hits = snapshot.Matchers
                .Where(entry => AlertingArticle.DecidedNow(entry.Key, before.Known, after.Known))
                .SelectMany(entry => entry.Value.Match(facts))
                .ToList();
            var repeats = after.DuplicateOf is { } original ? await AlertedOnAsync(session, original, hits.Select(hit => hit.Id), cancellationToken) : [];
            // A subscription whose rule changed between two facts of the article may be decided again; its alert on this
            // article, if stored, stands. Only alerts not yet raised are started, so a collision at save can only be a
            // concurrent writer, and the whole step (fact included) is decided again rather than half kept.
            var raised = await AlertedOnAsync(session, articleId, hits.Select(hit => hit.Id), cancellationToken);
            foreach (var hit in hits)
            {
                if (repeats.Contains(hit.Id) || raised.Contains(hit.Id)) continue;
                var alertId = AlertId(hit.Id, articleId);
                alertIds.Add(alertId);
                if (after.DuplicateOf is { } copied) unrepeated.Add(AlertId(hit.Id, copied));
                session.Events.StartStream<Alert>(alertId, session.WithTraceContext(new AlertTriggered(alertId, hit.Id, snapshot.Subscriptions[hit.Id].Tenant, articleId, after.Title ?? "", hit.Matched, now), fact.TraceParent));
            }
            if (repeats.Count > 0) stream.AppendOne(session.WithTraceContext(new AlertsWithheldAsRepeats(articleId, after.DuplicateOf!.Value, [.. repeats.Order()], now), fact.TraceParent));
        }
        // Once the text is there, the rules that need only the text have been decided: the article is evaluated.
        if (fact.Kind == ArticleFactKinds.Text) stream.AppendOne(session.WithTraceContext(new ArticleEvaluated(articleId, alertIds, now), fact.TraceParent));
        return true;
    }

    // The subscriptions among these whose alert on the article is stored (alert ids are derived from the pair).
    private static async Task<HashSet<Guid>> AlertedOnAsync(IQuerySession session, Guid original, IEnumerable<Guid> subscriptions, CancellationToken cancellationToken)
    {
        var bySubscription = subscriptions.Distinct().ToDictionary(subscription => AlertId(subscription, original));
        if (bySubscription.Count == 0) return [];
        var stored = await session.LoadManyAsync<Alert>(cancellationToken, bySubscription.Keys);
        return [.. stored.Select(alert => bySubscription[alert.Id])];
    }
}

/// <summary>Text: decides the rules that need nothing more.</summary>
public sealed class ArticleReceivedConsumer(ArticleFactRecorder recorder, TimeProvider clock) : IConsumer<Batch<ArticleReceived>>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<Batch<ArticleReceived>> context) =>
        recorder.NoteAsync(context.Message.Select(delivery =>
        {
            var article = delivery.Message;
            return new ArticleFactRecorder.Fact(article.ArticleId, ArticleFactKinds.Text,
                new ArticleTextNoted(article.ArticleId, article.Title, article.Body, article.Source, article.Language, clock.GetUtcNow(), article.DuplicateOf,
                    article.Url, article.PublishedAt), MessageTrace.ParentOf(delivery));
        }).ToList(), context.CancellationToken);
}

/// <summary>Entities: decides the rules with entity: and type: filters.</summary>
public sealed class EntitiesExtractedConsumer(ArticleFactRecorder recorder, TimeProvider clock) : IConsumer<Batch<EntitiesExtracted>>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<Batch<EntitiesExtracted>> context) =>
        recorder.NoteAsync(context.Message.Select(delivery => new ArticleFactRecorder.Fact(delivery.Message.ArticleId, ArticleFactKinds.Entities,
            new ArticleEntitiesNoted(delivery.Message.ArticleId, delivery.Message.Entities, clock.GetUtcNow()), MessageTrace.ParentOf(delivery))).ToList(),
            context.CancellationToken);
}

/// <summary>Topics: decides the rules with topic: filters.</summary>
public sealed class ArticleClassifiedConsumer(ArticleFactRecorder recorder, TimeProvider clock) : IConsumer<Batch<ArticleClassified>>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<Batch<ArticleClassified>> context) =>
        recorder.NoteAsync(context.Message.Select(delivery => new ArticleFactRecorder.Fact(delivery.Message.ArticleId, ArticleFactKinds.Topics,
            new ArticleTopicsNoted(delivery.Message.ArticleId, delivery.Message.Topics.Select(topic => topic.Label).ToList(), clock.GetUtcNow()),
            MessageTrace.ParentOf(delivery))).ToList(), context.CancellationToken);
}
