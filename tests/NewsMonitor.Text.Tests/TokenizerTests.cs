namespace NewsMonitor.Text.Tests;

public class TokenizerTests
{
    [Fact]
    public void Offsets_index_the_original_text()
    {
        const string text = "قال الأمين العام لحلف الناتو، ينس ستولتنبرغ، إن 2% من الناتج (NATO) تكفي.";
        var tokens = Tokenizer.Tokenize(text);
        Assert.All(tokens, token => Assert.Equal(token.Key, ArabicNormalizer.Normalize(text.Substring(token.Start, token.Length))));
        Assert.Equal(["قال", "الامين", "العام", "لحلف", "الناتو", "ينس", "ستولتنبرغ", "ان", "2", "من", "الناتج", "nato", "تكفي"], tokens.Where(t => t.IsContent).Select(t => t.Key));
        Assert.Equal([",", ",", "%", "(", ")", "."], tokens.Where(t => !t.IsContent).Select(t => t.Key));
    }

    [Fact]
    public void Keeps_decimals_and_thousands_in_one_number()
    {
        var tokens = Tokenizer.Tokenize("بلغ 2.5 مليار و1,000 دولار و٣٫٥");
        Assert.Contains(tokens, t => t.Key == "2.5" && t.Kind == TokenKind.Number);
        Assert.Contains(tokens, t => t.Key == "1,000" && t.Kind == TokenKind.Number);
        Assert.Contains(tokens, t => t.Key == "3.5" && t.Kind == TokenKind.Number);
    }

    [Fact]
    public void Diacritics_and_tatweel_stay_inside_the_word()
    {
        var tokens = Tokenizer.Tokenize("مُحَمَّد الـــناتو");
        Assert.Equal(["محمد", "الناتو"], tokens.Select(t => t.Key));
        Assert.Equal(8, tokens[0].Length); // four letters, three harakat and a shadda
    }

    [Fact]
    public void Never_throws_and_offsets_stay_in_range_on_random_text()
    {
        var random = new Random(7);
        for (var i = 0; i < 2_000; i++)
        {
            var chars = new char[random.Next(0, 80)];
            for (var j = 0; j < chars.Length; j++) chars[j] = random.Next(3) == 0 ? (char)random.Next(0x0600, 0x0700) : (char)random.Next(0, 0x10000);
            var text = new string(chars);
            foreach (var token in Tokenizer.Tokenize(text))
            {
                Assert.InRange(token.Start, 0, text.Length - 1);
                Assert.InRange(token.Start + token.Length, 1, text.Length);
            }
        }
    }

    [Fact]
    public void Handles_a_megabyte_of_text()
    {
        var text = string.Concat(Enumerable.Repeat("حلف شمال الأطلسي يعقد قمته في واشنطن عام 2024. ", 22_000));
        Assert.True(text.Length > 1_000_000);
        Assert.Equal(22_000 * 9, Tokenizer.Tokenize(text).Count(token => token.IsContent));
    }
}
