using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Sources.Sources;

/// <summary>Body of <c>POST</c> and <c>PUT /api/v1/sources</c> (docs/api.md, "Sources").</summary>
public sealed record SourceRequest(string? Url, string? Name, string? Kind, int? IntervalSeconds, string? Language, string? FetchPages);

/// <summary>Answer of <c>POST /api/v1/sources</c>.</summary>
public sealed record SourceCreatedView(Guid Id);

/// <summary>A source as the API shows it: settings and health.</summary>
public sealed record SourceView(
    Guid Id, string Url, string Name, string Kind, int IntervalSeconds, string? Language, string FetchPages,
    string Status, DateTimeOffset CreatedAt, DateTimeOffset ChangedAt,
    DateTimeOffset? LastPolledAt, DateTimeOffset? LastSuccessAt, string? LastError, int ConsecutiveFailures,
    long ItemsSeen, long ArticlesAccepted, long Duplicates, long Rejected, long NotModified, DateTimeOffset NextPollAt, bool Polling)
{
    /// <summary>View of the read model.</summary>
    public static SourceView From(Source source, DateTimeOffset now) => new(
        source.Id, source.Url, SourceRules.DisplayName(source), source.Kind, source.IntervalSeconds, source.Language, source.FetchPages,
        source.Status, source.CreatedAt, source.ChangedAt, source.LastPolledAt, source.LastSuccessAt, source.LastError, source.ConsecutiveFailures,
        source.ItemsSeen, source.ArticlesAccepted, source.Duplicates, source.Rejected, source.NotModified, source.NextPollAt,
        source.LeaseUntil is { } lease && lease > now);
}

/// <summary>Answer of <c>GET /api/v1/sources</c>.</summary>
public sealed record SourceListView(IReadOnlyList<SourceView> Items);

/// <summary>One item of a source as <c>GET /api/v1/sources/{id}/items</c> shows it.</summary>
public sealed record SourceItemView(string Key, string? Link, string? Title, Guid? ArticleId, string Outcome, Guid? DuplicateOf, double? Similarity, string? Reason, DateTimeOffset SeenAt)
{
    /// <summary>View of the read model.</summary>
    public static SourceItemView From(SourceItem item) => new(item.ItemKey, item.Link, item.Title, item.ArticleId, item.Outcome, item.DuplicateOf, item.Similarity, item.Reason, item.SeenAt);
}

/// <summary>Answer of <c>GET /api/v1/sources/{id}/items</c>, newest first.</summary>
public sealed record SourceItemListView(Guid SourceId, IReadOnlyList<SourceItemView> Items);

/// <summary>Source endpoints (operators only), event-sourced per source.</summary>
public static partial class SourcesApi
{
    /// <summary>Items listed by default.</summary>
    public const int DefaultItemLimit = 50;

    /// <summary>Most items listed at once.</summary>
    public const int MaxItemLimit = 500;

