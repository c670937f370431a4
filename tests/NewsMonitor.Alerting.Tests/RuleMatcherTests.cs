using NewsMonitor.Alerting.Rules;

namespace NewsMonitor.Alerting.Tests;

public class RuleMatcherTests
{
    private static IReadOnlyList<RuleHit> Match(string text, params string[] rules)
    {
        var entries = rules.Select((rule, index) => new RuleEntry(new Guid(index + 1, 0, 0, new byte[8]), AlertRule.Parse(rule).Rule!)).ToList();
        return new RuleMatcher(entries).Match(text);
    }

    [Theory]
    [InlineData("الناتو", "قال الأمين العام للناتو")]
    [InlineData("الناتو", "وقالت تركيا والناتو")]
    [InlineData("الناتو", "التزام بالناتو")]
    [InlineData("روسيا", "المجاورة لروسيا وبولندا")]
    [InlineData("روسيا", "وروسيا تهدد")]
    [InlineData("اوكرانيا", "دعم أوكرانيا")]
    [InlineData("أوكرانيا", "دعم اوكرانيا")]
    [InlineData("\"حلف شمال الأطلسي\"", "قمة لحلف شمال الأطلسى")]
    public void Terms_match_their_clitic_attached_and_spelling_variants(string rule, string text) => Assert.Single(Match(text, rule));

    [Theory]
    [InlineData("بولندا", "البولنديون يحتجون")]
    [InlineData("روسيا", "الحرب الروسية")]
    [InlineData("\"حلف شمال الأطلسي\"", "حلف شمال افريقيا والأطلسي")]
    public void Terms_are_not_found_inside_unrelated_words(string rule, string text) => Assert.Empty(Match(text, rule));

    [Fact]
    public void Only_rules_that_hold_are_hit_with_the_terms_that_made_them_hold()
    {
        var hits = Match("اجتمع قادة الناتو في لندن لبحث دعم أوكرانيا", "الناتو أوكرانيا", "الناتو NOT لندن", "روسيا OR الصين", "أوكرانيا OR روسيا");
        Assert.Equal([1, 4], hits.Select(hit => hit.SubscriptionId.ToByteArray()[0]));
        Assert.Equal(["الناتو", "أوكرانيا"], hits[0].Matched);
        Assert.Equal(["أوكرانيا"], hits[1].Matched);
    }

    [Fact]
    public void No_rules_no_hits() => Assert.Empty(new RuleMatcher([]).Match("الناتو"));
}
