namespace NewsMonitor.Text;

/// <summary>The part a segment plays in its word.</summary>
public enum SegmentKind
{
    /// <summary>A conjunction, preposition or future particle: و ف ب ك ل س.</summary>
    Proclitic,
    /// <summary>The definite article ال (also when its alef is elided after ل: للناتو).</summary>
    Article,
    /// <summary>What is left: the word proper.</summary>
    Stem,
    /// <summary>An attached pronoun: ه ها هم هما هن كم كن ك نا ي.</summary>
    Enclitic,
}

/// <summary>One segment of a word, with where it stands in the original text.</summary>
/// <param name="Kind">What the segment is.</param>
/// <param name="Start">Offset in the original text (UTF-16 code units).</param>
/// <param name="Length">Length in the original text (0 for an elided article's alef is never used: it spans its ل).</param>
/// <param name="Text">The segment as written; the article is always shown as ال.</param>
public readonly record struct Segment(SegmentKind Kind, int Start, int Length, string Text);

/// <summary>A word's segments and the key it is looked up and matched by.</summary>
/// <param name="Segments">Proclitics, article, stem and enclitic in order.</param>
/// <param name="LexicalKey">Normalised article + stem (ta marbuta restored before an enclitic): الناتو for للناتو, حكومه for حكومته.</param>
public sealed record WordSegmentation(IReadOnlyList<Segment> Segments, string LexicalKey)
{
    /// <summary>The stem segment.</summary>
    public Segment Stem => Segments.First(segment => segment.Kind == SegmentKind.Stem);

    /// <summary>Segments joined with '+', e.g. ل+ال+ناتو.</summary>
    public override string ToString() => string.Join('+', Segments.Select(segment => segment.Text));
}

/// <summary>How a word key divides, in key characters front to back: proclitics, article, stem, enclitic.</summary>
public readonly record struct WordAnalysis(int ProcliticLength, int ArticleLength, int StemLength, int EncliticLength, bool RestoreTaMarbuta)
{
    /// <summary>Whether the word carries the article.</summary>
    public bool HasArticle => ArticleLength > 0;

    /// <summary>Where the stem starts in the key.</summary>
    public int StemStart => ProcliticLength + ArticleLength;

    /// <summary>Whether nothing was split off.</summary>
    public bool IsWhole => ProcliticLength == 0 && ArticleLength == 0 && EncliticLength == 0;

    /// <summary>The analysis of a word that is not split.</summary>
    public static WordAnalysis Whole(int length) => new(0, 0, length, 0, false);
}

/// <summary>
/// Splits Arabic words into proclitics (و ف, then ب ك ل or the future س, then the article ال, with لل = ل + ال),
/// stem and enclitic pronoun. Every possible split is scored against the lexicon: the split whose lexical form
/// (article + stem) is best attested wins, each clitic costing a little, names and function words staying whole.
/// So للناتو → ل+ال+ناتو and لبولندا → ل+بولندا, while بولندا, لاهاي, ليتوانيا and روته stay whole. Pure.
/// </summary>
public sealed class CliticSegmenter(ArabicLexicon lexicon)
{
    private const double CliticCost = 0.25;
    private const double NameBonus = 2.0;
    private const double ArticlePrior = 1.0;
    private const int MinimumStem = 3;
    private const int MinimumStemAfterArticle = 2;
    internal static readonly string[] Enclitics = ["هما", "هم", "هن", "ها", "كم", "كن", "نا", "ه", "ك", "ي"];

    /// <summary>The segmenter over the built-in lexicon.</summary>
    public static CliticSegmenter BuiltIn { get; } = new(ArabicLexicon.BuiltIn);

    /// <summary>The lexicon the segmenter validates against.</summary>
    public ArabicLexicon Lexicon => lexicon;

    /// <summary>Segments one word as written (diacritics and all).</summary>
    public WordSegmentation Segment(string word)
    {
        var scanner = new TokenScanner(word);
        return scanner.MoveNext() && scanner.Kind == TokenKind.Word
            ? Segment(word, scanner.Start, scanner.Length, scanner.Key, scanner.Map)
            : new WordSegmentation([new Segment(SegmentKind.Stem, 0, word.Length, word)], ArabicNormalizer.Normalize(word));
    }

    internal WordSegmentation Segment(string text, int start, int length, ReadOnlySpan<char> key, ReadOnlySpan<int> map)
    {
        // A "word" of marks or tatweel alone folds to nothing: it is one stem.
        if (key.Length == 0) return new WordSegmentation([new Segment(SegmentKind.Stem, start, length, text.Substring(start, length))], "");
        var analysis = Analyze(text, key, map);
        var segments = new List<Segment>(4);
        for (var i = 0; i < analysis.ProcliticLength; i++) segments.Add(Piece(SegmentKind.Proclitic, text, map, i, i + 1, null));
        if (analysis.HasArticle) segments.Add(Piece(SegmentKind.Article, text, map, analysis.ProcliticLength, analysis.StemStart, "ال"));
        segments.Add(Piece(SegmentKind.Stem, text, map, analysis.StemStart, analysis.StemStart + analysis.StemLength, null, start + length));
        if (analysis.EncliticLength > 0) segments.Add(Piece(SegmentKind.Enclitic, text, map, key.Length - analysis.EncliticLength, key.Length, null, start + length));
        return new WordSegmentation(segments, LexicalKey(key, analysis));
    }