    /// <summary>Maps the source endpoints.</summary>
    public static IEndpointRouteBuilder MapSourcesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/sources").RequireAuthorization(Access.Operators);
        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:guid}", GetAsync);
        group.MapPut("/{id:guid}", UpdateAsync);
        group.MapDelete("/{id:guid}", DeleteAsync);
        group.MapPost("/{id:guid}/pause", (Guid id, IDocumentSession session, TimeProvider clock, CancellationToken cancellationToken) =>
            SetPausedAsync(id, paused: true, session, clock, cancellationToken));
        group.MapPost("/{id:guid}/resume", (Guid id, IDocumentSession session, TimeProvider clock, CancellationToken cancellationToken) =>
            SetPausedAsync(id, paused: false, session, clock, cancellationToken));
        group.MapPost("/{id:guid}/poll", PollNowAsync);
        group.MapGet("/{id:guid}/items", ItemsAsync);
        MapOpml(group);
        return app;
    }

    private static async Task<Results<Created<SourceCreatedView>, ProblemHttpResult>> CreateAsync(
        SourceRequest? request, IDocumentSession session, TimeProvider clock, IOptions<SourcesOptions> options, CancellationToken cancellationToken)
    {
        var (valid, problem) = Validate(request, options.Value);
        if (problem is not null) return problem;
        var (id, created) = await AddAsync(session, valid!, clock.GetUtcNow(), cancellationToken);
        return created
            ? TypedResults.Created($"/api/v1/sources/{id}", new SourceCreatedView(id))
            : Exists(id, valid!.Url);
    }

    private static async Task<Ok<SourceListView>> ListAsync(IQuerySession session, TimeProvider clock, CancellationToken cancellationToken)
    {
        var sources = await session.Query<Source>().Where(source => !source.Removed).OrderBy(source => source.CreatedAt).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return TypedResults.Ok(new SourceListView(sources.Select(source => SourceView.From(source, now)).ToList()));
    }

    private static async Task<Results<Ok<SourceView>, ProblemHttpResult>> GetAsync(Guid id, IQuerySession session, TimeProvider clock, CancellationToken cancellationToken)
    {
        var source = await FindAsync(session, id, cancellationToken);
        return source is null ? NotFound(id) : TypedResults.Ok(SourceView.From(source, clock.GetUtcNow()));
    }

    private static async Task<Results<Ok<SourceView>, ProblemHttpResult>> UpdateAsync(
        Guid id, SourceRequest? request, IDocumentSession session, TimeProvider clock, IOptions<SourcesOptions> options, CancellationToken cancellationToken)
    {
        var source = await FindAsync(session, id, cancellationToken);
        if (source is null) return NotFound(id);
        var (valid, problem) = Validate(request, options.Value);
        if (problem is not null) return problem;
        if (!string.Equals(valid!.Url, source.Url, StringComparison.Ordinal) && await OwnerOfAsync(session, valid.Url, cancellationToken) is { } owner && owner != id)
            return Exists(owner, valid.Url);
        // Decided on the source as read at the version appended at: a concurrent DELETE makes this answer 404.
        return await session.DecideAndAppendWithRetriesAsync<Source, Results<Ok<SourceView>, ProblemHttpResult>>(id, current =>
        {
            var decision = SourceRules.DecideChange(current, valid, clock.GetUtcNow());
            return (decision.Events, decision.Refusal == SourceRefusal.None ? TypedResults.Ok(SourceView.From(SourceRules.Evolve(current!, decision.Events), clock.GetUtcNow())) : NotFound(id));
        }, () => EventStoreSessions.WriteConflict($"Source {id}"), cancellationToken);
    }

    private static Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, IDocumentSession session, TimeProvider clock, CancellationToken cancellationToken) =>
        session.DecideAndAppendWithRetriesAsync<Source, Results<NoContent, ProblemHttpResult>>(id, current =>
        {
            var decision = SourceRules.DecideRemove(current, clock.GetUtcNow());
            return (decision.Events, decision.Refusal == SourceRefusal.None ? TypedResults.NoContent() : NotFound(id));
        }, () => EventStoreSessions.WriteConflict($"Source {id}"), cancellationToken);

    private static Task<Results<Ok<SourceView>, ProblemHttpResult>> SetPausedAsync(Guid id, bool paused, IDocumentSession session, TimeProvider clock, CancellationToken cancellationToken) =>
        session.DecideAndAppendWithRetriesAsync<Source, Results<Ok<SourceView>, ProblemHttpResult>>(id, current =>
        {
            var now = clock.GetUtcNow();
            var decision = SourceRules.DecidePaused(current, paused, now);
            return (decision.Events, decision.Refusal == SourceRefusal.None ? TypedResults.Ok(SourceView.From(SourceRules.Evolve(current!, decision.Events), now)) : NotFound(id));
        }, () => EventStoreSessions.WriteConflict($"Source {id}"), cancellationToken);

    private static Task<Results<Accepted<SourceView>, ProblemHttpResult>> PollNowAsync(Guid id, IDocumentSession session, TimeProvider clock, CancellationToken cancellationToken) =>
        session.DecideAndAppendWithRetriesAsync<Source, Results<Accepted<SourceView>, ProblemHttpResult>>(id, current =>
        {
            var now = clock.GetUtcNow();
            var decision = SourceRules.DecidePollNow(current, now);
            return (decision.Events, decision.Refusal switch
            {
                SourceRefusal.None => TypedResults.Accepted($"/api/v1/sources/{id}", SourceView.From(SourceRules.Evolve(current!, decision.Events), now)),
                SourceRefusal.NotPollable => Problems.Conflict($"Source {id} is {current!.Status}; resume it (POST /api/v1/sources/{id}/resume) to poll it."),
                _ => NotFound(id),
            });
        }, () => EventStoreSessions.WriteConflict($"Source {id}"), cancellationToken);

    private static async Task<Results<Ok<SourceItemListView>, ProblemHttpResult>> ItemsAsync(Guid id, int? limit, IQuerySession session, CancellationToken cancellationToken)
    {
        var take = limit ?? DefaultItemLimit;
        if (take < 1 || take > MaxItemLimit)
            return Problems.BadRequest("Invalid limit", $"limit is the number of items to list, 1 to {MaxItemLimit}.", new Dictionary<string, string[]> { ["limit"] = [$"1..{MaxItemLimit}"] });
        if (await FindAsync(session, id, cancellationToken) is null) return NotFound(id);
        var items = await session.Query<SourceItem>().Where(item => item.SourceId == id)
            .OrderByDescending(item => item.SeenAt).Take(take).ToListAsync(cancellationToken);
        return TypedResults.Ok(new SourceItemListView(id, items.Select(SourceItemView.From).ToList()));
    }

    /// <summary>
    /// Adds a validated source: its id comes from its canonical URL, so adding the same feed twice finds the first. A
    /// removed source of the same URL is added again on its old stream. Returns the id and whether it was created (false:
    /// a source with that URL exists, and the id is that source's).
    /// </summary>
    internal static async Task<(Guid Id, bool Created)> AddAsync(IDocumentSession session, SourceRules.ValidSource valid, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Read and saved in a session of its own, not the request's: a save that loses the race below leaves its events
        // pending in the session it used (Marten forgets them only after a save that succeeds), so the next add of the same
        // request (an OPML import) carried them, failed on them again and answered "exists" for a feed it never stored.
        await using var writer = session.DocumentStore.LightweightSession();
        var id = SourceRules.IdOf(valid.Url);
        var existing = await writer.LoadAsync<Source>(id, cancellationToken);
        if (existing is { Removed: false }) return (id, false);
        // A feed that moved here keeps the id of the URL it was added with.
        if (await OwnerOfAsync(writer, valid.Url, cancellationToken) is { } owner) return (owner, false);
        var added = new SourceAdded(id, valid.Url, valid.Name, valid.Kind, valid.IntervalSeconds, valid.Language, valid.FetchPages, now);
        if (existing is null) writer.Events.StartStream<Source>(id, added);
        else
        {
            // Re-adding a removed source appends at the version read, so of two such requests at once only one adds it.
            var stream = await writer.Events.FetchForWriting<Source>(id, cancellationToken);
            if (stream.Aggregate is { Removed: false }) return (id, false);
            stream.AppendOne(added);
        }
        try
        {
            await writer.SaveChangesInCommitOrderAsync(cancellationToken);
        }
        catch (Exception exception) when (EventStoreSessions.IsWriteConflict(exception))
        {
            // Two requests for the same feed at once: the other one created it.
            return (id, false);
        }
        return (id, true);
    }

    private static async Task<Guid?> OwnerOfAsync(IQuerySession session, string url, CancellationToken cancellationToken)
    {
        var owner = await session.Query<Source>().Where(source => source.Url == url && !source.Removed).Select(source => source.Id).ToListAsync(cancellationToken);
        return owner.Count > 0 ? owner[0] : null;
    }

    /// <summary>The source <paramref name="id"/>, or null when missing or removed.</summary>
    internal static async Task<Source?> FindAsync(IQuerySession session, Guid id, CancellationToken cancellationToken)
    {
        var source = await session.LoadAsync<Source>(id, cancellationToken);
        return source is null || source.Removed ? null : source;
    }

    private static (SourceRules.ValidSource? Valid, ProblemHttpResult? Problem) Validate(SourceRequest? request, SourcesOptions options)
    {
        if (request is null)
            return (null, Problems.BadRequest("Invalid source", "The body must be a JSON object with at least \"url\". Nothing was stored.", new Dictionary<string, string[]> { ["body"] = ["null"] }));
        var (valid, errors) = SourceRules.Validate(request.Url, request.Name, request.Kind, request.IntervalSeconds, request.Language, request.FetchPages,
            options.MinIntervalSeconds, options.DefaultIntervalSeconds);
        return valid is null
            ? (null, Problems.BadRequest("Invalid source", "The source was not stored: " + string.Join(" ", errors.Values.SelectMany(v => v)), errors))
            : (valid, null);
    }

    private static ProblemHttpResult Exists(Guid id, string url) => TypedResults.Problem(
        detail: $"A source with the URL {url} already exists: {id}.", title: "Conflict", statusCode: StatusCodes.Status409Conflict,
        type: Problems.TypeOf(StatusCodes.Status409Conflict), extensions: new Dictionary<string, object?> { ["existingId"] = id });

    private static ProblemHttpResult NotFound(Guid id) => Problems.NotFound($"No source with id {id} exists.");
}
