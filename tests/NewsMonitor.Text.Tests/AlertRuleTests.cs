using NewsMonitor.Text.Rules;

namespace NewsMonitor.Text.Tests;

public class AlertRuleTests
{
    private static AlertRule Parse(string text)
    {
        var (rule, error) = AlertRule.Parse(text);
        Assert.Null(error);
        return rule!;
    }

    private static bool Holds(string rule, params string[] found) => Parse(rule).Matches(node => node is TermNode term && found.Contains(term.Text));

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
        Assert.Equal(["الناتو"], rule.MatchedTerms(node => node is TermNode { Text: "الناتو" }));
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
    [InlineData("person:NATO", 0, "Unknown field")]
    [InlineData("entity: الناتو", 7, "Expected a value")]
    [InlineData("أو*", 0, "at least 3 letters")]
    [InlineData("لنــ*", 0, "at least 3 letters")]
    [InlineData("أوك**", 0, "one '*'")]
    [InlineData("الناتو NEAR روسيا", 7, "needs a distance")]
    [InlineData("الناتو NEAR/0 روسيا", 7, "from 1 to 50")]
    [InlineData("(الناتو OR روسيا) NEAR/3 أوكرانيا", 18, "joins two words")]
    [InlineData("topic:defense NEAR/3 أوكرانيا", 14, "joins two words")]
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
    public void Wildcards_near_and_field_filters_parse_into_their_nodes()
    {
        var rule = Parse("أوكران* NEAR/5 \"الإنفاق الدفاعي\" entity:\"Mark Rutte\" type:PERSON topic:defense source:reuters lang:ar");
        var near = Assert.IsType<NearNode>(((AndNode)((AndNode)((AndNode)((AndNode)((AndNode)rule.Root).Left).Left).Left).Left).Left);
        Assert.True(near.Left.Wildcard);
        Assert.Equal("أوكران", near.Left.Text);
        Assert.Equal(5, near.Distance);
        Assert.Equal(["entity:Mark Rutte", "type:PERSON", "topic:defense", "source:reuters", "lang:ar"], rule.Fields.Select(f => $"{f.Field}:{f.Value}"));
        Assert.True(rule.NeedsAnalysis);
        Assert.False(Parse("الناتو source:reuters lang:ar").NeedsAnalysis);
    }

    [Fact]
    public void A_filter_alone_is_a_rule_but_its_negation_is_not()
    {
        Assert.NotNull(AlertRule.Parse("entity:NATO").Rule);
        Assert.Contains("none of its words", AlertRule.Parse("NOT topic:sports").Error!.Message);
    }

    [Fact]
    public void Rules_are_limited_in_length_and_terms()
    {
        Assert.Contains("limit", AlertRule.Parse(new string('ب', AlertRule.MaxLength + 1)).Error!.Message);
        Assert.Contains("terms", AlertRule.Parse(string.Join(" OR ", Enumerable.Range(0, AlertRule.MaxTerms + 1).Select(i => "كلمة" + i))).Error!.Message);
    }
}
