using NewsMonitor.Ingestion.Articles;

namespace NewsMonitor.Ingestion.Tests;

public class ArticleValidationTests
{
    [Fact]
    public void A_complete_submission_is_valid_and_gets_its_id_from_the_canonical_url()
    {
        var (article, errors) = ArticleValidation.Validate(new ArticleSubmission("عنوان", "نص", "HTTPS://Example.com/news/1/?utm_source=x&b=2&a=1#top"));
        Assert.Empty(errors);
        Assert.Equal("https://example.com/news/1?a=1&b=2", article!.Url);
        Assert.Equal(ArticleIdentity.For("https://example.com/news/1?a=1&b=2", "other", "other"), article.Id);
        Assert.Equal("ar", article.Language);
    }

    [Theory]
    [InlineData(null, "body", "title")]
    [InlineData("  ", "body", "title")]
    [InlineData("title", null, "body")]
    [InlineData("title", " \n ", "body")]
    public void Title_and_body_are_required(string? title, string? body, string field)
    {
        var (article, errors) = ArticleValidation.Validate(new ArticleSubmission(title, body));
        Assert.Null(article);
        Assert.True(errors.ContainsKey(field));
    }

    [Fact]
    public void An_oversized_body_is_refused_with_its_size()
    {
        var (_, errors) = ArticleValidation.Validate(new ArticleSubmission("t", new string('ب', ArticleValidation.MaxBodyLength + 1)));
        Assert.Contains("1000001", errors["body"][0]);
    }

    [Theory]
    [InlineData("ftp://example.com/a")]
    [InlineData("/relative/path")]
    [InlineData("not a url")]
    public void Urls_must_be_absolute_http(string url) =>
        Assert.True(ArticleValidation.Validate(new ArticleSubmission("t", "b", url)).Errors.ContainsKey("url"));

    [Fact]
    public void Without_url_the_id_comes_from_the_normalised_text()
    {
        var a = ArticleValidation.Validate(new ArticleSubmission("قمة الناتو", "الأمين العام   قال")).Article!;
        var b = ArticleValidation.Validate(new ArticleSubmission("قمة الناتو", "الامين العام قال\n")).Article!;
        var c = ArticleValidation.Validate(new ArticleSubmission("قمة الناتو", "نص آخر")).Article!;
        Assert.Equal(a.Id, b.Id);
        Assert.NotEqual(a.Id, c.Id);
    }

    [Theory]
    [InlineData("http://example.com/a/", "https://example.com/a")]
    [InlineData("https://EXAMPLE.com:8443/a?fbclid=1", "https://example.com:8443/a")]
    [InlineData("https://example.com", "https://example.com")]
    public void Canonical_urls_drop_tracking_noise(string url, string canonical) => Assert.Equal(canonical, CanonicalUrl.From(url));

    [Theory]
    [InlineData("حلف شمال الأطلسي يجتمع", "ar")]
    [InlineData("NATO leaders meet in Washington", "und")]
    [InlineData("123 456", "und")]
    public void Language_is_guessed_from_the_script(string text, string language) => Assert.Equal(language, LanguageGuess.Of(text));

    [Fact]
    public void A_given_language_is_kept_and_a_bad_one_refused()
    {
        var declared = ArticleValidation.Validate(new ArticleSubmission("t", "نص", Language: "EN")).Article!;
        Assert.Equal("en", declared.Language);
        Assert.True(declared.LanguageDeclared);
        Assert.False(ArticleValidation.Validate(new ArticleSubmission("t", "نص")).Article!.LanguageDeclared);
        Assert.True(ArticleValidation.Validate(new ArticleSubmission("t", "b", Language: "not a tag!")).Errors.ContainsKey("language"));
    }

    [Fact]
    public void Text_that_cannot_be_stored_is_refused_by_field_however_it_came_in()
    {
        var (article, errors) = ArticleValidation.Validate(new ArticleSubmission("قمة\0", "نص " + '\uD800', Source: "a\0b", Url: "https://example.org/\u202E", Author: "x\0"));
        Assert.Null(article);
        Assert.Contains("NUL", errors["title"][0]);
        Assert.Contains("unpaired surrogate", errors["body"][0]);
        Assert.Contains("NUL", errors["source"][0]);
        Assert.Contains("bidirectional control U+202E", errors["url"][0]);
        Assert.Contains("NUL", errors["author"][0]);
    }
}
