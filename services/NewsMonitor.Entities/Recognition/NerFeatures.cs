using NewsMonitor.Text;

namespace NewsMonitor.Entities.Recognition;

/// <summary>
/// The features of one token in its sentence, as 32-bit hashes of (template, value): word, lexical form, stem,
/// proclitics, affixes, shape, lexicon knowledge, gazetteer cover and membership, a ±2 context window of
/// lexical forms, bigrams, and title triggers before the word. Pure.
/// </summary>
/// <summary>What the second pass knows beyond the sentence: the first pass's tags of it, and the document memory.</summary>
/// <param name="FirstPass">First-pass tags of the sentence.</param>
/// <param name="Memory">Word (lexical key) → the tag the first pass gave it most often in the rest of the document, e.g. <c>B-PERS</c>.</param>
public sealed record SentenceContext(string[] FirstPass, IReadOnlyDictionary<string, string> Memory);

internal static class NerFeatures
{
    // Words that announce a person name after them (normalised, article included where written with it).
    private static readonly HashSet<string> PersonTitles = Normalized(new[]
    {
        "الرئيس", "رئيس", "الرئيسه", "الملك", "الامير", "الاميره", "الشيخ", "السيد", "السيده", "الدكتور", "د", "المستشار", "المستشاره",
        "الوزير", "وزير", "وزيره", "الوزيره", "الامين", "العام", "المتحدث", "المتحدثه", "باسم", "الجنرال", "اللواء", "العميد", "العقيد",
        "الفريق", "المشير", "القائد", "النائب", "السفير", "السفيره", "المبعوث", "المندوب", "الاستاذ", "البابا", "الامام", "رئيسه",
        "نائب", "مساعد", "زعيم", "الزعيم", "المرشح", "المرشحه", "الكاتب", "الكاتبه", "الفنان", "الفنانه", "اللاعب", "المدرب", "قال", "قالت",
        "صرح", "اكد", "اكدت", "اعلن", "اعلنت", "اوضح", "اضاف", "مستشار", "حاكم", "الحاكم", "محافظ", "المحافظ", "القاضي", "الصحفي",
    });

    private static readonly HashSet<string> OrganisationHeads = Normalized(new[]
    {
        "وزاره", "منظمه", "حركه", "حزب", "جامعه", "شركه", "مجلس", "مؤسسه", "هيئه", "وكاله", "اتحاد", "الاتحاد", "بنك", "البنك", "صندوق",
        "جبهه", "جيش", "الجيش", "لجنه", "محكمه", "المحكمه", "مركز", "معهد", "نادي", "برلمان", "البرلمان", "حلف", "جمعيه", "رابطه", "قوات",
    });

    private static readonly HashSet<string> PlaceHeads = Normalized(new[]
    {
        "مدينه", "المدينه", "بلده", "قريه", "عاصمه", "العاصمه", "محافظه", "ولايه", "اقليم", "منطقه", "جزيره", "جزر", "نهر", "بحر", "جبل",
        "شمال", "جنوب", "شرق", "غرب", "شمالي", "جنوبي", "في", "الى", "من", "دوله", "جمهوريه", "مملكه", "مخيم", "حي", "شارع", "ميناء", "مطار",
    });

    // Keys are normalised (ة→ه, ئ→ي, أ→ا ...), so the lists are too.
    private static HashSet<string> Normalized(string[] words) => words.Select(ArabicNormalizer.Normalize).ToHashSet(StringComparer.Ordinal);

