using System.Globalization;
using JasperFx.Events;
using Marten.Events.Projections;
using NewsMonitor.Classification.Topics;

namespace NewsMonitor.Classification.Timelines;

/// <summary>
/// Articles given one label in one UTC hour or day, by model version. The label <c>*</c> counts every classified
/// article, the denominator of a label's share.
/// </summary>
public sealed class TopicBucket
{
    /// <summary>Label of the all-articles series.</summary>
    public const string All = "*";

    /// <summary><c>{label}|{hour|day}|{start, yyyyMMddHH}</c>.</summary>
    public string Id { get; set; } = "";

    /// <summary>The topic label, or <see cref="All"/>.</summary>
    public string Label { get; set; } = "";

    /// <summary><c>hour</c> or <c>day</c>.</summary>
    public string Size { get; set; } = "";

    /// <summary>Start of the bucket (UTC).</summary>
    public DateTimeOffset Start { get; set; }

    /// <summary>Articles in the bucket.</summary>
    public int Articles { get; set; }

    /// <summary>Articles per model version that assigned the label.</summary>
    public Dictionary<string, int> Models { get; set; } = [];

    /// <summary>Start of the hour or day holding <paramref name="at"/>.</summary>
    public static DateTimeOffset StartOf(DateTimeOffset at, string size)
    {
        var utc = at.ToUniversalTime();
        return size == "day" ? new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero) : new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    /// <summary>The bucket id of a label, size and instant.</summary>
    public static string IdOf(string label, string size, DateTimeOffset at) =>
        label + "|" + size + "|" + StartOf(at, size).ToString("yyyyMMddHH", CultureInfo.InvariantCulture);
}

/// <summary>Folds classifications into hour and day buckets per label (async daemon; rebuildable).</summary>
public sealed class TopicBucketProjection : MultiStreamProjection<TopicBucket, string>
{
    private static readonly string[] Sizes = ["hour", "day"];

    /// <summary>Routes each classification to its labels' buckets and the all-articles buckets.</summary>
    public TopicBucketProjection() =>
        Identities<ArticleTopicsAssigned>(assigned => assigned.Topics.Select(topic => topic.Label).Append(TopicBucket.All).Distinct()
            .SelectMany(label => Sizes.Select(size => TopicBucket.IdOf(label, size, assigned.At))).ToList());

    /// <summary>Counts one classification in a bucket.</summary>
    public override TopicBucket? Evolve(TopicBucket? snapshot, string id, IEvent e)
    {
        if (e.Data is not ArticleTopicsAssigned assigned) return snapshot;
        var parts = id.Split('|');
        snapshot ??= new TopicBucket { Id = id, Label = parts[0], Size = parts[1], Start = TopicBucket.StartOf(assigned.At, parts[1]) };
        snapshot.Articles++;
        snapshot.Models[assigned.ModelVersion] = snapshot.Models.GetValueOrDefault(assigned.ModelVersion) + 1;
        return snapshot;
    }
}
