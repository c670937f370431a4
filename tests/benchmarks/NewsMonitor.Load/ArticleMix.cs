using System.Text;

namespace NewsMonitor.Load;

/// <summary>An article the harness posts: <c>{title, body, language, source}</c> of the public API.</summary>
public sealed record LoadArticle(string Title, string Body, string Source);

/// <summary>
/// Recombines real Arabic sentences into unique news-like articles of a realistic size: pure (the sentences and the
/// random source are given), so size, uniqueness and shape are tested without the data files.
/// </summary>
public static class ArticleMix
{
    /// <summary>The smallest and largest body, in UTF-8 bytes (the 1–20 KB).</summary>
    public const int MinBytes = 1024, MaxBytes = 20 * 1024;

    /// <summary>Median body size in UTF-8 bytes; with the spread below the mean is about 6 KB, as in the run.</summary>
    public const double MedianBytes = 5000;

    private static readonly string[] Sources = ["الجزيرة", "وكالة الأنباء", "رويترز", "فرانس برس", "الشرق الأوسط", "العربية"];

    /// <summary>
    /// <paramref name="count"/> articles, every body different from every other. Each article opens with one lead
    /// paragraph (a paragraph of a real article when <paramref name="leads"/> has any, at most one per article so no two
    /// articles share more than that) when the lead is at most a third of the size drawn, then paragraphs of two to five sentences drawn from <paramref name="sentences"/>
    /// until the body reaches a size drawn from a log-normal distribution (median <see cref="MedianBytes"/>),
    /// clamped to <see cref="MinBytes"/>–<see cref="MaxBytes"/>. The title is the first sentence, cut at a word
    /// near 110 characters.
    /// </summary>
    public static IReadOnlyList<LoadArticle> Generate(int count, IReadOnlyList<string> sentences, IReadOnlyList<string> leads, Random random)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(leads);
        ArgumentNullException.ThrowIfNull(random);
        if (sentences.Count < 10) throw new ArgumentException("At least ten sentences are needed to recombine.", nameof(sentences));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var articles = new List<LoadArticle>(count);
        var attempts = 0;
        while (articles.Count < count)
        {
            if (++attempts > count * 10 + 100) throw new InvalidOperationException("The sentences are too few to make that many different articles.");
            var article = One(sentences, leads, random);
            if (seen.Add(article.Body)) articles.Add(article);
        }
        return articles;
    }

    /// <summary>A body size in bytes: log-normal around the median (σ = 0.55), clamped to the range.</summary>
    public static int TargetBytes(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        // Box–Muller: one standard normal from two uniforms.
        var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return (int)Math.Clamp(MedianBytes * Math.Exp(0.55 * normal), MinBytes, MaxBytes);
    }

    private static LoadArticle One(IReadOnlyList<string> sentences, IReadOnlyList<string> leads, Random random)
    {
        var target = TargetBytes(random);
        var body = new StringBuilder();
        var bytes = 0;
        void Add(string paragraph)
        {
            var size = Encoding.UTF8.GetByteCount(paragraph) + 2;
            if (bytes > 0 && bytes + size > MaxBytes) return;
            if (bytes > 0) body.Append("\n\n");
            body.Append(paragraph);
            bytes += size;
        }
        // A lead only where it is at most a third of the article: a long shared paragraph in a short article would make
        // two articles near copies of each other (ingestion's 3-shingle Jaccard ≥ 0.25), which the harness does not want.
        if (leads.Count > 0 && FitLead(leads[random.Next(leads.Count)]) is var lead && Encoding.UTF8.GetByteCount(lead) * 3 <= target) Add(lead);
        var guard = 0;
        while (bytes < target && guard++ < 1000)
        {
            var paragraph = string.Join(' ', Enumerable.Range(0, random.Next(2, 6)).Select(_ => sentences[random.Next(sentences.Count)]));
            var before = bytes;
            Add(paragraph);
            if (bytes == before) break; // the next paragraph would pass the maximum
        }
        // A short body is topped up sentence by sentence to the minimum.
        while (bytes < MinBytes) Add(sentences[random.Next(sentences.Count)]);
        var text = body.ToString();
        return new LoadArticle(Title(text), text, Sources[random.Next(Sources.Length)]);
    }

    // A lead longer than the whole maximum (a sample article is one long paragraph) is cut at a sentence end.
    private static string FitLead(string lead)
    {
        if (Encoding.UTF8.GetByteCount(lead) <= MaxBytes / 2) return lead;
        var cut = lead.LastIndexOf('.', Math.Min(lead.Length - 1, MaxBytes / 4));
        return cut > 0 ? lead[..(cut + 1)] : lead[..(MaxBytes / 4)];
    }

    /// <summary>The first sentence of <paramref name="body"/>, cut at a space at most 110 characters in, without its final stop.</summary>
    public static string Title(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var end = body.IndexOfAny(['.', '؟', '!', '\n']);
        var first = (end > 0 ? body[..end] : body).Trim();
        if (first.Length <= 110) return first;
        var space = first.LastIndexOf(' ', 110);
        return space > 20 ? first[..space] : first[..110];
    }
}