    /// <summary>Normalised article + stem of an analysis, shared with the stored lexicon string when known.</summary>
    internal string LexicalKey(ReadOnlySpan<char> key, WordAnalysis analysis)
    {
        Span<char> buffer = key.Length <= 128 ? stackalloc char[key.Length + 2] : new char[key.Length + 2];
        return lexicon.Intern(Compose(key, analysis, buffer));
    }

    /// <summary>The best analysis of a word key; <paramref name="map"/> gives each key character's original offset in <paramref name="text"/>.</summary>
    internal WordAnalysis Analyze(string text, ReadOnlySpan<char> key, ReadOnlySpan<int> map) => Analyze(text, key, map, lexicon.Lookup(key), out _, out _);

    /// <summary>
    /// The same, when the caller already looked the whole word up; also gives the lexicon's string for the chosen
    /// split's lexical key (null when that key is not listed) and what the lexicon knows of it.
    /// </summary>
    internal WordAnalysis Analyze(string text, ReadOnlySpan<char> key, ReadOnlySpan<int> map, LexiconEntry wholeEntry, out string? lexicalStored, out LexiconEntry lexicalEntry)
    {
        lexicalStored = null;
        lexicalEntry = wholeEntry;
        var whole = WordAnalysis.Whole(key.Length);
        if (key.Length < MinimumStem || !IsArabicLetter(key[0])) return whole;
        if (key.SequenceEqual("الله") || key.SequenceEqual("اللهم")) return whole; // not ال + له
        if (wholeEntry.IsStopword) return AnalyzeFunctionWord(key, text[map[^1]]);

        Span<char> buffer = key.Length <= 128 ? stackalloc char[key.Length + 2] : new char[key.Length + 2];
        var best = whole;
        var bestScore = double.NegativeInfinity;
        var choice = new Choice();
        var lastOriginal = text[map[^1]];

        for (var conjunction = 0; conjunction <= (key[0] is 'و' or 'ف' ? 1 : 0); conjunction++)
        {
            for (var particle = 0; particle <= 1; particle++)
            {
                if (particle == 1 && (conjunction >= key.Length || !IsParticle(key, conjunction))) continue;
                var proclitics = conjunction + particle;
                var isFuture = particle == 1 && key[conjunction] == 'س';
                var articleLength = isFuture ? 0 : ArticleAt(text, key, map, proclitics, particle == 1 && key[conjunction] == 'ل');
                var stemStart = proclitics + articleLength;
                if (key.Length - stemStart < (articleLength > 0 ? MinimumStemAfterArticle : MinimumStem)) continue;

                Consider(new WordAnalysis(proclitics, articleLength, key.Length - stemStart, 0, false), key, buffer, ref best, ref bestScore, ref choice);
                // A word with the article takes no pronoun suffix; every pronoun ends in one of these letters.
                if (articleLength > 0 || key[^1] is not ('ه' or 'ا' or 'م' or 'ن' or 'ي' or 'ك')) continue;
                foreach (var enclitic in Enclitics)
                {
                    if (!key.EndsWith(enclitic, StringComparison.Ordinal)) continue;
                    var stemLength = key.Length - stemStart - enclitic.Length;
                    // Short stems are only cut off before a third-person pronoun, when they are function words: بأنها → ب+أن+ها, not بنك → بن+ك.
                    if (stemLength < MinimumStem && !(stemLength >= 2 && enclitic[0] == 'ه' && lexicon.Lookup(key.Slice(stemStart, stemLength)).IsStopword)) continue;
                    // A written ة or ى is the end of the word, not a pronoun (مدرسة is not مدرس+ه).
                    if ((enclitic == "ه" && lastOriginal == 'ة') || (enclitic == "ي" && lastOriginal == 'ى')) continue;
                    Consider(new WordAnalysis(proclitics, 0, stemLength, enclitic.Length, false), key, buffer, ref best, ref bestScore, ref choice);
                    if (key[stemStart + stemLength - 1] == 'ت') Consider(new WordAnalysis(proclitics, 0, stemLength, enclitic.Length, true), key, buffer, ref best, ref bestScore, ref choice);
                }
            }
        }
        lexicalStored = choice.Stored;
        lexicalEntry = choice.Entry;
        return best;
    }

    private struct Choice
    {
        public string? Stored;
        public LexiconEntry Entry;
    }

