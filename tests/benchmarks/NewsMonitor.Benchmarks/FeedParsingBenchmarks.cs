using System.Xml;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using NewsMonitor.Feeds;

namespace NewsMonitor.Benchmarks;

/// <summary>
/// The Feeds library against a raw read of the same bytes in the same run (issue 14). Feeds: every feed and sitemap
/// fixture of tests/NewsMonitor.Feeds.Tests, parsed to records, versus decoding the charset and reading the XML through
/// without building anything. Pages: the two article pages, decoded and extracted (AngleSharp + SmartReader), versus the
/// charset decode alone. One operation = all feeds (or all pages) once.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcess))]
public class FeedParsingBenchmarks
{
    /// <summary>
    /// A short job run in this process: on the shared 2-core machine BenchmarkDotNet's generated project did not build
    /// within its 2-minute timeout, and both sides of the comparison run under the same conditions anyway.
    /// </summary>
    private sealed class ShortInProcess : ManualConfig
    {
        public ShortInProcess() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
    }

    /// <summary>The feed fixtures with the Content-Type a server would send (the ISO-8859-6 one declares only there).</summary>
    public static IReadOnlyList<(byte[] Bytes, string? ContentType)> Feeds { get; } =
    [
        .. new[] { "rss.xml", "atom.xml", "sitemap.xml", "sitemap-index.xml", "news-sitemap.xml", "rss-windows-1256.xml" }.Select(name => (Fixture(name), (string?)"application/xml")),
        (Fixture("rss-iso-8859-6.xml"), "text/xml; charset=ISO-8859-6"),
    ];

    /// <summary>The article page fixtures (UTF-8 with chrome around the text; windows-1256 declared in a meta element).</summary>
    public static IReadOnlyList<byte[]> Pages { get; } = [Fixture("article.html"), Fixture("article-og-url-1256.html")];

    public static long FeedBytes => Feeds.Sum(feed => (long)feed.Bytes.Length);
    public static long PageBytes => Pages.Sum(page => (long)page.Length);

    private static readonly Uri Location = new("https://news.example.com/feed");

    private static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(Corpus.RepoRoot, "tests", "NewsMonitor.Feeds.Tests", "Fixtures", name));

    [Benchmark(Baseline = true, Description = "feeds: raw read (charset decode + XmlReader read-through)")]
    public int RawFeeds()
    {
        var nodes = 0;
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = true };
        foreach (var (bytes, contentType) in Feeds)
        {
            using var reader = XmlReader.Create(new StringReader(TextDecoder.Decode(bytes, contentType, html: false)), settings);
            while (reader.Read()) nodes++;
        }
        return nodes;
    }

    [Benchmark(Description = "feeds: FeedParser.Parse (records, dates, keys)")]
    public int ParseFeeds()
    {
        var items = 0;
        foreach (var (bytes, contentType) in Feeds)
        {
            var feed = FeedParser.Parse(bytes, contentType, Location);
            items += feed.Items.Count + feed.Sitemaps.Count;
        }
        return items;
    }

    [Benchmark(Description = "pages: raw read (charset decode)")]
    public int RawPages()
    {
        var chars = 0;
        foreach (var page in Pages) chars += TextDecoder.Decode(page, "text/html", html: true).Length;
        return chars;
    }

    [Benchmark(Description = "pages: decode + PageExtractor.Extract")]
    public int ExtractPages()
    {
        var chars = 0;
        foreach (var page in Pages) chars += PageExtractor.Extract(TextDecoder.Decode(page, "text/html", html: true), Location)?.Text.Length ?? 0;
        return chars;
    }
}
