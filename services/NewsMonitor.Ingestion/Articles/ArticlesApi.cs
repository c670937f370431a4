using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Net.Http.Headers;
using Microsoft.Extensions.Options;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Ingestion.Articles;

/// <summary>HTTP intake: <c>POST /api/v1/articles</c>, <c>POST /api/v1/articles/batch</c>, <c>GET /api/v1/articles/{id}</c>.</summary>
public static class ArticlesApi
{
    /// <summary>Most items one batch request may carry.</summary>
    public const int MaxBatchItems = 1_000;

    /// <summary>Maps the article endpoints.</summary>
    public static IEndpointRouteBuilder MapArticlesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/articles").RequireAuthorization(Access.Integrators);
        // While the broker blocks publishing (memory or disk alarm) new articles would only grow the relay's backlog: 503.
        BrokerPressure.RefuseWhileBrokerBlocked(group.MapPost("/", SubmitAsync));
        BrokerPressure.RefuseWhileBrokerBlocked(group.MapPost("/batch", SubmitBatchAsync));
        group.MapGet("/{id:guid}", GetAsync);
        return app;
    }

    private static async Task<Results<Accepted<IntakeOutcome>, ProblemHttpResult>> SubmitAsync(
        HttpRequest request, ArticleIntake intake, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType()) return UnsupportedMediaType(request, "application/json");
        var body = await ReadBodyAsync(request, cancellationToken);
        if (body.Problem is not null) return body.Problem;
        var parsed = Parse(body.Bytes, json.Value.SerializerOptions);
        if (parsed.Problem is not null) return parsed.Problem;

        var (article, errors) = ArticleValidation.Validate(parsed.Submission);
        if (article is null) return Problems.BadRequest("Invalid article", "The article was not stored: " + string.Join(" ", errors.Values.SelectMany(v => v)), errors);

        var outcome = (await intake.SubmitAsync([article], cancellationToken))[0];
        return TypedResults.Accepted($"/api/v1/articles/{outcome.Id}", outcome);
    }

    private static async Task<Results<Ok<BatchResult>, ProblemHttpResult>> SubmitBatchAsync(
        HttpRequest request, ArticleIntake intake, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var ndjson = IsNdjson(request.ContentType);
        if (!ndjson && !request.HasJsonContentType()) return UnsupportedMediaType(request, "application/json (an array) or application/x-ndjson");
        var body = await ReadBodyAsync(request, cancellationToken);
        if (body.Problem is not null) return body.Problem;
        var items = SplitBatch(body.Bytes, ndjson);
        if (items.Problem is not null) return items.Problem;
        if (items.Elements.Count > MaxBatchItems) return Problems.BadRequest("Batch too large", $"The batch has {items.Elements.Count} items; the limit is {MaxBatchItems}.");

        var results = new BatchItemResult[items.Elements.Count];
        var valid = new List<(int Index, ValidArticle Article)>();
        for (var i = 0; i < items.Elements.Count; i++)
        {
            var parsed = Parse(items.Elements[i], json.Value.SerializerOptions);
            if (parsed.Problem is not null)
            {
                // The item's own errors (a refused field is named), else the reason the item is not an article.
                results[i] = BatchItemResult.Invalid(i, parsed.Problem.ProblemDetails.Extensions.TryGetValue("errors", out var itemErrors) && itemErrors is IDictionary<string, string[]> named
                    ? named
                    : new Dictionary<string, string[]> { ["json"] = [parsed.Problem.ProblemDetails.Detail ?? "Malformed JSON."] });
                continue;
            }
            var (article, errors) = ArticleValidation.Validate(parsed.Submission);
            if (article is null) results[i] = BatchItemResult.Invalid(i, errors);
            else valid.Add((i, article));
        }

        var outcomes = await intake.SubmitAsync(valid.Select(v => v.Article).ToList(), cancellationToken);
        for (var k = 0; k < valid.Count; k++) results[valid[k].Index] = BatchItemResult.From(valid[k].Index, outcomes[k]);
        return TypedResults.Ok(new BatchResult(results,
            results.Count(r => r.Status == "accepted"), results.Count(r => r.Status == "duplicate"), results.Count(r => r.Status == "invalid"),
            results.Count(r => r.Status == "nearDuplicate")));
    }

    private static async Task<Results<Ok<ArticleView>, ProblemHttpResult>> GetAsync(Guid id, IQuerySession session, CancellationToken cancellationToken)
    {
        var article = await session.LoadAsync<Article>(id, cancellationToken);
        return article is null
            ? Problems.NotFound($"No article with id {id} has been stored.")
            : TypedResults.Ok(ArticleView.From(article));
    }

    private static async Task<(byte[] Bytes, ProblemHttpResult? Problem)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellationToken);
            var bytes = buffer.ToArray();
            if (bytes.Length == 0) return ([], Problems.BadRequest("Empty body", "The request has no body; send the article as JSON. Nothing was stored.", new Dictionary<string, string[]> { ["body"] = ["empty"] }));
            return System.Text.Unicode.Utf8.IsValid(bytes) ? (bytes, null) : ([], InvalidUtf8(bytes));
        }
        catch (BadHttpRequestException exception)
        {
            return ([], Problems.Of(exception.StatusCode, "Request body rejected", exception.Message + " Nothing was stored."));
        }
    }

    private static ProblemHttpResult UnsupportedMediaType(HttpRequest request, string expected) => Problems.Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
        $"The body is {(string.IsNullOrEmpty(request.ContentType) ? "sent without a Content-Type" : $"declared as \"{request.ContentType}\"")}; send it as {expected}. Nothing was stored.");

    // NDJSON goes by several names; any of them, with or without parameters.
    private static bool IsNdjson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Value?.ToLowerInvariant() is "application/x-ndjson" or "application/ndjson" or "application/jsonl" or "application/x-jsonlines" or "application/jsonlines";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ProblemHttpResult InvalidUtf8(byte[] bytes)
    {
        var at = 0;
        try { StrictUtf8.GetCharCount(bytes); }
        catch (DecoderFallbackException exception) { at = exception.Index; }
        return Problems.BadRequest("Malformed JSON", $"The body is not valid UTF-8 (first bad byte at offset {at}). Nothing was stored.");
    }

    private static (ArticleSubmission? Submission, ProblemHttpResult? Problem) Parse(ReadOnlyMemory<byte> utf8, JsonSerializerOptions options)
    {
        try
        {
            // The whole span must be one document: trailing data is an error, not ignored.
            var submission = JsonSerializer.Deserialize<ArticleSubmission>(utf8.Span, options);
            return submission is null
                ? (null, Problems.BadRequest("Malformed JSON", "The request body must be a JSON object with at least \"title\" and \"body\", not null.",
                    new Dictionary<string, string[]> { ["body"] = ["null"] }))
                : (submission, null);
        }
        catch (JsonException exception)
        {
            return (null, InputProblems.ForJson(exception));
        }
    }

    private static (List<ReadOnlyMemory<byte>> Elements, ProblemHttpResult? Problem) SplitBatch(byte[] bytes, bool ndjson)
    {
        var elements = new List<ReadOnlyMemory<byte>>();
        if (ndjson)
        {
            // One JSON object per line; a broken line is reported as that item's problem, the rest go on.
            var start = 0;
            for (var i = 0; i <= bytes.Length; i++)
            {
                if (i < bytes.Length && bytes[i] != (byte)'\n') continue;
                var line = bytes.AsMemory(start, i - start);
                if (!IsBlank(line.Span)) elements.Add(line);
                start = i + 1;
            }
            return (elements, null);
        }
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                return (elements, Problems.BadRequest("Malformed batch", "The batch must be a JSON array of articles, or NDJSON with Content-Type application/x-ndjson."));
            foreach (var element in document.RootElement.EnumerateArray()) elements.Add(Encoding.UTF8.GetBytes(element.GetRawText()));
            return (elements, null);
        }
        catch (JsonException exception)
        {
            return (elements, InputProblems.ForJson(exception));
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line) if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        return true;
    }
}

