using NewsMonitor.Contracts;

namespace NewsMonitor.Events.Feed;

/// <summary>
/// One kind of integration event as the feed shows it: its CloudEvents <c>type</c>, the contract it carries as
/// <c>data</c>, the service that publishes it (the CloudEvents <c>source</c>), and whether only operators may read it.
/// </summary>
/// <param name="Name">The CloudEvents <c>type</c>, e.g. <c>org.newsmonitor.article.received</c>.</param>
/// <param name="Contract">The integration event type (contracts/IntegrationEvents.cs).</param>
/// <param name="Publisher">The service whose relay publishes it.</param>
/// <param name="OperatorsOnly">True for events that carry subscribers' tenants (alerts, digests).</param>
public sealed record FeedType(string Name, Type Contract, string Publisher, bool OperatorsOnly)
{
    /// <summary>The CloudEvents <c>source</c>: a URN naming the publishing service.</summary>
    public Uri Source => new($"urn:newsmonitor:{Publisher}");
}

/// <summary>The kinds of event the feed records and the rules for choosing among them. Pure: no I/O.</summary>
public static class FeedTypes
{
    /// <summary>Every kind the feed records, in the order docs/api.md lists them.</summary>
    public static readonly IReadOnlyList<FeedType> All =
    [
        new("org.newsmonitor.article.received", typeof(ArticleReceived), "ingestion", false),
        new("org.newsmonitor.article.classified", typeof(ArticleClassified), "classification", false),
        new("org.newsmonitor.article.entities-extracted", typeof(EntitiesExtracted), "entities", false),
        // Operators only: its alert count tells an integrator, who can post articles, whether any tenant watches a term.
        new("org.newsmonitor.article.alerts-evaluated", typeof(ArticleAlertsEvaluated), "alerting", true),
        new("org.newsmonitor.alert.raised", typeof(AlertRaised), "alerting", true),
        new("org.newsmonitor.digest.compiled", typeof(AlertDigestCompiled), "alerting", true),
    ];

    /// <summary>The kind whose contract is <paramref name="contract"/>, or null when the feed does not record it.</summary>
    public static FeedType? Of(Type contract) => All.FirstOrDefault(type => type.Contract == contract);

    /// <summary>
    /// The kinds a caller asked for in <c>types</c> (comma-separated CloudEvents types; empty: every kind the caller
    /// may read). Returns null and an error when a name is unknown (<paramref name="forbidden"/> false) or names an
    /// operators-only kind the caller may not read (<paramref name="forbidden"/> true).
    /// </summary>
    public static IReadOnlyList<FeedType>? Select(string? types, bool isOperator, out string? error, out bool forbidden)
    {
        error = null;
        forbidden = false;
        var visible = All.Where(type => isOperator || !type.OperatorsOnly).ToList();
        if (string.IsNullOrWhiteSpace(types)) return visible;
        var selected = new List<FeedType>();
        foreach (var name in types.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // Exact, case-sensitive names: CloudEvents types are compared as strings by every consumer.
            var type = All.FirstOrDefault(candidate => candidate.Name == name);
            if (type is null)
            {
                error = $"Unknown event type '{Shorten(name)}'. Known types: {string.Join(", ", visible.Select(known => known.Name))}.";
                return null;
            }
            if (!visible.Contains(type))
            {
                error = $"Events of type '{type.Name}' carry subscribers' tenants and are for operators only.";
                forbidden = true;
                return null;
            }
            if (!selected.Contains(type)) selected.Add(type);
        }
        return selected;
    }

    /// <summary>
    /// A feed position from a cursor (<c>after</c> or <c>Last-Event-ID</c>): a non-negative integer, null meaning the
    /// start (0). False for anything else.
    /// </summary>
    public static bool TryParsePosition(string? cursor, out long position)
    {
        position = 0;
        if (cursor is null) return true;
        return long.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out position);
    }

    /// <summary>The CloudEvents <c>subject</c> of an event: the article, alert or digest it is about.</summary>
    public static string SubjectOf(object message) => message switch
    {
        AlertRaised alert => alert.AlertId.ToString(),
        AlertDigestCompiled digest => digest.DigestId.ToString(),
        IIntegrationEvent article => article.ArticleId.ToString(),
        _ => throw new ArgumentException($"{message.GetType().Name} is not a feed event.", nameof(message)),
    };

    /// <summary>The CloudEvents <c>time</c> of an event: when the publishing service stored it.</summary>
    public static DateTimeOffset TimeOf(object message) => message switch
    {
        AlertDigestCompiled digest => digest.OccurredAt,
        IIntegrationEvent integration => integration.OccurredAt,
        _ => throw new ArgumentException($"{message.GetType().Name} is not a feed event.", nameof(message)),
    };

    // An error message echoes at most this much of what the caller sent.
    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
