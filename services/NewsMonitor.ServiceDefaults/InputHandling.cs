using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using NewsMonitor.Text;
using Npgsql;

namespace NewsMonitor.ServiceDefaults;

/// <summary>A JSON string refused by <see cref="InputText"/>; the serializer sets <see cref="JsonException.Path"/> to the field.</summary>
public sealed class InputTextException : JsonException
{
    /// <summary>Creates the exception; <paramref name="message"/> completes "&lt;field&gt; …".</summary>
    public InputTextException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public InputTextException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public InputTextException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>
/// Every string the HTTP endpoints read from JSON passes <see cref="InputText.Check"/> (<see cref="TextKind.Prose"/>) as it is
/// read: a NUL, an unpaired surrogate, invalid UTF-8 or a string over <see cref="InputText.MaxLength"/> fails the body with
/// the field's path, before any handler could store it. Fields with stricter rules check <see cref="TextKind.Name"/> or
/// <see cref="TextKind.Rule"/> in their own validation.
/// </summary>
public sealed class CheckedStringConverter : JsonConverter<string>
{
    /// <inheritdoc />
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new InputTextException($"must be a string, not {Describe(reader.TokenType)}.");
        return ReadChecked(ref reader);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    /// <inheritdoc />
    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadChecked(ref reader);

    /// <inheritdoc />
    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    private static string ReadChecked(ref Utf8JsonReader reader)
    {
        string value;
        try
        {
            value = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses "\ud800" without its pair and raw bytes that are not UTF-8 here.
            throw new InputTextException("is not valid text: it holds an unpaired surrogate escape (such as \\ud800) or bytes that are not UTF-8.");
        }
        return InputText.Check(value) is { } problem ? throw new InputTextException(problem) : value;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        _ => token.ToString(),
    };
}

/// <summary>
/// Turns what the framework throws at hostile input into problem+json, never a 500: a body that does not bind
/// (malformed JSON, trailing data, nesting deeper than 64, a refused string, a wrong content type, a body over the limit)
/// and, as a last net, PostgreSQL refusing a character (a NUL or invalid UTF-8 some check missed).
/// </summary>
public static partial class InputProblems
{
    /// <summary>The problem to answer for <paramref name="exception"/>, or null when it is not about the input (then it is a 500).</summary>
    public static ProblemHttpResult? For(Exception exception) => exception switch
    {
        BadHttpRequestException { InnerException: JsonException json } => ForJson(json),
        BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } bad =>
            Problems.Of(bad.StatusCode, "Unsupported media type", bad.Message + " Send the body as application/json. Nothing was stored."),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } bad =>
            Problems.Of(bad.StatusCode, "Payload too large", bad.Message + " Nothing was stored."),
        BadHttpRequestException bad => Problems.Of(bad.StatusCode, "Bad request", bad.Message, ParameterOf(bad.Message) is { } name ? new Dictionary<string, string[]> { [name] = [bad.Message] } : null),
        _ when StorageRefusedText(exception) => Problems.BadRequest("Text that cannot be stored",
            "The request holds text PostgreSQL cannot store (a NUL character or invalid UTF-8). Nothing was stored."),
        _ => null,
    };

    /// <summary>The problem for a JSON body that did not bind: the field it names, and why, in words.</summary>
    public static ProblemHttpResult ForJson(JsonException json)
    {
        var (field, message) = Describe(json);
        return Problems.BadRequest(json is InputTextException ? "Invalid text" : "Malformed JSON", message + " Nothing was stored.",
            new Dictionary<string, string[]> { [field] = [message] });
    }

    /// <summary>
    /// The field a JSON failure is about (<c>body</c> for the whole document) and a sentence saying what is wrong, without the
    /// .NET type names System.Text.Json's own messages carry.
    /// </summary>
    public static (string Field, string Message) Describe(JsonException json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var field = FieldOf(json.Path);
        if (json is InputTextException) return (field ?? "body", $"{field ?? "The body"} {json.Message}");
        var where = json.LineNumber is { } line ? $" (line {line + 1}, byte {json.BytePositionInLine + 1}{(field is null ? "" : ", at " + field)})" : "";
        return (field ?? "body", $"The body is not valid JSON for this request: {ReasonOf(json)}{where}.");
    }

    /// <summary>The field a <see cref="JsonException.Path"/> names (<c>$.webhook.secret</c> → <c>webhook.secret</c>), or null for the whole body.</summary>
    public static string? FieldOf(string? path) => string.IsNullOrEmpty(path) || path == "$" ? null : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    // System.Text.Json's messages name .NET types; these say what is wrong with the request instead.
    private static string ReasonOf(JsonException json)
    {
        var message = json.Message;
        if (message.Contains("after a single JSON value", StringComparison.Ordinal)) return "trailing data after the JSON document";
        if (message.Contains("maximum configured depth", StringComparison.Ordinal)) return "nested deeper than 64 levels";
        if (message.Contains("could not be converted", StringComparison.Ordinal)) return "a value of the wrong type (an object with the documented fields is expected)";
        if (message.Contains("UTF-8", StringComparison.OrdinalIgnoreCase)) return "bytes that are not UTF-8";
        if (message.Contains("does not contain any JSON tokens", StringComparison.Ordinal)) return "no JSON at all (an empty body)";
        if (message.Contains("depth to be zero", StringComparison.Ordinal) || message.Contains("end of data", StringComparison.OrdinalIgnoreCase)
            || message.Contains("incomplete", StringComparison.OrdinalIgnoreCase)) return "the document ends too early";
        return "syntax error";
    }

    [GeneratedRegex("parameter \"(?:[^\" ]+ )?(?<name>[A-Za-z0-9_]+)\"")]
    private static partial Regex ParameterName();

    private static string? ParameterOf(string message) => ParameterName().Match(message) is { Success: true } match ? match.Groups["name"].Value : null;

    // 22021: invalid byte sequence for encoding "UTF8" (a NUL in text); 22P05: unsupported Unicode escape sequence (\u0000 in jsonb).
    private static bool StorageRefusedText(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is PostgresException { SqlState: "22021" or "22P05" }) return true;
            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(StorageRefusedText)) return true;
        }
        return false;
    }
}

