using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NewsMonitor.Testing;

/// <summary>One hostile request body: what it carries, and the field the answer must name (null: the body as a whole).</summary>
public sealed record HostileBody(string Case, HttpContent Content, HttpStatusCode Status, string? Field)
{
    /// <inheritdoc />
    public override string ToString() => Case;
}

/// <summary>
/// The hostile bodies every POST/PUT endpoint is tried with: in each string field a NUL, an unpaired surrogate and a
/// 2 MB string; in name-like fields a bidirectional override and isolate; and for the body as a whole trailing data, no or
/// the wrong content type, 10,000 nested arrays, invalid UTF-8, an empty body and <c>null</c>.
/// </summary>
public static class HostileInput
{
    private const string Marker = "\"@@hostile@@\"";

    /// <summary>
    /// Hostile variants of <paramref name="valid"/>: <paramref name="fields"/> are its string fields (dotted paths,
    /// <c>aliases[0]</c> for an element), <paramref name="nameFields"/> those that must refuse bidirectional controls.
    /// </summary>
    public static IEnumerable<HostileBody> Bodies(JsonObject valid, IEnumerable<string> fields, IEnumerable<string> nameFields)
    {
        ArgumentNullException.ThrowIfNull(valid);
        foreach (var field in fields)
        {
            // Written as escapes in the JSON text: a .NET JSON writer would refuse an unpaired surrogate.
            yield return new($"NUL in {field}", Json(With(valid, field, "\"before\\u0000after\"")), HttpStatusCode.BadRequest, field);
            yield return new($"unpaired surrogate in {field}", Json(With(valid, field, "\"before\\ud800after\"")), HttpStatusCode.BadRequest, field);
            yield return new($"unpaired low surrogate in {field}", Json(With(valid, field, "\"\\udc00\"")), HttpStatusCode.BadRequest, field);
            yield return new($"2 MB in {field}", Json(With(valid, field, "\"" + new string('x', 2 * 1024 * 1024) + "\"")), HttpStatusCode.BadRequest, field);
        }
        foreach (var field in nameFields)
        {
            yield return new($"bidi override in {field}", Json(With(valid, field, "\"evil\\u202Egnp.exe\"")), HttpStatusCode.BadRequest, field);
            yield return new($"bidi isolate in {field}", Json(With(valid, field, "\"a\\u2067b\\u2069\"")), HttpStatusCode.BadRequest, field);
        }
        var text = valid.ToJsonString();
        yield return new("trailing data", Json(text + " {\"more\": 1}"), HttpStatusCode.BadRequest, null);
        yield return new("trailing garbage", Json(text + "garbage"), HttpStatusCode.BadRequest, null);
        yield return new("text/plain", new StringContent(text, Encoding.UTF8, "text/plain"), HttpStatusCode.UnsupportedMediaType, null);
        yield return new("form content type", new StringContent(text, Encoding.UTF8, "application/x-www-form-urlencoded"), HttpStatusCode.UnsupportedMediaType, null);
        yield return new("no content type", new ByteArrayContent(Encoding.UTF8.GetBytes(text)), HttpStatusCode.UnsupportedMediaType, null);
        yield return new("10,000 nested arrays", Json(new string('[', 10_000) + new string(']', 10_000)), HttpStatusCode.BadRequest, null);
        yield return new("nesting inside a field", Json(With(valid, fields.First(), new string('[', 10_000) + new string(']', 10_000))), HttpStatusCode.BadRequest, null);
        yield return new("invalid UTF-8", Json([.. Encoding.UTF8.GetBytes(text[..^2]), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(text[^2..])]), HttpStatusCode.BadRequest, null);
        yield return new("empty body", Json(""), HttpStatusCode.BadRequest, null);
        yield return new("null", Json("null"), HttpStatusCode.BadRequest, null);
        yield return new("an array", Json("[" + text + "]"), HttpStatusCode.BadRequest, null);
    }

    /// <summary>JSON text as <c>application/json</c>.</summary>
    public static ByteArrayContent Json(string text) => Json(Encoding.UTF8.GetBytes(text));

    /// <summary>JSON bytes as <c>application/json</c>.</summary>
    public static ByteArrayContent Json(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary><paramref name="valid"/> as JSON text with <paramref name="rawValue"/> (JSON text) at <paramref name="path"/>.</summary>
    public static string With(JsonObject valid, string path, string rawValue)
    {
        ArgumentNullException.ThrowIfNull(valid);
        ArgumentNullException.ThrowIfNull(path);
        var copy = (JsonObject)valid.DeepClone();
        JsonNode parent = copy;
        var steps = path.Split('.');
        for (var i = 0; i < steps.Length; i++)
        {
            var (name, index) = Step(steps[i]);
            var last = i == steps.Length - 1;
            if (index is null)
            {
                if (last) parent[name] = "@@hostile@@";
                else parent = parent[name] ??= new JsonObject();
            }
            else
            {
                var array = (JsonArray)(parent[name] ??= new JsonArray());
                while (array.Count <= index) array.Add("ok");
                if (last) array[index.Value] = "@@hostile@@";
                else parent = array[index.Value]!;
            }
        }
        var text = copy.ToJsonString();
        Expect(text.Contains(Marker, StringComparison.Ordinal), $"{path} was not set in {text}");
        return text.Replace(Marker, rawValue, StringComparison.Ordinal);
    }

    private static (string Name, int? Index) Step(string step)
    {
        var bracket = step.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0 ? (step, null) : (step[..bracket], int.Parse(step[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Asserts <paramref name="response"/> refuses <paramref name="hostile"/> as it should: its status (never a 5xx),
    /// problem+json with a <c>type</c>, and the field named in <c>errors</c> when the case is about a field.
    /// </summary>
    public static async Task AssertRefusedAsync(HttpResponseMessage response, HostileBody hostile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(hostile);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Expect(hostile.Status == response.StatusCode, $"{hostile.Case}: expected {(int)hostile.Status}, got {(int)response.StatusCode} {Shorten(text)}");
        var problem = AssertProblem(response, text, hostile.Case);
        if (hostile.Field is null) return;
        Expect(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(hostile.Field, out _),
            $"{hostile.Case}: errors should name {hostile.Field}: {Shorten(text)}");
    }

    /// <summary>Asserts <paramref name="text"/> is the body of a problem+json answer with a <c>type</c>, and returns it.</summary>
    public static JsonElement AssertProblem(HttpResponseMessage response, string text, string because)
    {
        ArgumentNullException.ThrowIfNull(response);
        Expect(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"{because}: {(int)response.StatusCode} answered as {response.Content.Headers.ContentType?.MediaType ?? "no content type"}: {Shorten(text)}");
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Expect(problem.TryGetProperty("type", out var type) && !string.IsNullOrEmpty(type.GetString()), $"{because}: a problem without a type: {Shorten(text)}");
        return problem;
    }

    private static void Expect(bool condition, string message)
    {
        if (!condition) throw new InvalidOperationException(message); // this library has no assertion package; a failed expectation fails the test the same way
    }

    private static string Shorten(string text) => text.Length > 600 ? text[..600] + "…" : text;
}
