namespace NewsMonitor.Text.Tests;

public class ArabicNormalizerTests
{
    [Theory]
    [InlineData("الأمين", "الامين")]
    [InlineData("إسرائيل", "اسراييل")]
    [InlineData("آسيا", "اسيا")]
    [InlineData("ٱلله", "الله")]
    [InlineData("الأطلسى", "الاطلسي")]
    [InlineData("مدرسة", "مدرسه")]
    [InlineData("مؤتمر", "موتمر")]
    [InlineData("رئيس", "رييس")]
    [InlineData("مُحَمَّدٌ", "محمد")]
    [InlineData("الـــناتو", "الناتو")]
    [InlineData("٢٠٢٤", "2024")]
    [InlineData("۱۹۴۹", "1949")]
    [InlineData("٥٪", "5%")]
    [InlineData("قال، ثم؛ لماذا؟", "قال, ثم; لماذا?")]
    [InlineData("«الأعمال العدوانية»", "\"الاعمال العدوانيه\"")]
    [InlineData("النا\u200Bتو", "الناتو")]
    [InlineData("\u202Bالناتو\u202C", "الناتو")]
    [InlineData("\uFEFBعب", "لاعب")]
    [InlineData("NATO Summit", "nato summit")]
    public void Folds_variants_to_one_key(string input, string expected) =>
        Assert.Equal(expected, ArabicNormalizer.Normalize(input));

    [Theory]
    [InlineData("أنتونى بلينكين ومارك روته.. سنوات نحو تعزيز حلف شمال الأطلسى")]
    [InlineData("\uD800 lone surrogate \uDC00")]
    [InlineData("")]
    public void Is_idempotent(string input)
    {
        var once = ArabicNormalizer.Normalize(input);
        Assert.Equal(once, ArabicNormalizer.Normalize(once));
    }

    [Fact]
    public void Never_throws_on_random_unicode()
    {
        var random = new Random(42);
        for (var i = 0; i < 2_000; i++)
        {
            var chars = new char[random.Next(0, 64)];
            for (var j = 0; j < chars.Length; j++) chars[j] = (char)random.Next(0, 0x10000);
            var text = new string(chars);
            var key = ArabicNormalizer.Normalize(text);
            Assert.Equal(key, ArabicNormalizer.Normalize(key));
        }
    }
}
