using NewsMonitor.Ingestion.Articles;

namespace NewsMonitor.Ingestion.Tests;

/// <summary>The detector wrapper on its own (no service): one instance for the class, as the service keeps one.</summary>
public sealed class LanguageDetectionTests
{
    private static readonly LanguageDetection Detector = new();

    private const string ArabicBody = "اجتمع قادة حلف شمال الأطلسي في لندن يوم الثلاثاء لبحث الإنفاق الدفاعي والعلاقات مع روسيا، وقال الأمين العام إن الحلف يواجه تحديات جديدة.";
    private const string EnglishBody = "NATO leaders met in London on Tuesday to discuss defence spending and relations with Russia; the secretary general said the alliance faces new challenges.";
    private const string FrenchBody = "Les dirigeants de l'OTAN se sont réunis mardi à Londres pour discuter des dépenses de défense et des relations avec la Russie ; le secrétaire général a parlé de nouveaux défis.";

    [Theory]
    [InlineData("قمة الناتو", ArabicBody, "ar")]
    [InlineData("NATO summit", EnglishBody, "en")]
    [InlineData("Sommet de l'OTAN", FrenchBody, "fr")]
    public void A_clear_text_is_detected_with_a_high_confidence(string title, string body, string expected)
    {
        var (language, confidence) = Detector.Detect(title, body);

        Assert.Equal(expected, language);
        Assert.NotNull(confidence);
        Assert.InRange(confidence.Value, 0.8, 1.0);
    }

    [Fact]
    public void Arabic_text_quoting_english_names_is_arabic()
    {
        var (language, confidence) = Detector.Detect("قمة NATO في London", ArabicBody + " وشارك ممثلون عن European Union و United Nations في الجلسة الأولى.");

        Assert.Equal("ar", language);
        Assert.NotNull(confidence);
    }

    [Theory]
    [InlineData("2026", "12345 678 90 – 11.5%")]
    [InlineData("...", "!!! ??? ---")]
    public void Text_without_letters_is_undetermined_without_a_confidence(string title, string body) =>
        Assert.Equal(new ArticleLanguage("und", null), Detector.Detect(title, body));

    [Fact]
    public void Very_short_text_keeps_the_script_guess()
    {
        Assert.Equal(new ArticleLanguage("ar", null), Detector.Detect("عاجل", "قمة"));
        Assert.Equal(new ArticleLanguage("und", null), Detector.Detect("Live", "now"));
    }

    [Fact]
    public void A_short_ambiguous_sentence_keeps_the_script_guess_rather_than_a_weak_answer()
    {
        // Lingua's low-accuracy mode calls this Spanish at 0.57: short samples need a higher confidence.
        var (language, confidence) = Detector.Detect("Cúpula", "Os líderes da OTAN reuniram-se em Londres para discutir os gastos com a defesa");

        Assert.True(language == "pt" || (language == "und" && confidence is null), $"{language} {confidence}");
    }

    [Fact]
    public void A_declared_language_wins_without_a_confidence() =>
        Assert.Equal(new ArticleLanguage("fr", null), Detector.Detect("NATO summit", EnglishBody, declared: "fr"));

    [Fact]
    public void Persian_and_urdu_are_not_taken_for_arabic()
    {
        Assert.Equal("fa", Detector.Detect("نشست ناتو", "رهبران ناتو روز سه‌شنبه در لندن برای گفتگو درباره هزینه‌های دفاعی و روابط با روسیه دیدار کردند و دبیرکل گفت که ائتلاف با چالش‌های تازه‌ای روبه‌رو است.").Language);
        Assert.Equal("ur", Detector.Detect("نیٹو اجلاس", "نیٹو کے رہنماؤں نے منگل کو لندن میں دفاعی اخراجات اور روس کے ساتھ تعلقات پر بات چیت کے لیے ملاقات کی اور سیکرٹری جنرل نے کہا کہ اتحاد کو نئے چیلنجز کا سامنا ہے۔").Language);
    }
}