    // Function words (وقال, لكنها, بأنها, فيها) are frequent as written, so counts cannot decide them: a conjunction
    // before a known word is split, then a pronoun after a function word, then ب/ل/ك before a commoner function word.
    private WordAnalysis AnalyzeFunctionWord(ReadOnlySpan<char> key, char lastOriginal)
    {
        if (FunctionWordWithPronoun(key, 0, lastOriginal) is { } direct) return direct;
        var conjunction = key[0] is 'و' or 'ف' && key.Length >= 3 && lexicon.Lookup(key[1..]).Count > 0 ? 1 : 0;
        return (conjunction == 1 ? FunctionWordWithPronoun(key, 1, lastOriginal) : null) ?? new WordAnalysis(conjunction, 0, key.Length - conjunction, 0, false);
    }

    private WordAnalysis? FunctionWordWithPronoun(ReadOnlySpan<char> key, int conjunction, char lastOriginal)
    {
        var rest = key[conjunction..];
        foreach (var enclitic in Enclitics)
        {
            if (!rest.EndsWith(enclitic, StringComparison.Ordinal) || rest.Length - enclitic.Length < 2) continue;
            if ((enclitic == "ه" && lastOriginal == 'ة') || (enclitic == "ي" && lastOriginal == 'ى')) continue;
            var stem = rest[..^enclitic.Length];
            var stemEntry = lexicon.Lookup(stem);
            if (!stemEntry.IsStopword) continue;
            var preposition = stem.Length >= 3 && stem[0] is 'ب' or 'ل' or 'ك' && lexicon.Lookup(stem[1..]) is { IsStopword: true } inner && inner.Count >= stemEntry.Count ? 1 : 0;
            return new WordAnalysis(conjunction + preposition, 0, stem.Length - preposition, enclitic.Length, false);
        }
        return null;
    }

    private void Consider(WordAnalysis candidate, ReadOnlySpan<char> key, Span<char> buffer, ref WordAnalysis best, ref double bestScore, ref Choice choice)
    {
        lexicon.TryGet(Compose(key, candidate, buffer), out var stored, out var entry);
        var listed = entry;
        // The article's stem alone also attests the word: السبل is known through سبل.
        if (entry.Count == 0 && candidate.HasArticle) entry = lexicon.Lookup(key.Slice(candidate.StemStart, candidate.StemLength));
        var clitics = candidate.ProcliticLength + (candidate.EncliticLength > 0 ? 1 : 0);
        // A preposition or conjunction followed by the article (بال، وال، لل) is a split even when the stem is
        // new to the lexicon; otherwise an unknown split never beats the whole word.
        var articlePrior = candidate.HasArticle && candidate.ProcliticLength > 0 ? ArticlePrior : 0;
        if (clitics > 0 && entry.Count == 0 && articlePrior == 0) return;
        var score = entry.Weight + (entry.IsName ? NameBonus : 0) + articlePrior - CliticCost * clitics;
        if (score > bestScore)
        {
            best = candidate;
            bestScore = score;
            choice.Stored = stored;
            choice.Entry = listed;
        }
    }

    private static ReadOnlySpan<char> Compose(ReadOnlySpan<char> key, WordAnalysis analysis, Span<char> buffer)
    {
        var stem = key.Slice(analysis.StemStart, analysis.StemLength);
        if (!analysis.HasArticle && !analysis.RestoreTaMarbuta) return stem;
        var length = 0;
        if (analysis.HasArticle) { buffer[0] = 'ا'; buffer[1] = 'ل'; length = 2; }
        stem.CopyTo(buffer[length..]);
        length += stem.Length;
        if (analysis.RestoreTaMarbuta) buffer[length - 1] = 'ه';
        return buffer[..length];
    }

    private static bool IsParticle(ReadOnlySpan<char> key, int at) => key[at] switch
    {
        'ب' or 'ك' or 'ل' => true,
        // The future particle only comes before an imperfect verb's prefix: سيقول, ستعقد, سنعمل, سأعمل.
        'س' => at + 1 < key.Length && key[at + 1] is 'ي' or 'ت' or 'ن' or 'ا',
        _ => false,
    };

    // Length in key characters of the article at `at`: 2 for ال written with a bare alef (not أ/إ/آ, which
    // begin words such as ألمانيا and إلى), 1 for the ل of لل after the preposition ل, else 0.
    private static int ArticleAt(string text, ReadOnlySpan<char> key, ReadOnlySpan<int> map, int at, bool afterLam)
    {
        if (afterLam && at < key.Length && key[at] == 'ل') return 1;
        if (at + 1 < key.Length && key[at] == 'ا' && key[at + 1] == 'ل' && text[map[at]] is 'ا' or 'ٱ') return 2;
        return 0;
    }

    private static bool IsArabicLetter(char c) => c is >= '\u0621' and <= '\u064A';

    private static Segment Piece(SegmentKind kind, string text, ReadOnlySpan<int> map, int from, int to, string? shown, int tokenEnd = -1)
    {
        var start = map[from];
        // A segment runs to the next segment's first character, so marks after its last letter stay with it.
        var end = to < map.Length ? map[to] : tokenEnd >= 0 ? tokenEnd : map[to - 1] + 1;
        if (end <= start) end = map[to - 1] + 1;
        return new Segment(kind, start, end - start, shown ?? text[start..end]);
    }
}
