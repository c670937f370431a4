using Lingua;

namespace NewsMonitor.Ingestion.Articles;

/// <summary>The language of an article and how sure we are of it.</summary>
/// <param name="Language">A lower-case ISO 639-1 code, or <c>und</c> (undetermined).</param>
/// <param name="Confidence">The detector's probability in [0, 1] when the language was detected; null when it was declared
/// by the submitter or comes from the script guess (<see cref="LanguageGuess"/>).</param>
public sealed record ArticleLanguage(string Language, double? Confidence);

/// <summary>
/// Language detection for articles submitted without a language, with Lingua (SearchPioneer.Lingua) restricted to the
/// languages a news monitor in the region meets (<see cref="Languages"/>): fewer candidates mean less memory, less time and
/// fewer confusions with languages we never see. Build it once (a singleton): Lingua keeps its n-gram models in memory for
/// the process. Thread-safe; no I/O beyond that one-time model load.
/// </summary>
/// <remarks>
/// Lingua's high-accuracy mode loads up to 5-gram models: with these 15 languages preloaded the process's working set is
/// 760-860 MB (420-440 MB managed) and building takes 10-18 s on the project machine; its low-accuracy mode (trigrams only)
/// takes 90-105 MB (20 MB managed) and about 1 s (<c>NewsMonitor.Benchmarks -- language [--high]</c>, docs/benchmarks.md),
/// and Lingua documents it as as accurate above 120 characters, which news articles are.
/// So low accuracy is the default (<c>Ingestion:LanguageDetection:HighAccuracy</c> opts in), and a sample shorter than
/// <see cref="ShortSampleLength"/> must then reach <see cref="ShortSampleThreshold"/> (a short Portuguese sentence came out
/// Spanish at 0.57).
/// </remarks>
public sealed class LanguageDetection
{
    /// <summary>
    /// The candidates: Arabic first, the languages of its region and neighbours (Persian, Urdu, Turkish, Hebrew), and the
    /// languages the world's news agencies publish in (English, French, Spanish, German, Russian, Chinese, Hindi,
    /// Indonesian, Italian, Portuguese).
    /// </summary>
    public static readonly IReadOnlyList<Language> Languages =
    [
        Language.Arabic, Language.English, Language.French, Language.Persian, Language.Urdu, Language.Turkish, Language.Spanish,
        Language.German, Language.Hebrew, Language.Russian, Language.Chinese, Language.Hindi, Language.Indonesian,
        Language.Italian, Language.Portuguese,
    ];

    /// <summary>Below this probability the detector's answer is not used.</summary>
    public const double DefaultThreshold = 0.5;

    /// <summary>Texts with fewer letters than this are too short to detect: the script guess is kept.</summary>
    public const int MinLetters = 12;

    /// <summary>Below this many characters a low-accuracy answer needs <see cref="ShortSampleThreshold"/>.</summary>
    public const int ShortSampleLength = 120;

    /// <summary>The probability a low-accuracy answer on a short sample must reach.</summary>
    public const double ShortSampleThreshold = 0.9;

    /// <summary>How much of the text is looked at: the title and the start of the body say the language as well as the
    /// whole article, and detection time grows with the text (measured: 4.7 ms per article at 500 characters, 14 ms at
    /// 1,000, 33 ms at 3,000 in low-accuracy mode), which a batch of 1,000 articles pays 1,000 times.</summary>
    public const int MaxSampleLength = 500;

    private readonly LanguageDetector _detector;
    private readonly double _threshold;
    private readonly bool _highAccuracy;

    /// <summary>Builds the detector over <see cref="Languages"/>.</summary>
    /// <param name="threshold">Minimum probability to accept a detected language.</param>
    /// <param name="highAccuracy">Lingua's high-accuracy mode (about 8 times the memory; see remarks).</param>
    /// <param name="preload">Load every model now (a service: no slow first request) rather than on first use.</param>
    public LanguageDetection(double threshold = DefaultThreshold, bool highAccuracy = false, bool preload = false)
    {
        var builder = LanguageDetectorBuilder.FromLanguages([.. Languages]);
        if (!highAccuracy) builder = builder.WithLowAccuracyMode();
        if (preload) builder = builder.WithPreloadedLanguageModels();
        _detector = builder.Build();
        _threshold = threshold;
        _highAccuracy = highAccuracy;
    }

    /// <summary>
    /// The language of an article: <paramref name="declared"/> when given (confidence null); else the detected language with
    /// its probability when it reaches the threshold; else the script guess (<c>ar</c> or <c>und</c>, confidence null).
    /// </summary>
    public ArticleLanguage Detect(string title, string body, string? declared = null)
    {
        if (!string.IsNullOrEmpty(declared)) return new ArticleLanguage(declared, null);
        var sample = Sample(title, body);
        var guess = LanguageGuess.Of(sample);
        if (CountLetters(sample) < MinLetters) return new ArticleLanguage(guess, null);

        Language best = Language.Unknown;
        var probability = 0.0;
        foreach (var (language, value) in _detector.ComputeLanguageConfidenceValues(sample))
        {
            if (value <= probability) continue;
            best = language;
            probability = value;
        }
        var threshold = !_highAccuracy && sample.Length < ShortSampleLength ? Math.Max(_threshold, ShortSampleThreshold) : _threshold;
        if (best == Language.Unknown || probability < threshold) return new ArticleLanguage(guess, null);
        return new ArticleLanguage(LanguageInfo.IsoCode6391(best).ToString().ToLowerInvariant(), Math.Round(probability, 4));
    }

    private static string Sample(string title, string body)
    {
        var text = title + "\n" + body;
        return text.Length <= MaxSampleLength ? text : text[..MaxSampleLength];
    }

    private static int CountLetters(string text)
    {
        var letters = 0;
        foreach (var c in text) if (char.IsLetter(c)) letters++;
        return letters;
    }
}
