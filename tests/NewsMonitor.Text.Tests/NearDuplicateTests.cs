using NewsMonitor.Text.NearDuplicates;

namespace NewsMonitor.Text.Tests;

/// <summary>SimHash, MinHash and the band index on generated texts (the benchmarks measure them on real articles).</summary>
public sealed class NearDuplicateTests
{
    private static readonly string[] Vocabulary =
    [
        "الحلف", "قادة", "اجتمع", "لندن", "الدفاع", "الإنفاق", "روسيا", "الأمين", "العام", "قال", "إن", "التحديات", "الجديدة", "الأعضاء",
        "الدول", "القمة", "واشنطن", "أوكرانيا", "الرئيس", "الوزير", "الخارجية", "بروكسل", "المحادثات", "الأمن", "الأوروبي", "الشرق",
        "الأوسط", "الاتفاق", "الحرب", "السلام", "الجيش", "القوات", "الحدود", "الشمال", "الجنوب", "الاقتصاد", "الطاقة", "الغاز", "النفط",
        "المساعدات", "العقوبات", "المفاوضات", "البرلمان", "الحكومة", "الانتخابات", "المعارضة", "الشعب", "المدينة", "العاصمة", "المنطقة",
        "الأسبوع", "الماضي", "المقبل", "اليوم", "أمس", "غدا", "في", "من", "على", "إلى", "مع", "عن", "بعد", "قبل", "خلال", "حول",
    ];

    private static List<string> Words(Random random, int count) => Enumerable.Range(0, count).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]).ToList();

    private static string Text(IEnumerable<string> words) => string.Join(' ', words);

    /// <summary>A copy with <paramref name="share"/> of its words replaced and a sentence of boilerplate added.</summary>
    private static string Edited(Random random, List<string> words, double share)
    {
        var copy = words.ToList();
        foreach (var i in Enumerable.Range(0, copy.Count).OrderBy(_ => random.Next()).Take((int)(copy.Count * share))) copy[i] = "كلمة" + random.Next(1_000);
        return Text(copy) + " (رويترز) جميع الحقوق محفوظة لوكالة الأنباء";
    }

    [Fact]
    public void Spelling_variants_diacritics_and_spacing_give_the_same_fingerprint()
    {
        var plain = "اجتمع قادة حلف شمال الاطلسي في لندن لبحث الانفاق الدفاعي والعلاقات مع روسيا";
        var variant = "  اجتمعَ قادةُ حلفِ شمالِ الأطلسي في لندن،\n\nلبحث الإنفاق الدفاعي والعلاقات مع روسيا.";

        var a = TextFingerprint.Of(plain);
        var b = TextFingerprint.Of(variant);

        Assert.Equal(a.SimHash, b.SimHash);
        Assert.Equal(a.Sketch, b.Sketch);
        Assert.Equal(1.0, a.SimilarityTo(b));
    }

    [Fact]
    public void An_edited_copy_is_similar_and_another_text_from_the_same_words_is_not()
    {
        var random = new Random(14);
        var original = Words(random, 300);
        var a = TextFingerprint.Of(Text(original));
        var copy = TextFingerprint.Of(Edited(random, original, 0.10));
        var other = TextFingerprint.Of(Text(Words(random, 300)));

        // About 0.9^3 of the shingles survive 10% word changes: a Jaccard similarity near 0.6.
        Assert.InRange(a.SimilarityTo(copy), 0.4, 0.85);
        Assert.InRange(a.SimilarityTo(other), 0.0, 0.1);
        Assert.True(SimHash.Distance(a.SimHash, copy.SimHash) < SimHash.Distance(a.SimHash, other.SimHash));
    }

    [Fact]
    public void MinHash_estimates_the_jaccard_similarity_of_the_shingle_sets()
    {
        var random = new Random(7);
        for (var round = 0; round < 20; round++)
        {
            var common = Enumerable.Range(0, 400).Select(_ => (ulong)random.NextInt64()).ToList();
            var onlyA = Enumerable.Range(0, random.Next(0, 400)).Select(_ => (ulong)random.NextInt64());
            var onlyB = Enumerable.Range(0, random.Next(0, 400)).Select(_ => (ulong)random.NextInt64());
            var a = common.Concat(onlyA).ToHashSet();
            var b = common.Concat(onlyB).ToHashSet();
            var jaccard = (double)a.Intersect(b).Count() / a.Union(b).Count();

            // 64 positions: the estimate's standard deviation is at most 0.0625.
            Assert.InRange(MinHash.Similarity(MinHash.Of(a), MinHash.Of(b)), jaccard - 0.25, jaccard + 0.25);
        }
    }

    [Fact]
    public void Fingerprints_at_most_three_bits_apart_always_share_a_simhash_band()
    {
        var random = new Random(3);
        for (var round = 0; round < 2_000; round++)
        {
            var a = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40);
            var b = a;
            foreach (var bit in Enumerable.Range(0, 64).OrderBy(_ => random.Next()).Take(random.Next(0, 4))) b ^= 1UL << bit;

            Assert.True(SimHash.Distance(a, b) <= 3);
            Assert.NotEmpty(SimHash.Bands(a).Intersect(SimHash.Bands(b)));
        }
        // Bands keep their position: equal 16-bit pieces at different positions are different keys.
        Assert.DoesNotContain(SimHash.Bands(0x0000_0000_0000_ABCDUL)[0], SimHash.Bands(0xABCD_0000_0000_0000UL));
    }

    [Fact]
    public void The_index_finds_a_near_copy_by_band_and_points_copies_of_copies_at_the_first_article()
    {
        var random = new Random(21);
        var words = Words(random, 250);
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        var index = new NearDuplicateIndex(0.3);
        index.Add(first, first, TextFingerprint.Of(Text(words)));
        index.Add(Guid.NewGuid(), Guid.NewGuid(), TextFingerprint.Of(Text(Words(random, 250))));

        var copy = TextFingerprint.Of(Edited(random, words, 0.05));
        var match = index.Find(copy);
        Assert.NotNull(match);
        Assert.Equal(first, match.Original);
        Assert.InRange(match.Similarity, 0.3, 1.0);

        index.Add(second, match.Original, copy);
        var copyOfCopy = index.Find(TextFingerprint.Of(Edited(random, words, 0.05)));
        Assert.Equal(first, copyOfCopy?.Original);

        Assert.Null(index.Find(TextFingerprint.Of(Text(Words(random, 250)))));
    }

    [Fact]
    public void Short_texts_are_not_compared()
    {
        var flash = TextFingerprint.Of("عاجل: انفجار في العاصمة");
        var index = new NearDuplicateIndex(0.1);
        index.Add(Guid.NewGuid(), Guid.NewGuid(), flash);

        Assert.False(flash.Comparable);
        Assert.Equal(0, index.Count);
        Assert.Null(index.Find(flash));
    }

    [Fact]
    public void A_threshold_above_the_similarity_finds_nothing()
    {
        var random = new Random(5);
        var words = Words(random, 200);
        var index = new NearDuplicateIndex(0.99);
        index.Add(Guid.NewGuid(), Guid.NewGuid(), TextFingerprint.Of(Text(words)));

        Assert.Null(index.Find(TextFingerprint.Of(Edited(random, words, 0.15))));
    }
}
