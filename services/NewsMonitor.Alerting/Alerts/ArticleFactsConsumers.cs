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
/// read, so facts arriving together are noted one after the other (the loser is retried); a fact already
/// noted is a redelivery and changes nothing. Each rule is therefore decided exactly once per article. A near copy
/// (<see cref="ArticleReceived.DuplicateOf"/>) raises no alert for a subscription whose alert on the original is stored; the
/// subscriptions so withheld are recorded (<see cref="AlertsWithheldAsRepeats"/>).
/// </summary>
public sealed class ArticleFactRecorder(IDocumentSession session, SubscriptionIndex index, TimeProvider clock)
{
    private static readonly Guid AlertScope = new("0b7f0b52-8d7e-4a39-9a3f-5b1c2d1e7a44");

    /// <summary>The alert id of a (subscription, article) pair: the same pair can only ever have one alert.</summary>
    public static Guid AlertId(Guid subscriptionId, Guid articleId) => DeterministicId.Create(AlertScope, $"{subscriptionId:N}:{articleId:N}");

    /// <summary>Notes <paramref name="fact"/> (an <c>Article…Noted</c> event) and raises what it completes.</summary>
    public async Task NoteAsync(Guid articleId, ArticleFactKinds kind, object fact, CancellationToken cancellationToken)
    {
        var stream = await session.Events.FetchForWriting<AlertingArticle>(articleId, cancellationToken);
        var before = stream.Aggregate ?? AlertingArticle.Empty(articleId);
        if (before.Known.HasFlag(kind)) return;
        var after = fact switch
        {
            ArticleTextNoted text => before.Apply(text),
            ArticleEntitiesNoted entities => before.Apply(entities),
            ArticleTopicsNoted topics => before.Apply(topics),
            _ => throw new ArgumentException("Not an article fact.", nameof(fact)),
        };
        session.KeepTraceContext();
        stream.AppendOne(fact);

        var now = clock.GetUtcNow();
        var alertIds = new List<Guid>();
        if (after.Known.HasFlag(ArticleFactKinds.Text))
        {
            var snapshot = await index.CurrentAsync(session, cancellationToken);
            var facts = after.ToFacts();
            var hits = snapshot.Matchers
                .Where(entry => AlertingArticle.DecidedNow(entry.Key, before.Known, after.Known))
                .SelectMany(entry => entry.Value.Match(facts))
                .ToList();
            var repeats = after.DuplicateOf is { } original ? await AlertedOnAsync(original, hits.Select(hit => hit.Id), cancellationToken) : [];
            // A subscription whose rule changed between two facts of the article may be decided again; its alert on this
            // article, if stored, stands. Only alerts not yet raised are started, so a collision at save can only be a
            // concurrent writer, and the whole step (fact included) is retried rather than half kept.
            var raised = await AlertedOnAsync(articleId, hits.Select(hit => hit.Id), cancellationToken);
            foreach (var hit in hits)
            {
                if (repeats.Contains(hit.Id) || raised.Contains(hit.Id)) continue;
                var alertId = AlertId(hit.Id, articleId);
                alertIds.Add(alertId);
                session.Events.StartStream<Alert>(alertId,
                    new AlertTriggered(alertId, hit.Id, snapshot.Subscriptions[hit.Id].Tenant, articleId, after.Title ?? "", hit.Matched, now));
            }
            if (repeats.Count > 0) stream.AppendOne(new AlertsWithheldAsRepeats(articleId, after.DuplicateOf!.Value, [.. repeats.Order()], now));
        }
        // Once the text is there, the rules that need only the text have been decided: the article is evaluated.
        if (kind == ArticleFactKinds.Text) stream.AppendOne(new ArticleEvaluated(articleId, alertIds, now));
        // No collision is caught here: the fact and its alerts are one transaction, and swallowing a collision would drop
        // the fact. A concurrent copy of this message that committed first makes this save fail (version or alert id);
        // MassTransit's retry runs it again, and it then finds the fact noted and does nothing.
        await session.SaveChangesInCommitOrderAsync(cancellationToken);
    }

    // The subscriptions among these whose alert on the article is stored (alert ids are derived from the pair).
    private async Task<HashSet<Guid>> AlertedOnAsync(Guid original, IEnumerable<Guid> subscriptions, CancellationToken cancellationToken)
    {
        var bySubscription = subscriptions.Distinct().ToDictionary(subscription => AlertId(subscription, original));
        if (bySubscription.Count == 0) return [];
        var stored = await session.LoadManyAsync<Alert>(cancellationToken, bySubscription.Keys);
        return [.. stored.Select(alert => bySubscription[alert.Id])];
    }
}

/// <summary>Text: decides the rules that need nothing more.</summary>
public sealed class ArticleReceivedConsumer(ArticleFactRecorder recorder, TimeProvider clock) : IConsumer<ArticleReceived>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<ArticleReceived> context)
    {
        var article = context.Message;
        return recorder.NoteAsync(article.ArticleId, ArticleFactKinds.Text,
            new ArticleTextNoted(article.ArticleId, article.Title, article.Body, article.Source, article.Language, clock.GetUtcNow(), article.DuplicateOf,
                article.Url, article.PublishedAt), context.CancellationToken);
    }
}

/// <summary>Entities: decides the rules with entity: and type: filters.</summary>
public sealed class EntitiesExtractedConsumer(ArticleFactRecorder recorder, TimeProvider clock) : IConsumer<EntitiesExtracted>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<EntitiesExtracted> context) =>
        recorder.NoteAsync(context.Message.ArticleId, ArticleFactKinds.Entities,
            new ArticleEntitiesNoted(context.Message.ArticleId, context.Message.Entities, clock.GetUtcNow()), context.CancellationToken);
}

/// <summary>Topics: decides the rules with topic: filters.</summary>
public sealed class ArticleClassifiedConsumer(ArticleFactRecorder recorder, TimeProvider clock) : IConsumer<ArticleClassified>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<ArticleClassified> context) =>
        recorder.NoteAsync(context.Message.ArticleId, ArticleFactKinds.Topics,
            new ArticleTopicsNoted(context.Message.ArticleId, context.Message.Topics.Select(topic => topic.Label).ToList(), clock.GetUtcNow()), context.CancellationToken);
}
