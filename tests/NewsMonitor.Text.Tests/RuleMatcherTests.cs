using NewsMonitor.Text.Rules;

namespace NewsMonitor.Text.Tests;

public class RuleMatcherTests
{
    private static IReadOnlyList<RuleHit> Match(string text, params string[] rules)
    {
        var entries = rules.Select((rule, index) => new RuleEntry(new Guid(index + 1, 0, 0, new byte[8]), AlertRule.Parse(rule).Rule!)).ToList();
        return new RuleMatcher(entries).Match(new ArticleFacts(text));
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
        Assert.Equal([1, 4], hits.Select(hit => hit.Id.ToByteArray()[0]));
        Assert.Equal(["الناتو", "أوكرانيا"], hits[0].Matched);
        Assert.Equal(["أوكرانيا"], hits[1].Matched);
    }

    [Fact]
    public void No_rules_no_hits() => Assert.Empty(new RuleMatcher([]).Match(new ArticleFacts("الناتو")));

    [Theory]
    [InlineData("أوكران*", "دعم الأوكرانيين", true)]
    [InlineData("أوكران*", "قال لأوكرانيا", true)]
    [InlineData("أوكران*", "كرانيا", false)]
    [InlineData("الناتو NEAR/3 روسيا", "قال الناتو إن روسيا تهدد", true)]
    [InlineData("الناتو NEAR/1 روسيا", "قال الناتو إن روسيا تهدد", false)]
    [InlineData("روسيا NEAR/2 الناتو", "قال الناتو إن روسيا تهدد", true)]
    [InlineData("\"حلف شمال الأطلسي\" NEAR/4 أوكرانيا", "قمة لحلف شمال الأطلسى لدعم أوكرانيا", true)]
    public void Wildcards_and_proximity(string rule, string text, bool expected) => Assert.Equal(expected, Match(text, rule).Count == 1);

    [Fact]
    public void Field_filters_meet_the_articles_facts()
    {
        var facts = new ArticleFacts("اجتمع القادة في لاهاي", "Reuters", "ar",
            [("mark-rutte", "Mark Rutte", "PERSON", ["روته"])], ["defense", "international"]);
        var entries = new[] { "entity:\"Mark Rutte\"", "entity:روته", "entity:mark-rutte", "type:person", "topic:Defense", "source:reuters", "lang:ar", "lang:en", "topic:sports", "لاهاي NOT topic:defense" }
            .Select((rule, index) => new RuleEntry(new Guid(index + 1, 0, 0, new byte[8]), AlertRule.Parse(rule).Rule!)).ToList();
        var hits = new RuleMatcher(entries).Match(facts).Select(hit => hit.Id.ToByteArray()[0]);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], hits);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(3_000)] // enough candidates to be evaluated in parallel parts
    public void The_presearcher_finds_exactly_what_evaluating_every_rule_finds(int ruleCount)
    {
        var random = new Random(17);
        string[] words = ["الناتو", "روسيا", "أوكرانيا", "بولندا", "الحلف", "واشنطن", "\"حلف شمال الأطلسي\"", "أوكران*", "الدفاع*", "قمة", "lang:ar", "source:test", "ترامب"];
        string[] operators = [" ", " AND ", " OR ", " NOT ", " NEAR/3 "];
        var rules = new List<RuleEntry>();
        while (rules.Count < ruleCount)
        {
            var text = words[random.Next(words.Length)];
            for (var n = random.Next(0, 3); n > 0; n--) text += operators[random.Next(operators.Length)] + words[random.Next(words.Length)];
            if (AlertRule.Parse(text).Rule is { } rule) rules.Add(new RuleEntry(Guid.NewGuid(), rule));
        }
        var matcher = new RuleMatcher(rules);
        foreach (var body in new[] { "قال الأمين العام للناتو إن روسيا تهدد أوكرانيا", "قمة لحلف شمال الأطلسى في واشنطن لدعم الأوكرانيين", "الدفاعات البولندية", "نص بلا صلة" })
        {
            var facts = new ArticleFacts(body, "test", "ar");
            // The same rules, in the same order, each with the same matched terms (the compiled rules' and the syntax tree's).
            Assert.Equal(matcher.MatchNaively(facts).Select(h => $"{h.Id} {string.Join('|', h.Matched)}"), matcher.Match(facts).Select(h => $"{h.Id} {string.Join('|', h.Matched)}"));
        }
    }
}
