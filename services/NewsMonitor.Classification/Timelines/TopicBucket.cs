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

/// <summary>
/// Folds classifications into hour and day buckets per label at the article's receipt time (async daemon;
/// rebuildable). A re-classification by a newer model moves the article from its old labels to its new ones in
/// the same buckets, so each article counts once, under the model that classified it last.
/// </summary>
public sealed class TopicBucketProjection : MultiStreamProjection<TopicBucket, string>
{
    private static readonly string[] Sizes = ["hour", "day"];

    /// <summary>Routes each classification to its labels' buckets and the all-articles buckets, and a re-classification also to the old ones.</summary>
    public TopicBucketProjection() =>
        Identities<ArticleTopicsAssigned>(assigned => Ids(Labels(assigned.Topics.Select(topic => topic.Label)), assigned.BucketAt)
            .Concat(assigned.Replaces is { } old ? Ids(Labels(old.Labels), old.BucketAt) : [])
            .Distinct().ToList());

    /// <summary>Counts a classification in a bucket; a re-classification first takes the superseded one out.</summary>
    public override TopicBucket? Evolve(TopicBucket? snapshot, string id, IEvent e)
    {
        if (e.Data is not ArticleTopicsAssigned assigned) return snapshot;
        var parts = id.Split('|');
        var (label, size) = (parts[0], parts[1]);
        if (assigned.Replaces is { } old && snapshot is not null && TopicBucket.IdOf(label, size, old.BucketAt) == id && Labels(old.Labels).Contains(label))
        {
            snapshot.Articles--;
            snapshot.Models[old.ModelVersion] = snapshot.Models.GetValueOrDefault(old.ModelVersion) - 1;
            if (snapshot.Models[old.ModelVersion] <= 0) snapshot.Models.Remove(old.ModelVersion);
        }
        if (TopicBucket.IdOf(label, size, assigned.BucketAt) == id && Labels(assigned.Topics.Select(topic => topic.Label)).Contains(label))
        {
            snapshot ??= new TopicBucket { Id = id, Label = label, Size = size, Start = TopicBucket.StartOf(assigned.BucketAt, size) };
            snapshot.Articles++;
            snapshot.Models[assigned.ModelVersion] = snapshot.Models.GetValueOrDefault(assigned.ModelVersion) + 1;
        }
        return snapshot;
    }

    private static IEnumerable<string> Labels(IEnumerable<string> labels) => labels.Append(TopicBucket.All).Distinct();

    private static IEnumerable<string> Ids(IEnumerable<string> labels, DateTimeOffset at) => labels.SelectMany(label => Sizes.Select(size => TopicBucket.IdOf(label, size, at)));
}
