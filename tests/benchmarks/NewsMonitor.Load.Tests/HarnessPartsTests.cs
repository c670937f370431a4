using NewsMonitor.Load;
using NewsMonitor.Text.Rules;

namespace NewsMonitor.Load.Tests;

public sealed class HarnessPartsTests
{
    [Fact]
    public void The_harness_section_is_replaced_in_place_and_the_rest_kept()
    {
        var document = "# Benchmarks\n\n## End-to-end load (issue 17)\n\nFindings written by hand.\n\n## Later\n\ntext\n";
        var first = MarkdownSection.Replace(document, "burst", "run one", "## End-to-end load (issue 17)");
        Assert.Contains("Findings written by hand.\n\n" + MarkdownSection.Begin("burst") + "\nrun one\n" + MarkdownSection.End("burst") + "\n\n## Later", first, StringComparison.Ordinal);
        var second = MarkdownSection.Replace(first, "burst", "run two", "## End-to-end load (issue 17)");
        Assert.Equal(first.Replace("run one", "run two", StringComparison.Ordinal), second);
        var other = MarkdownSection.Replace(second, "rate-50", "steady", "## End-to-end load (issue 17)");
        Assert.Contains("run two", other, StringComparison.Ordinal);
        Assert.Contains("steady", other, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.42", 2, "otherwise idle")]
    [InlineData("0.99", 2, "otherwise idle")]
    [InlineData("1.00", 2, "other work may have been running")]
    [InlineData("5.56", 2, "other work may have been running")]
    [InlineData("?", 2, "unknown")]
    public void The_run_says_what_the_load_at_its_start_shows_and_no_more(string load, int cores, string expected)
    {
        var sentence = RunConditions.AtStart(load, cores);
        Assert.Contains(expected, sentence, StringComparison.Ordinal);
        Assert.DoesNotContain("other sessions", sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_heading_is_added_at_the_end_and_a_broken_section_refused()
    {
        var added = MarkdownSection.Replace("# Benchmarks\n", "burst", "x", "## End-to-end load (issue 17)");
        Assert.Equal("# Benchmarks\n\n## End-to-end load (issue 17)\n\n" + MarkdownSection.Begin("burst") + "\nx\n" + MarkdownSection.End("burst") + "\n", added);
        Assert.Throws<InvalidOperationException>(() => MarkdownSection.Replace(MarkdownSection.Begin("burst") + "\nno end", "burst", "x", "## H"));
    }

    [Fact]
    public void Generated_rules_parse_and_cover_the_rule_language()
    {
        var random = new Random(9);
        var rules = Enumerable.Range(0, 400).Select(_ => RuleMix.Next(random, ["الحكومة", "المحادثات", "الاقتصاد"], ["مارك روته", "لاهاي"], ["وزير الخارجية"]).Rule).ToList();
        Assert.All(rules, rule => Assert.NotNull(AlertRule.Parse(rule).Rule));
        Assert.Contains(rules, rule => rule.Contains(" OR ", StringComparison.Ordinal));
        Assert.Contains(rules, rule => rule.Contains("NEAR/5", StringComparison.Ordinal));
        Assert.Contains(rules, rule => rule.Contains(" NOT ", StringComparison.Ordinal));
        Assert.Contains(rules, rule => rule.Contains("entity:", StringComparison.Ordinal));
        Assert.Contains(rules, rule => rule.StartsWith("topic:", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_default_to_a_burst_and_name_rate_runs_by_their_rate()
    {
        var burst = LoadOptions.Parse(["--articles", "2000"]);
        Assert.Equal((2000, (double?)null, 200, 250, "burst"), (burst.Articles, burst.Rate, burst.Subscriptions, burst.Batch, burst.Label));
        var rate = LoadOptions.Parse(["--articles", "3000", "--rate", "50", "--subscriptions", "1000", "--gateway", "http://127.0.0.1:9180/", "--key", "k"]);
        Assert.Equal(("rate-50", 1000, "k"), (rate.Label, rate.Subscriptions, rate.Key));
        // A new seed each run (the same articles again would be duplicates of the last run's), or the one given.
        Assert.NotEqual(LoadOptions.Parse(["--articles", "1"]).Seed, LoadOptions.Parse(["--articles", "1"]).Seed);
        Assert.Equal(5, LoadOptions.Parse(["--articles", "1", "--seed", "5"]).Seed);
        Assert.Throws<ArgumentException>(() => LoadOptions.Parse(["--rate", "50"]));
        Assert.Throws<ArgumentException>(() => LoadOptions.Parse(["--articles", "-1"]));
        Assert.Throws<ArgumentException>(() => LoadOptions.Parse(["--articles", "10", "--label", "../x"]));
    }

    [Fact]
    public void Social_posts_lose_retweet_marks_mentions_links_and_hashes()
    {
        Assert.Equal("لماذا يعارض قصر الإليزيه مساعي ليبيا", LoadCorpus.CleanPost("RT @ajmidan: لماذا  يعارض قصر #الإليزيه مساعي @someone ليبيا https://t.co/x…"));
    }
}
