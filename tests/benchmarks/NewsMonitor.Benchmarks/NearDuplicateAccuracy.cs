using System.Globalization;
using System.Text;
using NewsMonitor.Text;
using NewsMonitor.Text.NearDuplicates;

namespace NewsMonitor.Benchmarks;

/// <summary>
/// Precision and recall of near-duplicate detection (issue 14). Positives: edited copies of real texts — a new title, a
/// paragraph added or cut, agency boilerplate, 5-15% of the words replaced, dropped or inserted. Negatives: different texts
/// with the same topic label (the same subject). A pair is called a near copy when the two share a lookup band (the
/// candidate step the service runs) and their similarity reaches the threshold. Texts: the three sample articles and the
/// ASND train and dev posts (never the test split). Deterministic (fixed seed).
/// </summary>
public static class NearDuplicateAccuracy
{
    private static readonly string[] Boilerplate =
    [
        "(رويترز) -", "القاهرة (أ ف ب) -", "جميع الحقوق محفوظة لوكالة الأنباء ولا يجوز إعادة النشر دون إذن", "تابعونا على تويتر وفيسبوك لمزيد من الأخبار العاجلة",
        "اقرأ أيضا: آخر المستجدات على مدار الساعة", "(الأناضول) -", "لندن - رويترز", "هذا الخبر منقول عن وكالة الأنباء الرسمية",
    ];

    private sealed record Text(string Id, string Label, string Body);

    private sealed record Pair(bool Positive, bool SharesMinHashOrSimHashBand, bool SharesSimHashBand, double Jaccard, double SimHashSimilarity, string A = "", string B = "");

