namespace NewsMonitor.Text.Tests;

/// <summary>The table-driven cases of tests/data/text-cases.tsv (at least 150 rows from real sentences).</summary>
public class TextCaseTableTests
{
    private static readonly TextAnalyzer Analyzer = TextAnalyzer.BuiltIn;

    public static TheoryData<TextCase> Normalize => TextCases.OfKind("normalize");
    public static TheoryData<TextCase> Tokens => TextCases.OfKind("tokens");
    public static TheoryData<TextCase> Numeric => TextCases.OfKind("numeric");

    [Fact]
    public void The_table_has_at_least_150_cases_of_every_kind() {
        Assert.True(TextCases.All.Count >= 150, $"only {TextCases.All.Count} cases");
        Assert.Equal(["normalize", "numeric", "segment", "tokens"], TextCases.All.Select(row => row.Kind).Distinct().Order());
    }

    [Theory]
    [MemberData(nameof(Normalize))]
    public void Normalisation(TextCase row) => Assert.Equal(row.Expected, ArabicNormalizer.Normalize(row.Input));

    [Theory]
    [MemberData(nameof(Tokens))]
    public void Tokenisation(TextCase row)
    {
        var tokens = Tokenizer.Tokenize(row.Input);
        Assert.Equal(row.Expected.Split(" | "), tokens.Select(token => row.Input.Substring(token.Start, token.Length)));
    }

    [Theory]
    [MemberData(nameof(Numeric))]
    public void Numeric_expressions(TextCase row)
    {
        var found = Analyzer.Analyze(row.Input).Numbers.Select(n => $"{n.Kind}|{n.Text}|{n.Value}");
        Assert.Equal(row.Expected.Split(" ; "), found);
    }

    [Theory]
    [InlineData("للناتو", "ل+ال+ناتو")]
    [InlineData("لحلف", "ل+حلف")]
    [InlineData("وروسيا", "و+روسيا")]
    [InlineData("لبولندا", "ل+بولندا")]
    [InlineData("بولندا", "بولندا")]
    [InlineData("لاهاي", "لاهاي")]
    [InlineData("ليتوانيا", "ليتوانيا")]
    [InlineData("الأمين", "ال+أمين")]
    [InlineData("روته", "روته")]
    [InlineData("بالإنفاق", "ب+ال+إنفاق")]
    public void Required_segmentations(string word, string expected) => Assert.Equal(expected, CliticSegmenter.BuiltIn.Segment(word).ToString());

    [Fact]
    public void Segmentation_accuracy_on_the_table_is_at_least_95_percent()
    {
        var rows = TextCases.All.Where(row => row.Kind == "segment").ToList();
        var misses = rows.Where(row => CliticSegmenter.BuiltIn.Segment(row.Input).ToString() != row.Expected)
            .Select(row => $"{row.Input}: expected {row.Expected}, got {CliticSegmenter.BuiltIn.Segment(row.Input)}").ToList();
        var accuracy = 1.0 - (double)misses.Count / rows.Count;
        Assert.True(accuracy >= 0.95, $"accuracy {accuracy:P1}; misses:\n{string.Join('\n', misses)}");
    }

    [Theory]
    [InlineData("بالإنفاق", "الانفاق")]
    [InlineData("للناتو", "الناتو")]
    [InlineData("حكومته", "حكومه")]
    [InlineData("وروسيا", "روسيا")]
    public void The_lexical_key_keeps_the_article_and_restores_ta_marbuta(string word, string lexicalKey) =>
        Assert.Equal(lexicalKey, CliticSegmenter.BuiltIn.Segment(word).LexicalKey);

    [Fact]
    public void Segments_point_into_the_original_word()
    {
        const string text = "قال إنّ وبالإنفاقِ الدفاعي للناتو";
        foreach (var token in Analyzer.Analyze(text).Tokens.Where(token => token.Kind == TokenKind.Word))
        {
            var segmentation = Analyzer.Segment(text, token);
            Assert.Equal(token.Start, segmentation.Segments[0].Start);
            Assert.Equal(token.End, segmentation.Segments[^1].Start + segmentation.Segments[^1].Length);
            for (var i = 1; i < segmentation.Segments.Count; i++)
                Assert.Equal(segmentation.Segments[i - 1].Start + segmentation.Segments[i - 1].Length, segmentation.Segments[i].Start);
        }
    }
}
