namespace NewsMonitor.Text.Tests;

/// <summary>Properties that hold for any input: no exception, offsets inside the original, idempotent keys.</summary>
public class AnalyzerPropertyTests
{
    private static string RandomText(Random random, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = random.Next(6) switch
            {
                0 => (char)random.Next(0x0600, 0x0700),
                1 => (char)random.Next(0xFB50, 0xFEFF),
                2 => " .,،؛%$/-0123456789٠١٢"[random.Next(22)],
                3 => (char)random.Next(0xD800, 0xE000), // lone surrogates
                4 => (char)random.Next(0x2000, 0x2070),
                _ => (char)random.Next(0, 0x10000),
            };
        }
        return new string(chars);
    }

    [Fact]
    public void Analysis_never_throws_and_every_offset_indexes_the_original()
    {
        var random = new Random(11);
        for (var run = 0; run < 3_000; run++)
        {
            var text = RandomText(random, random.Next(0, 120));
            var analyzed = TextAnalyzer.BuiltIn.Analyze(text);
            foreach (var token in analyzed.Tokens)
            {
                Assert.InRange(token.Start, 0, text.Length - 1);
                Assert.InRange(token.End, token.Start + 1, text.Length);
                Assert.InRange(token.ContentStart, token.Start, token.End - 1);
                if (token.Kind == TokenKind.Word)
                {
                    foreach (var segment in TextAnalyzer.BuiltIn.Segment(text, token).Segments)
                    {
                        Assert.InRange(segment.Start, token.Start, token.End - 1);
                        Assert.InRange(segment.Start + segment.Length, segment.Start + 1, token.End);
                    }
                }
            }
            foreach (var number in analyzed.Numbers) Assert.Equal(number.Text, text.Substring(number.Start, number.Length));
            var key = ArabicNormalizer.Normalize(text);
            Assert.Equal(key, ArabicNormalizer.Normalize(key));
        }
    }

    [Fact]
    public void A_megabyte_of_news_text_is_analysed()
    {
        var sentence = "قال الأمين العام للناتو إن الحلفاء أنفقوا 130 مليار دولار، أي 2% من الناتج، يوم الأربعاء 9 تموز/يوليو 2024. ";
        var text = string.Concat(Enumerable.Repeat(sentence, 1_000_000 / sentence.Length + 1));
        var analyzed = TextAnalyzer.BuiltIn.Analyze(text);
        var copies = text.Length / sentence.Length;
        Assert.Equal(copies * 4, analyzed.Numbers.Count);
        Assert.Equal(copies, analyzed.Numbers.Count(n => n.Value == "130000000000 USD"));
    }

    [Fact]
    public void Phrase_matches_always_index_the_original()
    {
        var matcher = new PhraseMatcher<int>();
        matcher.Add("الناتو", 1);
        matcher.Add("حلف شمال الأطلسي", 2);
        var random = new Random(5);
        for (var run = 0; run < 1_000; run++)
        {
            var text = RandomText(random, 40) + " للناتو وحلف شمال الأطلسى " + RandomText(random, 40);
            foreach (var match in matcher.FindAll(text))
            {
                Assert.InRange(match.Start, 0, text.Length - 1);
                Assert.InRange(match.Start + match.Length, match.Start + 1, text.Length);
            }
        }
    }
}
