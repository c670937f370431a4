using Marten;
using MassTransit;
using NewsMonitor.Alerting.Rules;
using NewsMonitor.Alerting.Subscriptions;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Text;

namespace NewsMonitor.Alerting.Alerts;

/// <summary>
/// Evaluates every active subscription against a received article, once. The evaluation and its alerts are
/// stored in one transaction as new streams, so a redelivered or replayed message raises nothing twice.
/// </summary>
public sealed class EvaluateArticleConsumer(IDocumentSession session, TimeProvider clock) : IConsumer<ArticleReceived>
{
    private static readonly Guid AlertScope = new("0b7f0b52-8d7e-4a39-9a3f-5b1c2d1e7a44");

    /// <summary>The alert id of a (subscription, article) pair: the same pair can only ever have one alert.</summary>
    public static Guid AlertId(Guid subscriptionId, Guid articleId) => DeterministicId.Create(AlertScope, $"{subscriptionId:N}:{articleId:N}");

    /// <inheritdoc />
    public async Task Consume(ConsumeContext<ArticleReceived> context)
    {
        var article = context.Message;
        await session.AppendOnceAsync(article.ArticleId, async () =>
        {
            var subscriptions = await session.Query<Subscription>().Where(subscription => !subscription.Deleted).ToListAsync(context.CancellationToken);
            var rules = new List<RuleEntry>(subscriptions.Count);
            foreach (var subscription in subscriptions)
            {
                // Rules were validated when stored; a rule the current parser refuses is skipped, not fatal.
                if (AlertRule.Parse(subscription.Rule).Rule is { } rule) rules.Add(new RuleEntry(subscription.Id, rule));
            }
            // Rules with entity:, type: or topic: filters are refused at the API until alerting waits for those facts.
            var hits = new RuleMatcher(rules).Match(new ArticleFacts(article.Title + "\n" + article.Body, article.Source, article.Language));

            var now = clock.GetUtcNow();
            var tenants = subscriptions.ToDictionary(subscription => subscription.Id, subscription => subscription.Tenant);
            var alertIds = new List<Guid>(hits.Count);
            foreach (var hit in hits)
            {
                var alertId = AlertId(hit.SubscriptionId, article.ArticleId);
                alertIds.Add(alertId);
                session.Events.StartStream<Alert>(alertId,
                    new AlertTriggered(alertId, hit.SubscriptionId, tenants[hit.SubscriptionId], article.ArticleId, article.Title, hit.Matched, now));
            }
            // The evaluation and its alerts commit together: a redelivery finds the evaluation and raises nothing.
            session.Events.StartStream(article.ArticleId, new ArticleEvaluated(article.ArticleId, alertIds, now));
        }, context.CancellationToken);
    }
}
