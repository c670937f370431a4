using NewsMonitor.Text.NearDuplicates;

namespace NewsMonitor.Ingestion.Articles;

/// <summary>
/// Which article holds a normalised text (<see cref="ArticleIdentity.TextId"/>): written with the article's first event, in
/// the same transaction, with <c>Insert</c>, so its primary key lets only one of two racing writers of the same text win.
/// </summary>
/// <param name="Id">The text id.</param>
/// <param name="ArticleId">The article stored with that text.</param>
public sealed record ArticleText(Guid Id, Guid ArticleId);

/// <summary>
/// An article's near-duplicate fingerprint (<see cref="TextFingerprint"/>), written with its first event. The band keys are
/// duplicated into indexed columns (<c>S0</c>..<c>S3</c> for SimHash, <c>M0</c>..<c>M11</c> for MinHash) so the candidates
/// of a new article are one indexed query.
/// </summary>
public sealed class ArticleFingerprint
{
    /// <summary>The article id.</summary>
    public Guid Id { get; set; }

    /// <summary>The first article of its family: itself, or the original it is a near copy of.</summary>
    public Guid Root { get; set; }

    /// <summary>When the article was received (candidates are read newest first).</summary>
    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>The SimHash, as stored (two's complement of the unsigned value).</summary>
    public long SimHash { get; set; }

    /// <summary>The MinHash sketch, as stored.</summary>
    public long[] Sketch { get; set; } = [];

    /// <summary>Distinct shingles of the body.</summary>
    public int ShingleCount { get; set; }

#pragma warning disable CS1591 // band columns: named by position, described on the class
    public int S0 { get; set; }
    public int S1 { get; set; }
    public int S2 { get; set; }
    public int S3 { get; set; }
    public long M0 { get; set; }
    public long M1 { get; set; }
    public long M2 { get; set; }
    public long M3 { get; set; }
    public long M4 { get; set; }
    public long M5 { get; set; }
    public long M6 { get; set; }
    public long M7 { get; set; }
    public long M8 { get; set; }
    public long M9 { get; set; }
    public long M10 { get; set; }
    public long M11 { get; set; }
#pragma warning restore CS1591

    /// <summary>The document of an article's fingerprint.</summary>
    public static ArticleFingerprint Of(Guid articleId, Guid root, DateTimeOffset receivedAt, TextFingerprint fingerprint)
    {
        var s = fingerprint.SimHashBands();
        var m = fingerprint.MinHashBands();
        return new ArticleFingerprint
        {
            Id = articleId, Root = root, ReceivedAt = receivedAt, SimHash = unchecked((long)fingerprint.SimHash),
            Sketch = [.. fingerprint.Sketch.Select(value => unchecked((long)value))], ShingleCount = fingerprint.ShingleCount,
            S0 = s[0], S1 = s[1], S2 = s[2], S3 = s[3],
            M0 = m[0], M1 = m[1], M2 = m[2], M3 = m[3], M4 = m[4], M5 = m[5], M6 = m[6], M7 = m[7], M8 = m[8], M9 = m[9], M10 = m[10], M11 = m[11],
        };
    }

    /// <summary>The fingerprint back from the document.</summary>
    public TextFingerprint ToFingerprint() => new(unchecked((ulong)SimHash), [.. Sketch.Select(value => unchecked((ulong)value))], ShingleCount);
}

/// <summary>Near-duplicate settings of the intake.</summary>
/// <param name="Threshold">Least similarity (estimated Jaccard similarity of word 3-shingles) to call an article a near copy
/// (<c>Ingestion:NearDuplicateThreshold</c>).</param>
public sealed record NearDuplicateSettings(double Threshold)
{
    /// <summary>The default threshold, chosen from the benchmark (docs/benchmarks.md, "Near-duplicates (issue 14)").</summary>
    public const double DefaultThreshold = 0.25;

    /// <summary>Most stored candidates read for one submission (newest first).</summary>
    public const int MaxCandidates = 2_000;
}
