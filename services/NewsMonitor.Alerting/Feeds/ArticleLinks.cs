using Marten;
using NewsMonitor.Alerting.Alerts;

namespace NewsMonitor.Alerting.Feeds;

/// <summary>What a feed entry or a chat message shows of an alert's article: its URL, language and publication time.</summary>
public sealed record ArticleLink(string? Url, string? Language, DateTimeOffset? PublishedAt);

/// <summary>Looks up the articles alerts point to, from alerting's own article facts.</summary>
public static class ArticleLinks
{
    /// <summary>
    /// The link facts of <paramref name="articleIds"/>, folded from their fact streams in one round trip (a batched
    /// query; Marten folds live aggregates in a batch only on a document session); an article alerting holds no text of is left out.
    /// </summary>
    public static async Task<IReadOnlyDictionary<Guid, ArticleLink>> LoadAsync(IDocumentSession session, IEnumerable<Guid> articleIds, CancellationToken cancellationToken)
    {
        var ids = articleIds.Distinct().ToList();
        if (ids.Count == 0) return new Dictionary<Guid, ArticleLink>();
        var batch = session.CreateBatchQuery();
        var loads = ids.Select(id => (Id: id, Article: batch.Events.FetchLatest<AlertingArticle>(id))).ToList();
        await batch.Execute(cancellationToken);
        var links = new Dictionary<Guid, ArticleLink>();
        foreach (var (id, load) in loads)
        {
            if (await load is { } article && article.Known.HasFlag(ArticleFactKinds.Text)) links[id] = new ArticleLink(article.Url, article.Language, article.PublishedAt);
        }
        return links;
    }
}