/// <summary>Result of one item of a batch, in the order of the request.</summary>
/// <remarks><see cref="DuplicateOf"/> and <see cref="Similarity"/> as in <see cref="IntakeOutcome"/> (added in issue 14).</remarks>
public sealed record BatchItemResult(int Index, Guid? Id, string Status, IDictionary<string, string[]>? Errors, Guid? DuplicateOf = null, double? Similarity = null)
{
    /// <summary>The item could not be stored; <paramref name="errors"/> says why.</summary>
    public static BatchItemResult Invalid(int index, IDictionary<string, string[]> errors) => new(index, null, "invalid", errors);

    /// <summary>The item was accepted, a near copy, or a duplicate.</summary>
    public static BatchItemResult From(int index, IntakeOutcome outcome) => new(index, outcome.Id, outcome.Status, null, outcome.DuplicateOf, outcome.Similarity);
}

/// <summary>Answer of <c>POST /api/v1/articles/batch</c>; <see cref="NearDuplicates"/> (stored, marked as near copies) was added in issue 14.</summary>
public sealed record BatchResult(IReadOnlyList<BatchItemResult> Items, int Accepted, int Duplicates, int Invalid, int NearDuplicates = 0);

/// <summary>Answer of <c>GET /api/v1/articles/{id}</c> (fields in docs/api.md).</summary>
public sealed record ArticleView(
    Guid Id, string Title, string Body, string? Url, string Language, string? Source,
    DateTimeOffset? PublishedAt, DateTimeOffset ReceivedAt, ArticleProcessing Processing, string? Author = null,
    double? LanguageConfidence = null, Guid? DuplicateOf = null, double? Similarity = null)
{
    /// <summary>View of the read model.</summary>
    public static ArticleView From(Article article) => new(
        article.Id, article.Title, article.Body, article.Url, article.Language, article.Source, article.PublishedAt, article.ReceivedAt, article.Processing,
        article.Author, article.LanguageConfidence, article.DuplicateOf, article.Similarity);
}
