using System.Text.Json;
using Microsoft.AspNetCore.Http;
using NewsMonitor.ServiceDefaults;
using Npgsql;

namespace NewsMonitor.Ingestion.Tests;

/// <summary>The shared mapping of hostile-input failures to problems (ServiceDefaults), pure.</summary>
public class InputProblemsTests
{
    [Theory]
    [InlineData("$.name", "name")]
    [InlineData("$.webhook.secret", "webhook.secret")]
    [InlineData("$.aliases[2]", "aliases[2]")]
    [InlineData("$", null)]
    [InlineData(null, null)]
    public void A_json_path_names_the_field(string? path, string? field) => Assert.Equal(field, InputProblems.FieldOf(path));

    [Theory]
    [InlineData("{\"title\": \"x\"} garbage", "trailing data")]
    [InlineData("{\"title\": \"x\"", "ends too early")]
    [InlineData("", "no JSON at all")]
    public void Json_failures_say_what_is_wrong_without_dotnet_type_names(string json, string reason)
    {
        var exception = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<ArticleSubmissionProbe>(json));
        var (field, message) = InputProblems.Describe(exception);
        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.DoesNotContain("NewsMonitor", message, StringComparison.Ordinal);
        Assert.NotNull(field);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_named()
    {
        var exception = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<JsonElement>(new string('[', 10_000) + new string(']', 10_000)));
        Assert.Contains("nested deeper than 64", InputProblems.Describe(exception).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_string_names_its_field()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new CheckedStringConverter() } };
        var exception = Assert.Throws<InputTextException>(() => JsonSerializer.Deserialize<ArticleSubmissionProbe>("{\"title\": \"a\\u0000\"}", options));
        Assert.Equal(("title", "title contains a NUL character (U+0000) at position 1, which cannot be stored."), InputProblems.Describe(exception));
        exception = Assert.Throws<InputTextException>(() => JsonSerializer.Deserialize<ArticleSubmissionProbe>("{\"title\": \"\\ud800\"}", options));
        Assert.Equal("title", InputProblems.Describe(exception).Field);
        exception = Assert.Throws<InputTextException>(() => JsonSerializer.Deserialize<ArticleSubmissionProbe>("{\"title\": 5}", options));
        Assert.Contains("must be a string", InputProblems.Describe(exception).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Postgresql_refusing_a_character_is_a_400_not_a_500_however_deeply_wrapped()
    {
        var refused = new PostgresException("invalid byte sequence for encoding \"UTF8\": 0x00", "ERROR", "ERROR", "22021");
        var problem = InputProblems.For(new InvalidOperationException("wrapped", new AggregateException(refused)));
        Assert.Equal(StatusCodes.Status400BadRequest, problem?.StatusCode);
        Assert.Null(InputProblems.For(new PostgresException("deadlock", "ERROR", "ERROR", "40P01")));
        Assert.Null(InputProblems.For(new InvalidOperationException("a bug")));
    }

    [Fact]
    public void A_parameter_that_does_not_bind_is_named()
    {
        var problem = InputProblems.For(new BadHttpRequestException("Failed to bind parameter \"int limit\" from \"9999999999999\".", StatusCodes.Status400BadRequest));
        Assert.Equal(StatusCodes.Status400BadRequest, problem?.StatusCode);
        Assert.True(((IDictionary<string, string[]>)problem!.ProblemDetails.Extensions["errors"]!).ContainsKey("limit"));
    }

    [Fact]
    public void Every_status_has_a_type()
    {
        foreach (var status in new[] { 400, 401, 403, 404, 405, 409, 413, 414, 415, 429, 431, 500, 503 }) Assert.StartsWith("https://", Problems.TypeOf(status), StringComparison.Ordinal);
        Assert.EndsWith("section-15.5.14", Problems.TypeOf(413), StringComparison.Ordinal);
        Assert.EndsWith("section-15.5.15", Problems.TypeOf(414), StringComparison.Ordinal);
        Assert.EndsWith("rfc6585#section-4", Problems.TypeOf(429), StringComparison.Ordinal);
        Assert.EndsWith("rfc6585#section-5", Problems.TypeOf(431), StringComparison.Ordinal);
    }

    private sealed record ArticleSubmissionProbe(string? Title);
}
