using System.Text.Json;
using NewsMonitor.Contracts;
using NewsMonitor.Events.Feed;

namespace NewsMonitor.Events.Tests;

/// <summary>The feed's pure rules: which types a caller may ask for, cursors, the CloudEvents envelope, duplicates.</summary>
public sealed class FeedRulesTests
{
    [Fact]
    public void Integrators_get_the_article_events_and_operators_every_event()
    {
        var integrator = FeedTypes.Select(null, isOperator: false, out _, out _)!;
        var operatorTypes = FeedTypes.Select("", isOperator: true, out _, out _)!;

        Assert.Equal(
            ["org.newsmonitor.article.received", "org.newsmonitor.article.classified", "org.newsmonitor.article.entities-extracted"],
            integrator.Select(type => type.Name));
        // The evaluation's alert count would tell an integrator (who can post articles) whether any tenant watches a term.
        Assert.DoesNotContain(integrator, type => type.Contract == typeof(ArticleAlertsEvaluated));
        Assert.Equal(6, operatorTypes.Count);
        Assert.Contains(operatorTypes, type => type.Contract == typeof(AlertRaised));
        Assert.Contains(operatorTypes, type => type.Contract == typeof(AlertDigestCompiled));
    }

    [Fact]
    public void A_types_filter_keeps_the_named_types_once()
    {
        var selected = FeedTypes.Select(" org.newsmonitor.article.classified,org.newsmonitor.article.received,org.newsmonitor.article.classified ", false, out var error, out _);

        Assert.Null(error);
        Assert.Equal([typeof(ArticleClassified), typeof(ArticleReceived)], selected!.Select(type => type.Contract));
    }

    [Theory]
    [InlineData("org.newsmonitor.article.unknown")]
    [InlineData("ORG.NEWSMONITOR.ARTICLE.RECEIVED")]
    [InlineData("article_received")]
    public void An_unknown_type_is_refused_as_unknown(string types)
    {
        Assert.Null(FeedTypes.Select(types, true, out var error, out var forbidden));
        Assert.False(forbidden);
        Assert.StartsWith("Unknown event type", error);
    }

    [Theory]
    [InlineData("org.newsmonitor.alert.raised")]
    [InlineData("org.newsmonitor.article.received,org.newsmonitor.digest.compiled")]
    public void An_operators_only_type_is_forbidden_to_integrators_and_open_to_operators(string types)
    {
        Assert.Null(FeedTypes.Select(types, false, out var error, out var forbidden));
        Assert.True(forbidden);
        Assert.Contains("operators only", error);
        Assert.NotNull(FeedTypes.Select(types, true, out _, out _));
    }

    [Theory]
    [InlineData(null, true, 0L)]
    [InlineData("0", true, 0L)]
    [InlineData("9223372036854775807", true, long.MaxValue)]
    [InlineData("-1", false, 0L)]
    [InlineData("+5", false, 0L)]
    [InlineData(" 5", false, 0L)]
    [InlineData("5.0", false, 0L)]
    [InlineData("abc", false, 0L)]
    [InlineData("", false, 0L)]
    [InlineData("9223372036854775808", false, 0L)]
    public void A_cursor_is_a_non_negative_integer(string? cursor, bool valid, long expected)
    {
        Assert.Equal(valid, FeedTypes.TryParsePosition(cursor, out var position));
        if (valid) Assert.Equal(expected, position);
    }

    [Fact]
    public void The_envelope_is_a_cloudevent_with_the_message_id_and_the_contract_as_data()
    {
        var id = Guid.NewGuid();
        var articleId = Guid.NewGuid();
        var occurred = new DateTimeOffset(2026, 11, 29, 10, 15, 0, TimeSpan.Zero);
        var message = new ArticleClassified(articleId, [new TopicScore("politics", 0.9)], "lexicon-3", occurred);

        var json = FeedEnvelope.ToJson(FeedEnvelope.Create(id, 5_000_000_000, message));

        Assert.Equal("1.0", json.GetProperty("specversion").GetString());
        Assert.Equal(id.ToString(), json.GetProperty("id").GetString());
        Assert.Equal("urn:newsmonitor:classification", json.GetProperty("source").GetString());
        Assert.Equal("org.newsmonitor.article.classified", json.GetProperty("type").GetString());
        Assert.Equal(articleId.ToString(), json.GetProperty("subject").GetString());
        Assert.Equal(occurred, json.GetProperty("time").GetDateTimeOffset());
        Assert.Equal("application/json", json.GetProperty("datacontenttype").GetString());
        // 64-bit positions do not fit a CloudEvents Integer: the extension is a string of digits.
        Assert.Equal("5000000000", json.GetProperty("position").GetString());
        var data = json.GetProperty("data");
        Assert.Equal(articleId, data.GetProperty("articleId").GetGuid());
        Assert.Equal("politics", data.GetProperty("topics")[0].GetProperty("label").GetString());
        Assert.Equal("lexicon-3", data.GetProperty("modelVersion").GetString());
        Assert.Equal(1, data.GetProperty("schemaVersion").GetInt32());
    }

    [Fact]
    public void Alerts_and_digests_are_about_themselves()
    {
        var alert = new AlertRaised(Guid.NewGuid(), Guid.NewGuid(), "acme", Guid.NewGuid(), "t", ["x"], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        var digest = new AlertDigestCompiled(Guid.NewGuid(), Guid.NewGuid(), "acme", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1), [], DateTimeOffset.UnixEpoch.AddHours(1));

        Assert.Equal(alert.AlertId.ToString(), FeedTypes.SubjectOf(alert));
        Assert.Equal(digest.DigestId.ToString(), FeedTypes.SubjectOf(digest));
        Assert.Equal(digest.OccurredAt, FeedTypes.TimeOf(digest));
        Assert.Equal("urn:newsmonitor:alerting", FeedEnvelope.ToJson(FeedEnvelope.Create(Guid.NewGuid(), 1, digest)).GetProperty("source").GetString());
    }

    [Fact]
    public void Only_a_stream_collision_counts_as_a_duplicate()
    {
        Assert.True(FeedRecorder.IsDuplicate(new InvalidOperationException("save failed", new Marten.Exceptions.ExistingStreamIdCollisionException(Guid.NewGuid(), typeof(object)))));
        Assert.False(FeedRecorder.IsDuplicate(new InvalidOperationException("other")));
        Assert.False(FeedRecorder.IsDuplicate(new TimeoutException()));
    }

    [Fact]
    public void Every_contract_of_the_feed_is_a_known_type_with_a_distinct_name()
    {
        Assert.Equal(FeedTypes.All.Count, FeedTypes.All.Select(type => type.Name).Distinct().Count());
        foreach (var type in FeedTypes.All) Assert.Same(type, FeedTypes.Of(type.Contract));
        Assert.Null(FeedTypes.Of(typeof(JsonElement)));
    }
}
