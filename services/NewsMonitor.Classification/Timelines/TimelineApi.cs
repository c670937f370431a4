using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using NewsMonitor.Classification.Topics;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Classification.Timelines;

/// <summary><c>GET /api/v1/topics/{label}/timeline?bucket=hour|day&amp;from=&amp;to=</c>.</summary>
public static class TimelineApi
{
    private const int MaxBuckets = 2_000;

    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapTimelineApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/topics/{label}/timeline", GetTimelineAsync).RequireAuthorization(Access.Integrators);
        return app;
    }

    private static async Task<Results<Ok<TimelineView>, ProblemHttpResult>> GetTimelineAsync(string label, IQuerySession session, TopicLexicon lexicon, TimeProvider clock,
        CancellationToken cancellationToken, string bucket = "hour", DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        if (bucket is not ("hour" or "day"))
            return Problems.BadRequest("Invalid bucket", $"bucket '{bucket}' must be hour or day.", new Dictionary<string, string[]> { ["bucket"] = ["hour or day"] });
        if (label != TopicLexicon.Unknown && lexicon.Topics.All(topic => topic.Label != label)
            && !(await OperatorTopicDirectory.LoadSetAsync(session, cancellationToken)).Topics.ContainsKey(label))
            return Problems.NotFound($"No topic '{label}' in the taxonomy or among operator topics, past or present (GET /api/v1/topics).");
        var step = bucket == "day" ? TimeSpan.FromDays(1) : TimeSpan.FromHours(1);
        var end = TopicBucket.StartOf(to ?? clock.GetUtcNow(), bucket);
        var start = TopicBucket.StartOf(from ?? end - step * (bucket == "day" ? 29 : 47), bucket);
        if (start > end)
            return Problems.BadRequest("Invalid range", "from must not be after to.", new Dictionary<string, string[]> { ["from"] = ["after to"] });
        if ((end - start) / step >= MaxBuckets)
            return Problems.BadRequest("Range too long", $"At most {MaxBuckets} {bucket} buckets per request.", new Dictionary<string, string[]> { ["from"] = ["range too long"] });

        var buckets = await session.Query<TopicBucket>()
            .Where(found => found.Size == bucket && (found.Label == label || found.Label == TopicBucket.All) && found.Start >= start && found.Start <= end)
            .ToListAsync(cancellationToken);
        var mine = buckets.Where(found => found.Label == label).ToDictionary(found => found.Start);
        var all = buckets.Where(found => found.Label == TopicBucket.All).ToDictionary(found => found.Start);
        var items = new List<TimelinePoint>();
        for (var at = start; at <= end; at += step)
        {
            var articles = mine.GetValueOrDefault(at)?.Articles ?? 0;
            var total = all.GetValueOrDefault(at)?.Articles ?? 0;
            items.Add(new TimelinePoint(at, articles, total, total == 0 ? 0 : Math.Round((double)articles / total, 4), mine.GetValueOrDefault(at)?.Models ?? []));
        }
        return TypedResults.Ok(new TimelineView(label, bucket, start, end, items));
    }
}

/// <summary>One bucket: articles with the label, all classified articles, the share, and which model said so.</summary>
public sealed record TimelinePoint(DateTimeOffset Start, int Articles, int Total, double Share, IReadOnlyDictionary<string, int> Models);

/// <summary>Answer of the timeline endpoint, oldest bucket first, empty buckets included.</summary>
public sealed record TimelineView(string Label, string Bucket, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<TimelinePoint> Items);
