using NewsMonitor.Text;

namespace NewsMonitor.Ingestion.Articles;

/// <summary>The JSON body of <c>POST /api/v1/articles</c>, as received (also built from a <c>SubmitArticle</c> command).</summary>
public sealed record ArticleSubmission(
    string? Title,
    string? Body,
    string? Url = null,
    string? Language = null,
    DateTimeOffset? PublishedAt = null,
    string? Source = null,
    string? Author = null);

/// <summary>A submission that passed validation, with its deterministic id.</summary>
public sealed record ValidArticle(
    Guid Id,
    string Title,
    string Body,
    string? Url,
    string Language,
    string? Source,
    DateTimeOffset? PublishedAt,
    string? Author = null);

/// <summary>Checks a submission and derives its id. Pure: no I/O.</summary>
public static class ArticleValidation
{
    /// <summary>Longest accepted title, in UTF-16 code units.</summary>
    public const int MaxTitleLength = 1_000;

    /// <summary>Longest accepted body, in UTF-16 code units (about 2 MB of Arabic text).</summary>
    public const int MaxBodyLength = 1_000_000;

    /// <summary>Longest accepted URL.</summary>
    public const int MaxUrlLength = 2_048;

    /// <summary>Longest accepted source name.</summary>
    public const int MaxSourceLength = 500;

    /// <summary>Longest accepted author name.</summary>
    public const int MaxAuthorLength = 500;

    /// <summary>Returns the valid article, or the problems keyed by field name.</summary>
    public static (ValidArticle? Article, Dictionary<string, string[]> Errors) Validate(ArticleSubmission? submission)
    {
        var errors = new Dictionary<string, string[]>();
        if (submission is null)
        {
            errors["body"] = ["The request body must be a JSON object with at least \"title\" and \"body\"."];
            return (null, errors);
        }

        // Text that PostgreSQL cannot store (NUL, unpaired surrogates) is refused whichever way it came in (a field's own
        // length message comes first); article text may carry bidirectional controls (Arabic text uses them), so title, body
        // and source are prose.
        InputText.Refuse(errors, "url", submission.Url, TextKind.Name);
        InputText.Refuse(errors, "language", submission.Language, TextKind.Name);

        var title = submission.Title?.Trim();
        if (string.IsNullOrEmpty(title)) errors.TryAdd("title", ["A title is required."]);
        else if (title.Length > MaxTitleLength) errors.TryAdd("title", [$"The title is {title.Length} characters long; the limit is {MaxTitleLength}."]);

        var body = submission.Body;
        if (string.IsNullOrWhiteSpace(body)) errors.TryAdd("body", ["A body is required."]);
        else if (body.Length > MaxBodyLength) errors.TryAdd("body", [$"The body is {body.Length} characters long; the limit is {MaxBodyLength}."]);

        InputText.Refuse(errors, "title", submission.Title, TextKind.Prose);
        InputText.Refuse(errors, "body", submission.Body, TextKind.Prose);
        InputText.Refuse(errors, "source", submission.Source, TextKind.Prose);
        InputText.Refuse(errors, "author", submission.Author, TextKind.Prose);

        string? canonicalUrl = null;
        if (!string.IsNullOrWhiteSpace(submission.Url))
        {
            canonicalUrl = submission.Url.Length > MaxUrlLength ? null : CanonicalUrl.From(submission.Url);
            if (canonicalUrl is null) errors.TryAdd("url", ["The url must be an absolute http or https URL of at most 2048 characters."]);
        }

        var language = submission.Language?.Trim().ToLowerInvariant();
        if (!string.IsNullOrEmpty(language) && !IsLanguageTag(language)) errors.TryAdd("language", ["The language must be a language tag such as \"ar\" or \"en\"."]);

        if (submission.Source?.Trim().Length > MaxSourceLength) errors.TryAdd("source", [$"The source is longer than {MaxSourceLength} characters."]);
        if (submission.Author?.Trim().Length > MaxAuthorLength) errors.TryAdd("author", [$"The author is longer than {MaxAuthorLength} characters."]);

        if (errors.Count > 0) return (null, errors);

        var id = ArticleIdentity.For(canonicalUrl, title!, body!);
        var article = new ValidArticle(id, title!, body!, canonicalUrl, string.IsNullOrEmpty(language) ? LanguageGuess.Of(body!) : language,
            string.IsNullOrWhiteSpace(submission.Source) ? null : submission.Source.Trim(), submission.PublishedAt,
            string.IsNullOrWhiteSpace(submission.Author) ? null : submission.Author.Trim());
        return (article, errors);
    }

    private static bool IsLanguageTag(string tag) =>
        tag.Length is >= 2 and <= 35 && tag.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-');
}

/// <summary>Deterministic article ids: the same article always gets the same id.</summary>
public static class ArticleIdentity
{
    private static readonly Guid Scope = new("6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11");

    /// <summary>From the canonical URL when there is one, else from the normalised title and body.</summary>
    public static Guid For(string? canonicalUrl, string title, string body) => canonicalUrl is not null
        ? DeterministicId.Create(Scope, "url:" + canonicalUrl)
        : DeterministicId.Create(Scope, "text:" + TextKey(title) + "\n" + TextKey(body));

    // Whitespace runs collapse so that re-wrapped copies of the same text are one article.
    private static string TextKey(string text) => string.Join(' ', ArabicNormalizer.Normalize(text).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}

/// <summary>URL canonicalisation for identity: what differs only in tracking noise is the same article.</summary>
public static class CanonicalUrl
{
    private static readonly string[] TrackingPrefixes = ["utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "at_medium", "at_campaign"];

    /// <summary>The canonical form, or null when <paramref name="url"/> is not an absolute http(s) URL.</summary>
    public static string? From(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host)) return null;
        var query = uri.Query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(pair => !TrackingPrefixes.Any(prefix => pair.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal)
            .ToArray();
        var path = uri.AbsolutePath.Length > 1 ? uri.AbsolutePath.TrimEnd('/') : "";
        var port = uri.IsDefaultPort ? "" : ":" + uri.Port;
        // The scheme is folded too: http and https copies of one page are one article.
        return $"https://{uri.Host.ToLowerInvariant()}{port}{path}{(query.Length > 0 ? "?" + string.Join('&', query) : "")}";
    }
}

/// <summary>A first language guess from the script of the text, used when the submitter gives none.</summary>
public static class LanguageGuess
{
    /// <summary><c>ar</c> when Arabic letters are the majority of letters, else <c>und</c> (undetermined).</summary>
    public static string Of(string text)
    {
        int arabic = 0, letters = 0;
        foreach (var c in text.AsSpan(0, Math.Min(text.Length, 4_000)))
        {
            if (!char.IsLetter(c)) continue;
            letters++;
            if (c is >= '\u0600' and <= '\u06FF' or >= '\u0750' and <= '\u077F' or >= '\uFB50' and <= '\uFDFF' or >= '\uFE70' and <= '\uFEFF') arabic++;
        }
        return letters > 0 && arabic * 2 > letters ? "ar" : "und";
    }
}
