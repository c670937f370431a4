namespace NewsMonitor.Contracts;

/// <summary>
/// Command (request/response over RabbitMQ): the sources service asks ingestion to store an article it fetched.
/// Ingestion validates it exactly as <c>POST /api/v1/articles</c> does (same checks, same deterministic id, same
/// duplicate rules) and answers with <see cref="ArticleSubmissionResult"/>. Ingestion's event append is the only write,
/// so an item is either a whole stored article or a recorded refusal. See docs/api.md ("Sources") and docs/sources.md.
/// </summary>
/// <param name="SourceId">The source whose poll found the item.</param>
/// <param name="ItemKey">The item's identity in that source (canonical link, else GUID); echoed in the answer.</param>
/// <param name="Url">Canonical URL of the article, when known.</param>
/// <param name="Title">Title as extracted.</param>
/// <param name="Body">Main text as extracted (plain text, paragraphs separated by blank lines).</param>
/// <param name="Language">Language declared by the feed or page (<c>html lang</c>, <c>news:language</c>), if any; ingestion detects it otherwise.</param>
/// <param name="Source">Name of the source, stored as the article's <c>source</c>.</param>
/// <param name="PublishedAt">Publication time claimed by the feed or page.</param>
/// <param name="Author">Author named by the feed or page, if any.</param>
public sealed record SubmitArticle(
    Guid SourceId,
    string ItemKey,
    string? Url,
    string Title,
    string Body,
    string? Language,
    string? Source,
    DateTimeOffset? PublishedAt,
    string? Author = null);

/// <summary>Ingestion's answer to <see cref="SubmitArticle"/>.</summary>
/// <param name="SourceId">Echoed from the command.</param>
/// <param name="ItemKey">Echoed from the command.</param>
/// <param name="Outcome"><c>accepted</c>, <c>duplicate</c> (already stored: same URL or same normalised text),
/// <c>nearDuplicate</c> (stored, marked as a near copy of <paramref name="DuplicateOf"/>) or <c>rejected</c>
/// (not stored; <paramref name="Reason"/> says why).</param>
/// <param name="ArticleId">The stored article (for <c>duplicate</c>, the one stored earlier); null when rejected.</param>
/// <param name="DuplicateOf">For <c>nearDuplicate</c> and text duplicates: the original article.</param>
/// <param name="Similarity">For <c>nearDuplicate</c>: similarity to the original in [0, 1].</param>
/// <param name="Reason">For <c>rejected</c>: the validation errors, as one sentence.</param>
public sealed record ArticleSubmissionResult(
    Guid SourceId,
    string ItemKey,
    string Outcome,
    Guid? ArticleId,
    Guid? DuplicateOf = null,
    double? Similarity = null,
    string? Reason = null);