/// <summary>Writes <see cref="InputProblems"/> for exceptions the endpoints let through.</summary>
internal sealed class InputExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (InputProblems.For(exception) is not { } problem || httpContext.Response.HasStarted) return false;
        await problem.ExecuteAsync(httpContext);
        return true;
    }
}

/// <summary>
/// The documented request limits, answered as problem+json: a request target over <see cref="MaxTargetBytes"/> is 414 and
/// headers over <see cref="MaxHeaderBytes"/> are 431. Kestrel's own limits are set higher (<see cref="KestrelLineBytes"/>,
/// <see cref="KestrelHeaderBytes"/>) so that this middleware sees such requests first; beyond Kestrel's limits, and for a
/// request line or header Kestrel cannot parse, Kestrel answers itself, with an empty body, before any application code runs.
/// </summary>
public static class RequestLimits
{
    /// <summary>Longest request target (path and query) answered, in characters.</summary>
    public const int MaxTargetBytes = 8 * 1024;

    /// <summary>Largest total of request header names and values answered, in characters.</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    /// <summary>Kestrel's request-line limit: above it Kestrel answers a bare 414.</summary>
    public const int KestrelLineBytes = 64 * 1024;

    /// <summary>Kestrel's header limit: above it Kestrel answers a bare 431.</summary>
    public const int KestrelHeaderBytes = 64 * 1024;

    /// <summary>Answers 414 or 431 problem+json for requests over the documented limits.</summary>
    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var targetLength = string.IsNullOrEmpty(target)
            ? (context.Request.PathBase.Value?.Length ?? 0) + (context.Request.Path.Value?.Length ?? 0) + (context.Request.QueryString.Value?.Length ?? 0)
            : target.Length;
        if (targetLength > MaxTargetBytes)
        {
            await Problems.Of(StatusCodes.Status414UriTooLong, "URI too long",
                $"The request target is {targetLength:N0} characters long; the limit is {MaxTargetBytes:N0}. Send long input in a body.").ExecuteAsync(context);
            return;
        }
        long headerLength = 0;
        foreach (var (name, values) in context.Request.Headers)
        {
            headerLength += name.Length + 4;
            foreach (var value in values) headerLength += value?.Length ?? 0;
        }
        if (headerLength > MaxHeaderBytes)
        {
            await Problems.Of(StatusCodes.Status431RequestHeaderFieldsTooLarge, "Request header fields too large",
                $"The request headers take {headerLength:N0} characters; the limit is {MaxHeaderBytes:N0}.").ExecuteAsync(context);
            return;
        }
        await next(context);
    });
}
