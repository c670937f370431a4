using NewsMonitor.Text.Rules;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Alerts;

/// <summary>What alerting has learnt of an article so far.</summary>
[Flags]
public enum ArticleFactKinds
{
    /// <summary>Nothing yet.</summary>
    None = 0,
    /// <summary>Title, body, source and language (from ArticleReceived).</summary>
    Text = 1,
    /// <summary>Extracted entities (from EntitiesExtracted).</summary>
    Entities = 2,
    /// <summary>Topic labels (from ArticleClassified).</summary>
    Topics = 4,
}

/// <summary>The article's text was noted; a fact event of the article's stream here.</summary>
/// <param name="DuplicateOf">Added in issue 14: the original when ingestion stored the article as a near copy of it.</param>
/// <param name="Url">Added in issue 15: the article's canonical URL, for the subscriber's article view and the Atom feed.</param>
/// <param name="PublishedAt">Added in issue 15: the publication time the source claimed.</param>
public sealed record ArticleTextNoted(Guid ArticleId, string Title, string Body, string? Source, string Language, DateTimeOffset At, Guid? DuplicateOf = null,
    string? Url = null, DateTimeOffset? PublishedAt = null);

/// <summary>The article's entities were noted.</summary>
public sealed record ArticleEntitiesNoted(Guid ArticleId, IReadOnlyList<ExtractedEntity> Entities, DateTimeOffset At);

/// <summary>The article's topics were noted.</summary>
public sealed record ArticleTopicsNoted(Guid ArticleId, IReadOnlyList<string> Topics, DateTimeOffset At);

/// <summary>
/// Subscriptions whose rule matched a near copy but that had already alerted on its <paramref name="Original"/>: no second
/// alert. Stored with the step that decided them, so the decision is a fact of the stream, not something worked out again.
/// </summary>
public sealed record AlertsWithheldAsRepeats(Guid ArticleId, Guid Original, IReadOnlyList<Guid> SubscriptionIds, DateTimeOffset At);

/// <summary>Every subscription waiting only for the text was evaluated against the article.</summary>
public sealed record ArticleEvaluated(Guid ArticleId, IReadOnlyList<Guid> AlertIds, DateTimeOffset At);

/// <summary>
/// The facts alerting holds about an article, folded from its stream. Facts arrive in any order; a rule is
/// decided once, when the last fact it needs arrives.
/// </summary>
public sealed record AlertingArticle(
    Guid Id, ArticleFactKinds Known, string? Title, string? Body, string? Source, string? Language,
    IReadOnlyList<ExtractedEntity>? Entities, IReadOnlyList<string>? Topics, Guid? DuplicateOf = null)
{
    /// <summary>The article's canonical URL, when it has one (null for facts noted before issue 15).</summary>
    public string? Url { get; init; }

    /// <summary>The publication time the source claimed, if any.</summary>
    public DateTimeOffset? PublishedAt { get; init; }

    /// <summary>An article nothing is known of.</summary>
    public static AlertingArticle Empty(Guid id) => new(id, ArticleFactKinds.None, null, null, null, null, null, null);

    /// <summary>Starts from the text.</summary>
    public static AlertingArticle Create(ArticleTextNoted noted) => Empty(noted.ArticleId).Apply(noted);

    /// <summary>Starts from the entities.</summary>
    public static AlertingArticle Create(ArticleEntitiesNoted noted) => Empty(noted.ArticleId).Apply(noted);

    /// <summary>Starts from the topics.</summary>
    public static AlertingArticle Create(ArticleTopicsNoted noted) => Empty(noted.ArticleId).Apply(noted);

    /// <summary>Adds the text.</summary>
    public AlertingArticle Apply(ArticleTextNoted noted) =>
        this with { Known = Known | ArticleFactKinds.Text, Title = noted.Title, Body = noted.Body, Source = noted.Source, Language = noted.Language, DuplicateOf = noted.DuplicateOf,
        Url = noted.Url, PublishedAt = noted.PublishedAt,
    };

    /// <summary>Adds the entities.</summary>
    public AlertingArticle Apply(ArticleEntitiesNoted noted) => this with { Known = Known | ArticleFactKinds.Entities, Entities = noted.Entities };

    /// <summary>Adds the topics.</summary>
    public AlertingArticle Apply(ArticleTopicsNoted noted) => this with { Known = Known | ArticleFactKinds.Topics, Topics = noted.Topics };

    /// <summary>The evaluation changes no fact.</summary>
    public AlertingArticle Apply(ArticleEvaluated evaluated) => this;

    /// <summary>Withheld repeats change no fact.</summary>
    public AlertingArticle Apply(AlertsWithheldAsRepeats withheld) => this;

    /// <summary>The facts in the form rules are matched against.</summary>
    public ArticleFacts ToFacts() => RuleFacts.Of(Title, Body, Source, Language, Entities, Topics);

    /// <summary>The facts a rule needs before it can be decided: always the text, plus entities or topics for those filters.</summary>
    public static ArticleFactKinds Needs(AlertRule rule) => ArticleFactKinds.Text
        | (rule.Fields.Any(field => field.Field is "entity" or "type") ? ArticleFactKinds.Entities : ArticleFactKinds.None)
        | (rule.Fields.Any(field => field.Field == "topic") ? ArticleFactKinds.Topics : ArticleFactKinds.None);

    /// <summary>Whether a rule needing <paramref name="needs"/> is decided by the step from <paramref name="before"/> to <paramref name="after"/>.</summary>
    public static bool DecidedNow(ArticleFactKinds needs, ArticleFactKinds before, ArticleFactKinds after) =>
        (after & needs) == needs && (before & needs) != needs;
}
