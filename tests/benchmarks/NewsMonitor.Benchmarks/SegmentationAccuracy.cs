using Lucene.Net.Analysis.Ar;
using NewsMonitor.Text;

namespace NewsMonitor.Benchmarks;

/// <summary>
/// Stem accuracy on the segmentation cases of tests/data/text-cases.tsv: our segmenter's stem against
/// Lucene.Net's light10 stemmer (ArabicNormalizer + ArabicStemmer), both compared under our normalisation.
/// </summary>
public static class SegmentationAccuracy
{
    public static (int Cases, int Ours, int Lucene, List<string> Rows) Run()
    {
        var normalizer = new Lucene.Net.Analysis.Ar.ArabicNormalizer();
        var stemmer = new ArabicStemmer();
        var rows = new List<string>();
        int ours = 0, lucene = 0;
        var cases = Corpus.Cases("segment");
        foreach (var (word, expected) in cases)
        {
            var expectedStem = Key(ExpectedStem(expected));
            var ourStem = Key(CliticSegmenter.BuiltIn.Segment(word).Stem.Text);
            var buffer = word.ToCharArray();
            var length = normalizer.Normalize(buffer, buffer.Length);
            length = stemmer.Stem(buffer, length);
            var luceneStem = Key(new string(buffer, 0, length));
            ours += ourStem == expectedStem ? 1 : 0;
            lucene += luceneStem == expectedStem ? 1 : 0;
            rows.Add($"| {word} | {expected} | {expectedStem} | {ourStem}{(ourStem == expectedStem ? "" : " ✗")} | {luceneStem}{(luceneStem == expectedStem ? "" : " ✗")} |");
        }
        return (cases.Count, ours, lucene, rows);
    }

    // The expected stem: what remains once leading proclitics/article and a trailing pronoun are set aside.
    private static string ExpectedStem(string segmentation)
    {
        var parts = segmentation.Split('+').ToList();
        while (parts.Count > 1 && (parts[0] == "ال" || parts[0].Length == 1)) parts.RemoveAt(0);
        if (parts.Count > 1 && CliticSegmenter.Enclitics.Contains(Key(parts[^1]))) parts.RemoveAt(parts.Count - 1);
        return parts[0];
    }

    private static string Key(string text) => NewsMonitor.Text.ArabicNormalizer.Normalize(text);
}
