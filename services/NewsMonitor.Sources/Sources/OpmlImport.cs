using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using NewsMonitor.Feeds;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Sources.Sources;

/// <summary>One outline of an imported OPML file: <c>created</c>, <c>exists</c> (with the existing id) or <c>invalid</c> with the reason.</summary>
public sealed record OpmlOutlineResult(int Index, string? Title, string? Url, string Status, Guid? Id, string? Reason);

/// <summary>Answer of <c>POST /api/v1/sources/opml</c>: one result per feed outline, in document order, and the totals.</summary>
public sealed record OpmlImportView(IReadOnlyList<OpmlOutlineResult> Items, int Created, int Exists, int Invalid);

public static partial class SourcesApi
{
    private static readonly string[] OpmlMediaTypes = ["application/xml", "text/xml", "text/x-opml", "application/x-opml", "text/plain"];

    private static void MapOpml(RouteGroupBuilder group) => group.MapPost("/opml", ImportOpmlAsync);

    private static async Task<Results<Ok<OpmlImportView>, ProblemHttpResult>> ImportOpmlAsync(
        HttpRequest request, IDocumentSession session, TimeProvider clock, IOptions<SourcesOptions> options, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media) || Array.IndexOf(OpmlMediaTypes, media.MediaType.Value?.ToLowerInvariant()) < 0)
            return Problems.Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"The body is {(string.IsNullOrEmpty(request.ContentType) ? "sent without a Content-Type" : $"declared as \"{request.ContentType}\"")}; send the OPML document as application/xml, text/xml or text/x-opml. Nothing was stored.");
        byte[] bytes;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellationToken);
            bytes = buffer.ToArray();
        }
        catch (BadHttpRequestException exception)
        {
            return Problems.Of(exception.StatusCode, "Request body rejected", exception.Message + " Nothing was stored.");
        }
        if (bytes.Length == 0) return Problems.BadRequest("Empty body", "The request has no body; send an OPML document. Nothing was stored.", new Dictionary<string, string[]> { ["body"] = ["empty"] });

        IReadOnlyList<OpmlOutline> outlines;
        try
        {
            outlines = OpmlParser.Parse(bytes);
        }
        catch (FeedFormatException exception)
        {
            return Problems.BadRequest("Invalid OPML", $"The body is not an OPML document this service reads: {exception.Reason}. Nothing was stored.",
                new Dictionary<string, string[]> { ["body"] = [exception.Reason] });
        }

        var settings = options.Value;
        var results = new List<OpmlOutlineResult>(outlines.Count);
        foreach (var outline in outlines)
        {
            if (outline.Error is not null)
            {
                results.Add(new OpmlOutlineResult(outline.Index, outline.Title, outline.XmlUrl, "invalid", null, outline.Error));
                continue;
            }
            // Outline titles are often long or multi-line; a title that is no valid name is left out rather than failing the feed.
            var name = outline.Title is { } title && SourceRules.Validate("https://example.com/", title, null, null, null, null, 1, 600).Source is not null ? title : null;
            var (valid, errors) = SourceRules.Validate(outline.XmlUrl, name, null, null, outline.Language, null, settings.MinIntervalSeconds, settings.DefaultIntervalSeconds);
            if (valid is null && errors.ContainsKey("language"))
                (valid, errors) = SourceRules.Validate(outline.XmlUrl, name, null, null, null, null, settings.MinIntervalSeconds, settings.DefaultIntervalSeconds);
            if (valid is null)
            {
                results.Add(new OpmlOutlineResult(outline.Index, outline.Title, outline.XmlUrl, "invalid", null, string.Join(" ", errors.Values.SelectMany(v => v))));
                continue;
            }
            var (id, created) = await AddAsync(session, valid, clock.GetUtcNow(), cancellationToken);
            results.Add(new OpmlOutlineResult(outline.Index, outline.Title, valid.Url, created ? "created" : "exists", id, created ? null : $"A source with this URL already exists: {id}."));
        }
        return TypedResults.Ok(new OpmlImportView(results,
            results.Count(r => r.Status == "created"), results.Count(r => r.Status == "exists"), results.Count(r => r.Status == "invalid")));
    }
}
