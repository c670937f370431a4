using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace NewsMonitor.ServiceDefaults;

/// <summary>problem+json answers with a reason a person can act on.</summary>
public static class Problems
{
    /// <summary>400 with a title, a detail and, when given, per-field errors.</summary>
    public static ProblemHttpResult BadRequest(string title, string detail, IDictionary<string, string[]>? errors = null)
    {
        var extensions = errors is null ? null : new Dictionary<string, object?> { ["errors"] = errors };
        return TypedResults.Problem(detail: detail, title: title, statusCode: StatusCodes.Status400BadRequest, extensions: extensions);
    }

    /// <summary>404 naming what was not found.</summary>
    public static ProblemHttpResult NotFound(string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, title: "Not found", statusCode: StatusCodes.Status404NotFound, extensions: extensions);

    /// <summary>401: the request did not prove who sent it.</summary>
    public static ProblemHttpResult Unauthorized(string detail) =>
        TypedResults.Problem(detail: detail, title: "Unauthorized", statusCode: StatusCodes.Status401Unauthorized);

    /// <summary>403: the caller's role may not do this.</summary>
    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(detail: detail, title: "Forbidden", statusCode: StatusCodes.Status403Forbidden);

    /// <summary>409: the request conflicts with the current state.</summary>
    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail: detail, title: "Conflict", statusCode: StatusCodes.Status409Conflict);

    /// <summary>A problem of any status, its <c>type</c> from <see cref="TypeOf"/>, with per-field errors when given.</summary>
    public static ProblemHttpResult Of(int status, string title, string detail, IDictionary<string, string[]>? errors = null)
    {
        var extensions = errors is null ? null : new Dictionary<string, object?> { ["errors"] = errors };
        return TypedResults.Problem(detail: detail, title: title, statusCode: status, type: TypeOf(status), extensions: extensions);
    }

    /// <summary>
    /// The <c>type</c> of a problem with <paramref name="status"/>: the section of RFC 9110 (or RFC 6585 for 429 and 431)
    /// that defines the status, so that every problem carries one, including those ASP.NET Core has no default for.
    /// </summary>
    public static string TypeOf(int status) => status switch
    {
        429 => "https://www.rfc-editor.org/rfc/rfc6585#section-4",
        431 => "https://www.rfc-editor.org/rfc/rfc6585#section-5",
        >= 400 and <= 417 => $"https://tools.ietf.org/html/rfc9110#section-15.5.{status - 399}",
        421 or 422 => $"https://tools.ietf.org/html/rfc9110#section-15.5.{status - 401}",
        426 => "https://tools.ietf.org/html/rfc9110#section-15.5.22",
        >= 500 and <= 505 => $"https://tools.ietf.org/html/rfc9110#section-15.6.{status - 499}",
        _ => "about:blank",
    };

    /// <summary>
    /// Checks a paged walk over a time range (<c>from</c>, <c>to</c> inclusive, either open; <c>limit</c> items per page):
    /// the problem to answer, or null and the range's bounds.
    /// </summary>
    public static ProblemHttpResult? CheckPagedRange(DateTimeOffset? from, DateTimeOffset? to, int limit, int maxLimit, out DateTimeOffset start, out DateTimeOffset end)
    {
        start = from ?? DateTimeOffset.MinValue;
        end = to ?? DateTimeOffset.MaxValue;
        if (limit < 1 || limit > maxLimit)
            return BadRequest("Invalid limit", $"limit is the page size, 1 to {maxLimit:N0}.", new Dictionary<string, string[]> { ["limit"] = [$"1..{maxLimit}"] });
        return start > end ? BadRequest("Invalid range", "from must not be after to.", new Dictionary<string, string[]> { ["from"] = ["after to"] }) : null;
    }
}
