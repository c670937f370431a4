using NewsMonitor.Classification.Topics;
using NewsMonitor.Contracts;
using NewsMonitor.Testing;

namespace NewsMonitor.Classification.Tests;

/// <summary>How the model's labels and the operator topics combine into one classification (pure).</summary>
public class TopicAssignmentTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private static readonly TopicClassifier Classifier = TopicClassifier.BuiltIn;

    private static ArticleTopics Received(string sampleId)
    {
        var sample = SampleArticles.Get(sampleId);
        return ArticleTopics.Create(new ArticleTextNoted(Guid.NewGuid(), sample.Title, sample.Body, "reuters", "ar", Now.AddMinutes(-5), Now));
    }

    private static ArticleTopics Received(string sampleId, ExtractedEntity entity)
    {
        var article = Received(sampleId);
        return article.Apply(new ArticleEntitiesNoted(article.Id, [entity], Now));
    }

    private static ExtractedEntity Nato => new("nato", "ORG", "NATO", [new EntityMention("الناتو", 0, 6)]);

    private static OperatorTopicRules Rules(params (string Label, string Rule)[] topics) =>
        new(topics.Select(topic => new OperatorTopic(topic.Label, topic.Rule, null, Now, Now)), 1);

    private static ArticleTopics After(ArticleTopics article, ArticleTopicsAssigned assigned) => article.Apply(assigned);

    [Fact]
    public void An_operator_topic_whose_rule_holds_is_assigned_first_with_score_1_beside_the_models_labels()
    {
        var article = Received("blinken-rutte-brussels");
        var assigned = TopicAssignment.Decide(article, Classifier, Rules(("rutte-watch", "روته OR \"Mark Rutte\""), ("cricket", "كريكيت")), Now)!;

        Assert.Equal(new TopicScore("rutte-watch", 1.0), assigned.Topics[0]);
        var model = Classifier.Classify(article.Text!.Title, article.Text.Body);
        Assert.Equal(model.Assigned, assigned.Topics.Skip(1));
        Assert.Equal(model.Scores, assigned.Scores);
        Assert.Equal("rutte-watch", Assert.Single(assigned.OperatorTopics!).Label);
        Assert.Contains("روته", assigned.OperatorTopics![0].Matched);
        Assert.Equal(1, assigned.OperatorTopicsVersion);
        Assert.Equal(article.Text.ReceivedAt, assigned.BucketAt);
        Assert.Null(assigned.Replaces);
    }

    [Fact]
    public void Without_operator_topics_the_classification_is_the_models()
    {
        var article = Received("nato-london-summit-2019");
        var assigned = TopicAssignment.Decide(article, Classifier, OperatorTopicRules.None, Now)!;
        Assert.Equal(Classifier.Classify(article.Text!.Title, article.Text.Body).Assigned, assigned.Topics);
        Assert.Empty(assigned.OperatorTopics!);
    }

    [Fact]
    public void Nothing_is_decided_before_the_text_is_known()
    {
        var entitiesOnly = ArticleTopics.Create(new ArticleEntitiesNoted(Guid.NewGuid(), [Nato], Now));
        Assert.Null(TopicAssignment.Decide(entitiesOnly, Classifier, OperatorTopicRules.None, Now));
    }

    [Fact]
    public void A_topic_filtering_on_entities_makes_a_new_article_wait_for_them_and_is_then_decided_with_them()
    {
        var rules = Rules(("nato-summits", "(قمة OR summit) AND entity:NATO"));
        Assert.Null(TopicAssignment.Decide(Received("nato-washington-summit-2024"), Classifier, rules, Now));

        var withNato = TopicAssignment.Decide(Received("nato-washington-summit-2024", Nato), Classifier, rules, Now)!;
        Assert.Equal("nato-summits", withNato.Topics[0].Label);
        Assert.Equal(["قمة", "entity:NATO"], withNato.OperatorTopics![0].Matched);

        // Entities known but NATO not among them: the topic does not hold; the model's labels are assigned.
        var withoutNato = TopicAssignment.Decide(Received("nato-washington-summit-2024", new ExtractedEntity("london", "LOC", "London", [])), Classifier, rules, Now)!;
        Assert.DoesNotContain(withoutNato.Topics, topic => topic.Label == "nato-summits");
    }

    [Fact]
    public void Topic_filters_see_the_models_assigned_labels()
    {
        var article = Received("nato-washington-summit-2024");
        var modelLabel = Classifier.Classify(article.Text!.Title, article.Text.Body).Assigned[0].Label;
        var assigned = TopicAssignment.Decide(article, Classifier, Rules(("seen", $"topic:{modelLabel} AND واشنطن"), ("unseen", "topic:sports AND واشنطن")), Now)!;
        Assert.Equal(["seen"], assigned.OperatorTopics!.Select(match => match.Label));
    }

    [Fact]
    public void An_operator_topic_replaces_unknown_when_the_model_assigns_nothing()
    {
        var article = ArticleTopics.Create(new ArticleTextNoted(Guid.NewGuid(), "", "hello world", null, "und", Now, Now));
        Assert.Equal("unknown", Assert.Single(TopicAssignment.Decide(article, Classifier, OperatorTopicRules.None, Now)!.Topics).Label);
        Assert.Equal(["odd"], TopicAssignment.Decide(article, Classifier, Rules(("odd", "hello")), Now)!.Topics.Select(topic => topic.Label));
    }

    [Fact]
    public void Deciding_again_on_the_same_facts_changes_nothing()
    {
        var rules = Rules(("rutte-watch", "روته"));
        var article = Received("blinken-rutte-brussels", Nato);
        var classified = After(article, TopicAssignment.Decide(article, Classifier, rules, Now)!);
        Assert.Null(TopicAssignment.Decide(classified, Classifier, rules, Now));
    }

    [Fact]
    public void Applying_one_topic_to_history_adds_or_removes_only_that_label_and_says_what_it_replaces()
    {
        var article = Received("blinken-rutte-brussels", Nato);
        var old = After(article, TopicAssignment.Decide(article, Classifier, Rules(("kept", "روته")), Now)!);

        // Later "kept" no longer matches under its new rule, and "rutte-watch" is defined: applying rutte-watch keeps "kept".
        var later = Rules(("kept", "كريكيت"), ("rutte-watch", "روته"));
        var applied = TopicAssignment.Decide(old, Classifier, later, Now.AddHours(1), onlyLabel: "rutte-watch")!;
        Assert.Equal(["kept", "rutte-watch"], applied.OperatorTopics!.Select(match => match.Label));
        Assert.Equal(old.Labels, applied.Replaces!.Labels);
        Assert.Equal(article.Text!.ReceivedAt, applied.Replaces.BucketAt);
        Assert.Equal(article.Text.ReceivedAt, applied.BucketAt);

        // Applying "kept" under its new rule removes it; once retired (not among the rules), applying it removes it too.
        var afterApply = After(old, applied);
        Assert.Equal(["rutte-watch"], TopicAssignment.Decide(afterApply, Classifier, later, Now, "kept")!.OperatorTopics!.Select(match => match.Label));
        Assert.Equal(["rutte-watch"], TopicAssignment.Decide(afterApply, Classifier, Rules(("rutte-watch", "روته")), Now, "kept")!.OperatorTopics!.Select(match => match.Label));
        Assert.Null(TopicAssignment.Decide(afterApply, Classifier, later, Now, "rutte-watch"));
    }

    [Fact]
    public void An_article_already_classified_keeps_its_entity_topics_when_its_entities_are_unknown()
    {
        var article = Received("nato-washington-summit-2024", Nato);
        var rules = Rules(("nato-summits", "قمة AND entity:NATO"));
        var classified = After(article, TopicAssignment.Decide(article, Classifier, rules, Now)!) with { Entities = null };
        Assert.Null(TopicAssignment.Decide(classified, Classifier, rules, Now));
        Assert.Null(TopicAssignment.Decide(classified, Classifier, Rules(("nato-summits", "قمة AND entity:NATO"), ("rutte-watch", "كريكيت")), Now));
    }

    [Fact]
    public void The_topic_set_folds_definitions_changes_and_retirements_and_counts_versions()
    {
        var set = OperatorTopicSet.Create(new OperatorTopicDefined("a-b", "x", "first", Now))
            .Apply(new OperatorTopicDefined("c-d", "y AND entity:NATO", null, Now))
            .Apply(new OperatorTopicRedefined("a-b", "z", null, Now.AddMinutes(1)))
            .Apply(new OperatorTopicRetired("c-d", Now.AddMinutes(2)));
        Assert.Equal(4, set.Version);
        Assert.Equal(["a-b"], set.Active.Select(topic => topic.Label));
        Assert.Equal(("z", "first"), (set.Topics["a-b"].Rule, set.Topics["a-b"].Description));
        var rules = new OperatorTopicRules(set.Active, set.Version);
        Assert.Equal(["a-b"], rules.Labels);
        Assert.Empty(rules.EntityLabels);
        Assert.Equal(["c-d"], new OperatorTopicRules(set.Topics.Values, 1).EntityLabels);
    }
}
