using NewsMonitor.Alerting.Rules;

namespace NewsMonitor.Alerting.Tests;

public class AlertRuleTests
{
    private static AlertRule Parse(string text)
    {
        var (rule, error) = AlertRule.Parse(text);
        Assert.Null(error);
        return rule!;
    }

    private static bool Holds(string rule, params string[] found) => Parse(rule).Matches(term => found.Contains(term.Text));

    [Theory]
    [InlineData("الناتو", new[] { "الناتو" }, true)]
    [InlineData("الناتو روسيا", new[] { "الناتو" }, false)]
    [InlineData("الناتو روسيا", new[] { "الناتو", "روسيا" }, true)]
    [InlineData("الناتو AND روسيا", new[] { "روسيا" }, false)]
    [InlineData("الناتو OR روسيا", new[] { "روسيا" }, true)]
    [InlineData("الناتو NOT روسيا", new[] { "الناتو", "روسيا" }, false)]
    [InlineData("الناتو NOT روسيا", new[] { "الناتو" }, true)]
    [InlineData("(الناتو OR \"حلف شمال الأطلسي\") AND أوكرانيا", new[] { "حلف شمال الأطلسي", "أوكرانيا" }, true)]
    [InlineData("الناتو OR روسيا أوكرانيا", new[] { "الناتو" }, true)]
    [InlineData("الناتو OR روسيا أوكرانيا", new[] { "روسيا" }, false)]
    public void Boolean_operators_follow_the_grammar(string rule, string[] found, bool expected) => Assert.Equal(expected, Holds(rule, found));

    [Fact]
    public void Quoted_phrases_are_one_term()
    {
        var rule = Parse("\"حلف شمال الأطلسي\" «الإنفاق الدفاعي»");
        Assert.Equal(["حلف شمال الأطلسي", "الإنفاق الدفاعي"], rule.Terms.Select(term => term.Text));
        Assert.All(rule.Terms, term => Assert.True(term.Quoted));
    }

    [Fact]
    public void Matched_terms_leave_out_negated_ones()
    {
        var rule = Parse("(الناتو OR روسيا) NOT الصين");
        Assert.Equal(["الناتو"], rule.MatchedTerms(term => term.Text is "الناتو"));
    }

    [Theory]
    [InlineData("", 0, "empty")]
    [InlineData("   ", 0, "empty")]
    [InlineData("(الناتو OR", 10, "Expected a word")]
    [InlineData("الناتو)", 6, "closes no")]
    [InlineData("(الناتو", 7, "')'")]
    [InlineData("\"حلف شمال", 0, "no closing quote")]
    [InlineData("الناتو AND", 10, "Expected a word")]
    [InlineData("OR الناتو", 0, "Expected a word")]
    [InlineData("NOT الناتو", 0, "none of its words")]
    [InlineData("entity:NATO", 0, "Field filters")]
    [InlineData("أوكران*", 0, "Wildcards")]
    [InlineData("\"\"", 0, "empty")]
    [InlineData("الناتو ،", 7, "no letters")]
    public void Errors_name_the_position_and_what_was_expected(string text, int position, string message)
    {
        var (rule, error) = AlertRule.Parse(text);
        Assert.Null(rule);
        Assert.Equal(position, error!.Position);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Rules_are_limited_in_length_and_terms()
    {
        Assert.Contains("limit", AlertRule.Parse(new string('ب', AlertRule.MaxLength + 1)).Error!.Message);
        Assert.Contains("terms", AlertRule.Parse(string.Join(" OR ", Enumerable.Range(0, AlertRule.MaxTerms + 1).Select(i => "كلمة" + i))).Error!.Message);
    }
}