    public static void Extract(ReadOnlySpan<TaggerWord> words, (string Type, bool Begin, bool Single)?[] cover, NameGazetteer gazetteer, int i, List<uint> features, SentenceContext? context = null, string?[]? clusters = null)
    {
        features.Clear();
        var word = words[i];
        features.Add(Hash("b"));
        features.Add(Hash("w", word.Key));
        features.Add(Hash("l", word.LexicalKey));
        features.Add(Hash("s", word.Stem));
        features.Add(Hash("p", word.Proclitics));
        features.Add(Hash("sh", word.Shape));
        // Not the lexicon's "known" flag: the lexicon holds every train word, so it would mean something else in training.
        features.Add(Hash("al", word.HasArticle ? "1" : "0"));
        if (word.Key.Length > 2) features.Add(Hash("kpre2", word.Key.AsSpan(0, 2)));
        var stem = word.Stem;
        for (var n = 1; n <= 3; n++)
        {
            if (stem.Length <= n) break;
            features.Add(Hash(Prefix[n], stem.AsSpan(0, n)));
            features.Add(Hash(Suffix[n], stem.AsSpan(stem.Length - n)));
        }
        // Character trigrams of the stem: transliterated foreign names share pieces (وف, سكي, ـيه) that no word list holds.
        if (word.Shape == "ar" && stem.Length > 3)
        {
            for (var c = 0; c + 3 <= stem.Length; c++) features.Add(Hash("c3", stem.AsSpan(c, 3)));
        }
        features.Add(Hash("len", Digits[Math.Min(stem.Length, 9)]));

        var covered = cover[i];
        features.Add(Hash("g", covered is { } g ? g.Type + (g.Begin ? "B" : "I") + (g.Single ? "1" : "") : "-"));
        features.Add(Hash("gw", gazetteer.WordType(word) ?? "-"));
        if (covered is { } gc) features.Add(Hash("g|s", gc.Type, word.Shape));
        if (i > 0) features.Add(Hash("l-1|g", words[i - 1].LexicalKey, covered is { } gp ? gp.Type : gazetteer.WordType(word) ?? "-"));

        for (var offset = -2; offset <= 2; offset++)
        {
            if (offset == 0) continue;
            var j = i + offset;
            var names = Context[offset + 2];
            if (j < 0) { features.Add(Hash(names.Lexical, "<s>")); continue; }
            if (j >= words.Length) { features.Add(Hash(names.Lexical, "</s>")); continue; }
            features.Add(Hash(names.Lexical, words[j].LexicalKey));
            features.Add(Hash(names.Stem, words[j].Stem));
            if (offset is -1 or 1)
            {
                features.Add(Hash(names.Shape, words[j].Shape));
                features.Add(Hash(names.Gazetteer, cover[j] is { } cj ? cj.Type : "-"));
                features.Add(Hash(names.GazetteerWord, gazetteer.WordType(words[j]) ?? "-"));
                if (words[j].Stem.Length > 2) features.Add(Hash(names.Suffix2, words[j].Stem.AsSpan(words[j].Stem.Length - 2)));
            }
        }
        if (i > 0)
        {
            features.Add(Hash("l-1|l", words[i - 1].LexicalKey, word.LexicalKey));
            features.Add(Hash("l-1|s", words[i - 1].LexicalKey, word.Shape));
        }
        if (i + 1 < words.Length)
        {
            features.Add(Hash("l|l+1", word.LexicalKey, words[i + 1].LexicalKey));
            features.Add(Hash("s|g+1", word.Stem, cover[i + 1] is { } gn ? gn.Type : gazetteer.WordType(words[i + 1]) ?? "-"));
        }
        if (i > 1) features.Add(Hash("l-2|l-1", words[i - 2].LexicalKey, words[i - 1].LexicalKey));

        // Triggers: a title or verb of saying before the word, an organisation or place head word before it.
        for (var back = 1; back <= 3 && i - back >= 0; back++)
        {
            var previous = words[i - back];
            var cue = PersonTitles.Contains(previous.LexicalKey) || PersonTitles.Contains(previous.Key) ? "per"
                : OrganisationHeads.Contains(previous.Stem) || OrganisationHeads.Contains(previous.LexicalKey) ? "org"
                : PlaceHeads.Contains(previous.Stem) || PlaceHeads.Contains(previous.LexicalKey) ? "loc" : null;
            if (cue is not null) features.Add(Hash(Cue[back], cue));
        }
        if (OrganisationHeads.Contains(word.Stem) || OrganisationHeads.Contains(word.LexicalKey)) features.Add(Hash("head", "org"));

        // Word clusters (when the model was trained with them): coarse and fine prefixes of the word's path and
        // its neighbours', so a name never seen in training shares weights with words used the same way.
        if (clusters is not null)
        {
            var path = clusters[i];
            if (path is null) features.Add(Hash("bc", "-"));
            else
            {
                features.Add(Hash("bc4", PathPrefix(path, 4)));
                features.Add(Hash("bc8", PathPrefix(path, 8)));
                features.Add(Hash("bcF", path));
            }
            for (var offset = -1; offset <= 1; offset += 2)
            {
                var j = i + offset;
                var near = j < 0 ? "<s>" : j >= words.Length ? "</s>" : clusters[j] ?? "-";
                features.Add(Hash(offset < 0 ? "bc-1:6" : "bc+1:6", PathPrefix(near, 6)));
                features.Add(Hash(offset < 0 ? "bc-1" : "bc+1", near));
            }
        }

        // Second pass: what the first pass said here and around, and how the same word was tagged elsewhere in the document.
        if (context is null) return;
        var first = context.FirstPass;
        features.Add(Hash("p1", first[i]));
        features.Add(Hash("p1-1", i > 0 ? first[i - 1] : "<s>"));
        features.Add(Hash("p1+1", i + 1 < first.Length ? first[i + 1] : "</s>"));
        var remembered = context.Memory.GetValueOrDefault(word.LexicalKey) ?? "-";
        features.Add(Hash("mem", remembered));
        features.Add(Hash("mem|p1", remembered, first[i]));
        features.Add(Hash("mem-1", i > 0 ? context.Memory.GetValueOrDefault(words[i - 1].LexicalKey) ?? "-" : "<s>"));
        features.Add(Hash("mem+1", i + 1 < words.Length ? context.Memory.GetValueOrDefault(words[i + 1].LexicalKey) ?? "-" : "</s>"));
    }

    private static ReadOnlySpan<char> PathPrefix(string path, int length) => path.AsSpan(0, Math.Min(length, path.Length));

    // Template names, built once: features are hashed from spans, so extraction allocates no strings.
    private static readonly string[] Prefix = ["", "pre1", "pre2", "pre3"];
    private static readonly string[] Suffix = ["", "suf1", "suf2", "suf3"];
    private static readonly string[] Cue = ["", "cue1", "cue2", "cue3"];
    private static readonly string[] Digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    private static readonly (string Lexical, string Stem, string Shape, string Gazetteer, string GazetteerWord, string Suffix2)[] Context =
        [.. new[] { "-2", "-1", "0", "1", "2" }.Select(name => ("l" + name, "s" + name, "sh" + name, "g" + name, "gw" + name, "suf2" + name))];

    private static uint Hash(string template) => Fold(Mix(Offset, template));

    private static uint Hash(string template, ReadOnlySpan<char> value) => Fold(Mix(Mix(Mix(Offset, template), "\u0001"), value));

    private static uint Hash(string template, string value, string other) => Fold(Mix(Mix(Mix(Mix(Mix(Offset, template), "\u0001"), value), "\u0002"), other));

    private const ulong Offset = 14695981039346656037UL;

    private static ulong Mix(ulong hash, ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            hash = (hash ^ (c & 0xFFu)) * 1099511628211UL;
            hash = (hash ^ (uint)(c >> 8)) * 1099511628211UL;
        }
        return hash;
    }

    private static uint Fold(ulong hash) => (uint)(hash ^ (hash >> 32));
}
