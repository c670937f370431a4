using System.Text.RegularExpressions;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Text;
using NewsMonitor.Text.Rules;

namespace NewsMonitor.Classification.Topics;

/// <summary>
/// Operator-defined topics (operators only): define, change, retire, and apply one to articles already classified.
/// Each edit is an event on the operator topic stream; new articles get the topics from the next article on.
/// </summary>
public static partial class OperatorTopicsApi
{
    /// <summary>Longest description accepted.</summary>
    public const int MaxDescription = 500;

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapOperatorTopicsApi(this IEndpointRouteBuilder app)
    {
        var topics = app.MapGroup("/api/v1/topics").RequireAuthorization(Access.Operators);
        topics.MapPost("/", DefineAsync);
        topics.MapPut("/{label}", RedefineAsync);
        topics.MapDelete("/{label}", RetireAsync);
        topics.MapPost("/{label}/apply", ApplyAsync);
        return app;
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex Slug();

    private static async Task<Results<Created<OperatorTopicView>, Ok<OperatorTopicView>, ProblemHttpResult>> DefineAsync(
        OperatorTopicRequest? request, HttpContext http, IDocumentSession session, TopicLexicon lexicon, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var label = request?.Label?.Trim();
        if (label is null || label.Length is < 2 or > 64 || !Slug().IsMatch(label))
            errors["label"] = ["required: a lower-case slug of 2 to 64 letters, digits and single '-' (e.g. defense-spending)"];
        else if (label == TopicLexicon.Unknown || lexicon.Topics.Any(topic => topic.Label == label))
            errors["label"] = [$"'{label}' is a built-in label; choose another name"];
        var (rule, ruleProblem) = Validate(request?.Rule, request?.Description, lexicon, errors);
        if (ruleProblem is not null) return ruleProblem;

        var stream = await session.Events.FetchForWriting<OperatorTopicSet>(OperatorTopicSet.StreamId, cancellationToken);
        var existing = (stream.Aggregate ?? OperatorTopicSet.Empty).Topics.GetValueOrDefault(label!);
        if (existing is { Retired: false })
        {
            return existing.Rule == rule
                ? TypedResults.Ok(View(existing))
                : Problems.Conflict($"Topic '{label}' is already defined with another rule; change it with PUT /api/v1/topics/{label}.");
        }
        var defined = new OperatorTopicDefined(label!, rule!, Description(request), clock.GetUtcNow());
        stream.AppendOne(defined);
        await session.SaveChangesInCommitOrderAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/topics/{label}", View((stream.Aggregate ?? OperatorTopicSet.Empty).Apply(defined).Topics[label!]));
    }

    private static async Task<Results<Ok<OperatorTopicView>, ProblemHttpResult>> RedefineAsync(
        string label, OperatorTopicRequest? request, HttpContext http, IDocumentSession session, TopicLexicon lexicon, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (rule, ruleProblem) = Validate(request?.Rule, request?.Description, lexicon, []);
        if (ruleProblem is not null) return ruleProblem;
        var stream = await session.Events.FetchForWriting<OperatorTopicSet>(OperatorTopicSet.StreamId, cancellationToken);
        var set = stream.Aggregate ?? OperatorTopicSet.Empty;
        if (set.Topics.GetValueOrDefault(label) is not { Retired: false } existing)
            return Problems.NotFound($"No operator topic '{label}' is defined: define it with POST /api/v1/topics.");
        if (existing.Rule == rule && (request?.Description is null || Description(request) == existing.Description)) return TypedResults.Ok(View(existing));
        var redefined = new OperatorTopicRedefined(label, rule!, Description(request), clock.GetUtcNow());
        stream.AppendOne(redefined);
        await session.SaveChangesInCommitOrderAsync(cancellationToken);
        return TypedResults.Ok(View(set.Apply(redefined).Topics[label]));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RetireAsync(string label, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken cancellationToken)
    {
        var stream = await session.Events.FetchForWriting<OperatorTopicSet>(OperatorTopicSet.StreamId, cancellationToken);
        if ((stream.Aggregate ?? OperatorTopicSet.Empty).Topics.GetValueOrDefault(label) is not { Retired: false })
            return Problems.NotFound($"No operator topic '{label}' is defined.");
        stream.AppendOne(new OperatorTopicRetired(label, clock.GetUtcNow()));
        await session.SaveChangesInCommitOrderAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Decides <paramref name="label"/> again, under its current rule (or removes it, once retired), for the articles received in
    /// [from, to], oldest first, a page at a time; <c>next</c> is the <c>from</c> of the next page, null after the last.
    /// Articles classified before classification kept their text are counted as <c>withoutText</c>: replay them first
    /// (<c>POST /api/v1/ops/replay</c>), which notes the text and applies every current topic.
    /// </summary>
    private static async Task<Results<Ok<ApplyView>, ProblemHttpResult>> ApplyAsync(string label, HttpContext http, IDocumentStore store, TopicClassifier classifier,
        OperatorTopicDirectory directory, TimeProvider clock, CancellationToken cancellationToken, DateTimeOffset? from = null, DateTimeOffset? to = null, int limit = 500)
    {
        if (Problems.CheckPagedRange(from, to, limit, 5_000, out var start, out var end) is { } problem) return problem;

        IReadOnlyList<ArticleTopics> page;
        OperatorTopicRules rules;
        await using (var query = store.QuerySession())
        {
            var set = await OperatorTopicDirectory.LoadSetAsync(query, cancellationToken);
            if (!set.Topics.ContainsKey(label)) return Problems.NotFound($"No operator topic '{label}' was ever defined.");
            rules = directory.For(set);
            page = await query.Query<ArticleTopics>()
                .Where(article => article.BucketAt >= start && article.BucketAt <= end)
                .OrderBy(article => article.BucketAt).ThenBy(article => article.Id)
                .Take(limit)
                .ToListAsync(cancellationToken);
        }
        int changed = 0, withoutText = 0;
        foreach (var article in page)
        {
            if (article.Text is null)
            {
                withoutText++;
                continue;
            }
            await using var session = store.LightweightSession();
            var stored = await session.DecideAndAppendAsync<ArticleTopics>(article.Id, current =>
                Task.FromResult<object?>(current is null ? null : TopicAssignment.Decide(current, classifier, rules, clock.GetUtcNow(), label)), cancellationToken);
            if (stored) changed++;
        }
        // A page ends inside a run of equal times at most by the articles sharing its last instant; they are decided twice, harmlessly.
        var next = page.Count == limit ? page[^1].BucketAt : null;
        return TypedResults.Ok(new ApplyView(label, page.Count, changed, withoutText, next));
    }

    private static (string? Rule, ProblemHttpResult? Problem) Validate(string? text, string? description, TopicLexicon lexicon, Dictionary<string, string[]> errors)
    {
        // A rule must read as it matches: no control or bidirectional override characters (InputText).
        var refused = InputText.Refuse(errors, "rule", text, TextKind.Rule);
        InputText.Refuse(errors, "description", description, TextKind.Prose);
        var (rule, ruleError) = refused ? ((AlertRule?)null, (RuleError?)null) : AlertRule.Parse(text);
        if (ruleError is not null) errors["rule"] = [ruleError.Message];
        else if (!refused && rule!.Fields.FirstOrDefault(field => field.Field == "topic" && !lexicon.Topics.Any(topic => topic.Label.Equals(field.Value.Trim(), StringComparison.OrdinalIgnoreCase))) is { } filter)
            errors["rule"] = [$"{filter.Display}: topic filters in an operator topic name built-in labels (GET /api/v1/topics), which the model decides first."];
        if (description is { Length: > MaxDescription }) errors.TryAdd("description", [$"at most {MaxDescription} characters"]);
        if (errors.Count == 0) return (rule!.Text.Trim(), null);
        var problem = Problems.BadRequest("Invalid topic", string.Join(" ", errors.Select(error => $"{error.Key}: {error.Value[0]}")), errors);
        if (ruleError is not null) problem.ProblemDetails.Extensions["rulePosition"] = ruleError.Position;
        return (null, problem);
    }

    private static string? Description(OperatorTopicRequest? request) => string.IsNullOrWhiteSpace(request?.Description) ? null : request.Description.Trim();

    /// <summary>The public form of an operator topic.</summary>
    public static OperatorTopicView View(OperatorTopic topic) => new(topic.Label, topic.Rule, topic.Description, topic.DefinedAt, topic.ChangedAt);
}

/// <summary>Body of <c>POST /api/v1/topics</c> and <c>PUT /api/v1/topics/{label}</c> (the label of a PUT is in the path).</summary>
public sealed record OperatorTopicRequest(string? Label, string? Rule, string? Description);

/// <summary>An operator topic as the API shows it.</summary>
public sealed record OperatorTopicView(string Label, string Rule, string? Description, DateTimeOffset DefinedAt, DateTimeOffset ChangedAt);

/// <summary>Answer of <c>POST /api/v1/topics/{label}/apply</c>.</summary>
public sealed record ApplyView(string Label, int Examined, int Changed, int WithoutText, DateTimeOffset? Next);