    public static void Run()
    {
        var random = new Random(14);
        var posts = Posts().ToList();
        var samples = Corpus.Articles.Select((body, i) => new Text("sample-" + i, "nato", body)).ToList();
        var vocabulary = posts.Concat(samples).SelectMany(text => Shingles.Words(text.Body)).Distinct().ToArray();
        Console.WriteLine($"vocabulary {vocabulary.Length:N0} words; {posts.Count:N0} ASND train+dev posts, {posts.Count(p => TextFingerprint.Of(p.Body).Comparable):N0} long enough to compare (>= {TextFingerprint.MinShingles} shingles)");

        // Sample articles: 40 edited copies each, against the other two articles on the same subject and their copies.
        var samplePairs = new List<Pair>();
        var sampleCopies = samples.Select(sample => Enumerable.Range(0, 40).Select(_ => Edit(sample.Body, samples.Where(other => other != sample).Select(o => o.Body).ToList(), vocabulary, random)).ToList()).ToList();
        for (var i = 0; i < samples.Count; i++)
        {
            foreach (var copy in sampleCopies[i]) samplePairs.Add(Compare(true, samples[i].Body, copy));
            for (var j = 0; j < samples.Count; j++)
            {
                if (j == i) continue;
                samplePairs.Add(Compare(false, samples[i].Body, samples[j].Body));
                foreach (var copy in sampleCopies[j].Take(10)) samplePairs.Add(Compare(false, samples[i].Body, copy));
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sample articles: similarity of different articles (and their copies) at most {samplePairs.Where(p => !p.Positive).Max(p => p.Jaccard):F3}; of copies to their original at least {samplePairs.Where(p => p.Positive).Min(p => p.Jaccard):F3}"));

        // Posts: one edited copy of each comparable post; three same-label partners per post as negatives.
        var comparable = posts.Where(post => TextFingerprint.Of(post.Body).Comparable).ToList();
        var byLabel = comparable.GroupBy(post => post.Label).ToDictionary(group => group.Key, group => group.ToList());
        var postPairs = new List<Pair>();
        var copies = new List<(Text Original, Text Donor, string Copy)>();
        foreach (var post in comparable)
        {
            // The paragraph added comes from a post on another subject.
            var donor = posts[random.Next(posts.Count)];
            while (donor.Label == post.Label) donor = posts[random.Next(posts.Count)];
            var copy = Edit(post.Body, [donor.Body], vocabulary, random);
            copies.Add((post, donor, copy));
            postPairs.Add(Compare(true, post.Body, copy));
            var sameLabel = byLabel[post.Label];
            for (var k = 0; k < 3 && sameLabel.Count > 1; k++)
            {
                var other = sameLabel[random.Next(sameLabel.Count)];
                // Exact repeats in the data set (the same post on two platforms) are duplicates, not different articles.
                if (other == post || Key(other.Body) == Key(post.Body)) continue;
                postPairs.Add(Compare(false, post.Body, other.Body));
            }
        }

        if (Environment.GetEnvironmentVariable("NEARDUP_SHOW") is { } show)
            foreach (var pair in postPairs.Where(p => !p.Positive && p.SharesMinHashOrSimHashBand && p.Jaccard >= double.Parse(show, CultureInfo.InvariantCulture)).Take(8))
                Console.WriteLine($"FP {pair.Jaccard:F2}\n  A: {pair.A}\n  B: {pair.B}");
        Console.WriteLine();
        Console.WriteLine("| texts | positives | negatives | method | threshold | precision | recall | F1 |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (name, pairs) in new[] { ("sample articles", samplePairs), ("ASND posts", postPairs), ("all", samplePairs.Concat(postPairs).ToList()) })
        {
            // What the candidate step costs: the same threshold on every pair, band or not.
            Row(name, pairs, "MinHash Jaccard, every pair (no band lookup)", 0.25, pair => pair.Jaccard >= 0.25);
            foreach (var threshold in new[] { 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6 })
                Row(name, pairs, "MinHash Jaccard, SimHash or MinHash band", threshold, pair => pair.SharesMinHashOrSimHashBand && pair.Jaccard >= threshold);
            foreach (var threshold in new[] { 0.7, 0.8, 0.9 })
                Row(name, pairs, "SimHash 1 - d/64, SimHash band only", threshold, pair => pair.SharesSimHashBand && pair.SimHashSimilarity >= threshold);
        }

        // End to end through the index: every comparable post indexed, each copy looked up as the service does.
        foreach (var threshold in new[] { 0.25, 0.3, 0.35 })
        {
            var index = new NearDuplicateIndex(threshold);
            var ids = comparable.ToDictionary(post => post, _ => Guid.NewGuid());
            foreach (var post in comparable) index.Add(ids[post], ids[post], TextFingerprint.Of(post.Body));
            var byId = ids.ToDictionary(entry => entry.Value, entry => entry.Key);
            int right = 0, twin = 0, donor = 0, wrong = 0, none = 0;
            foreach (var (original, paragraphFrom, copy) in copies)
            {
                var match = index.Find(TextFingerprint.Of(copy));
                if (match is null) none++;
                else if (match.Original == ids[original]) right++;
                // A short post whose added paragraph is most of another post is, in part, a copy of that post.
                else if (ids.TryGetValue(paragraphFrom, out var donorId) && match.Original == donorId) donor++;
                // The data set holds the same post more than once (on two platforms, or a reply sent to several users): a
                // match with a post at least as similar to the original as the threshold found the same text.
                else if (TextFingerprint.Of(byId[match.Original].Body).SimilarityTo(TextFingerprint.Of(original.Body)) >= threshold) twin++;
                else wrong++;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"index of {index.Count:N0} posts, threshold {threshold:F2}: of {copies.Count:N0} copies {right:N0} found their original ({100.0 * right / copies.Count:F1}%), {twin:N0} a repeat of it in the data set, {donor:N0} the post its added paragraph came from, {wrong:N0} another post ({100.0 * wrong / copies.Count:F1}%), {none:N0} nothing"));
        }
    }

    private static void Row(string name, List<Pair> pairs, string method, double threshold, Func<Pair, bool> called)
    {
        var tp = pairs.Count(pair => pair.Positive && called(pair));
        var fp = pairs.Count(pair => !pair.Positive && called(pair));
        var fn = pairs.Count(pair => pair.Positive && !called(pair));
        var precision = tp + fp == 0 ? 1 : (double)tp / (tp + fp);
        var recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {pairs.Count(p => p.Positive):N0} | {pairs.Count(p => !p.Positive):N0} | {method} | {threshold:F2} | {precision:F3} | {recall:F3} | {f1:F3} |"));
    }

    private static Pair Compare(bool positive, string a, string b)
    {
        var x = TextFingerprint.Of(a);
        var y = TextFingerprint.Of(b);
        var simHashBand = x.SimHashBands().Intersect(y.SimHashBands()).Any();
        var band = simHashBand || x.MinHashBands().Intersect(y.MinHashBands()).Any();
        var comparable = x.Comparable && y.Comparable;
        return new Pair(positive, comparable && band, comparable && simHashBand, x.SimilarityTo(y), SimHash.Similarity(x.SimHash, y.SimHash), a, b);
    }

    /// <summary>An edited republication of <paramref name="body"/>.</summary>
    private static string Edit(string body, IReadOnlyList<string> elsewhere, string[] vocabulary, Random random)
    {
        var paragraphs = Paragraphs(body);
        // A paragraph cut (when there are several) or added from another text, or both.
        var cut = paragraphs.Count > 2 && random.NextDouble() < 0.5;
        if (cut) paragraphs.RemoveAt(random.Next(paragraphs.Count));
        if (!cut || random.NextDouble() < 0.3)
        {
            var source = Paragraphs(elsewhere[random.Next(elsewhere.Count)]);
            paragraphs.Insert(random.Next(paragraphs.Count + 1), source[random.Next(source.Count)]);
        }

        // 5-15% of the words replaced, dropped or inserted.
        var rate = 0.05 + 0.10 * random.NextDouble();
        var edited = new List<string>();
        foreach (var paragraph in paragraphs)
        {
            var words = new List<string>();
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (random.NextDouble() >= rate)
                {
                    words.Add(word);
                    continue;
                }
                switch (random.Next(3))
                {
                    case 0: words.Add(vocabulary[random.Next(vocabulary.Length)]); break;
                    case 1: break;
                    default: words.Add(word); words.Add(vocabulary[random.Next(vocabulary.Length)]); break;
                }
            }
            edited.Add(string.Join(' ', words));
        }

        // Agency boilerplate before and after.
        var text = new StringBuilder();
        text.Append(Boilerplate[random.Next(Boilerplate.Length)]).Append(' ');
        text.AppendJoin("\n\n", edited);
        if (random.NextDouble() < 0.5) text.Append("\n\n").Append(Boilerplate[random.Next(Boilerplate.Length)]);
        return text.ToString();
    }

    // Paragraphs of an article; a post of one paragraph is split into its sentences.
    private static List<string> Paragraphs(string body)
    {
        var paragraphs = body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (paragraphs.Count > 1) return paragraphs;
        var sentences = body.Split(['.', '؟', '!', '،'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(s => s.Length > 0).ToList();
        return sentences.Count > 0 ? sentences : [body];
    }

    private static string Key(string text) => string.Join(' ', Shingles.Words(text));

    /// <summary>ASND train and dev posts (their columns differ between the files).</summary>
    private static IEnumerable<Text> Posts()
    {
        foreach (var file in new[] { "topics/asnd/train.csv", "topics/asnd/dev.csv" })
        {
            var rows = Csv(File.ReadAllText(Corpus.SharedData(file), Encoding.UTF8)).ToList();
            var header = rows[0];
            int content = Array.IndexOf(header, "Content"), label = Array.IndexOf(header, "Class"), id = Array.IndexOf(header, "ID");
            foreach (var row in rows.Skip(1))
            {
                if (row.Length <= Math.Max(content, Math.Max(label, id))) continue;
                yield return new Text(row[id], row[label], row[content]);
            }
        }
    }

    // RFC 4180: quoted fields may hold commas, quotes ("") and line breaks.
    private static IEnumerable<string[]> Csv(string text)
    {
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; break;
                case ',': row.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n':
                    row.Add(field.ToString()); field.Clear();
                    yield return [.. row];
                    row.Clear();
                    break;
                default: field.Append(c); break;
            }
        }
        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            yield return [.. row];
        }
    }
}
