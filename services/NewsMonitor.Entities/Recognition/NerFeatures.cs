using NewsMonitor.Text;

namespace NewsMonitor.Entities.Recognition;

/// <summary>What the second pass knows beyond the sentence: the first pass's tags of it, and the document memory.</summary>
/// <param name="FirstPass">First-pass tags of the sentence.</param>
/// <param name="Memory">Word (lexical key) → the tag the first pass gave it most often in the rest of the document, e.g. <c>B-PERS</c>.</param>
public sealed record SentenceContext(string[] FirstPass, IReadOnlyDictionary<string, string> Memory);

/// <summary>
/// What the features of a sentence's tokens read about each word, looked up once per sentence: a token's features read
/// its neighbours' gazetteer types, cues and triggers too, so per token these were the same string look-ups up to nine
/// times over. Holding them changes no feature (NerFeatureStabilityTests: digests of every hash, taken before this type existed).
/// The sentence's second-pass context and the model's feature set travel with it, so the two cannot disagree.
/// </summary>
internal sealed class SentenceFacts
{
    /// <summary>Looks everything up for <paramref name="words"/>.</summary>
    public SentenceFacts(ReadOnlySpan<TaggerWord> words, NameGazetteer gazetteer, WordClusters? clusters, SentenceContext? context, NerFeatureSet set, IReadOnlyDictionary<string, string>? triggers)
    {
        var n = words.Length;
        Cover = gazetteer.Cover(words);
        WordTypes = new string?[n];
        Cues = new string?[n];
        OrganisationHead = new bool[n];
        if (clusters is not null) Paths = new string?[n];
        var learned = (set & NerFeatureSet.LearnedTriggers) != 0 && triggers is not null;
        if (learned) Triggers = new string?[n];
        Context = context;
        Set = set;
        if (context is not null) Remembered = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var word = words[i];
            WordTypes[i] = gazetteer.WordType(word);
            Cues[i] = NerFeatures.CueOf(word);
            OrganisationHead[i] = NerFeatures.IsOrganisationHead(word);
            if (Paths is not null) Paths[i] = clusters!.Path(word.LexicalKey);
            if (Triggers is not null) Triggers[i] = triggers!.GetValueOrDefault(word.LexicalKey);
            if (Remembered is not null) Remembered[i] = context!.Memory.GetValueOrDefault(word.LexicalKey);
        }
    }

    /// <summary>The second pass's context of the sentence, or null in the first pass.</summary>
    public SentenceContext? Context { get; }

    /// <summary>The feature templates beyond <c>ner-2pass-2</c>'s that the model reads.</summary>
    public NerFeatureSet Set { get; }

    /// <summary>The gazetteer's cover of the sentence (<see cref="NameGazetteer.Cover"/>).</summary>
    public (string Type, bool Begin, bool Single)?[] Cover { get; }

    /// <summary>Each word's single-word gazetteer type, or null.</summary>
    public string?[] WordTypes { get; }

    /// <summary>Each word's cue (per, org, loc) for the words after it, or null.</summary>
    public string?[] Cues { get; }

    /// <summary>Whether each word is an organisation head word.</summary>
    public bool[] OrganisationHead { get; }

    /// <summary>Each word's cluster path (null when unclustered); null without clusters.</summary>
    public string?[]? Paths { get; }

    /// <summary>Each word's learned trigger type, or null; the array is null when the set has no learned triggers.</summary>
    public string?[]? Triggers { get; }

    /// <summary>Each word's tag in the document memory, or null; the array is null in the first pass.</summary>
    public string?[]? Remembered { get; }
}

/// <summary>
/// The features of one token in its sentence, as 32-bit hashes of (template, value): word, lexical form, stem,
/// proclitics, affixes, shape, lexicon knowledge, gazetteer cover and membership, a ±2 context window of
/// lexical forms, bigrams, and title triggers before the word. Pure.
/// </summary>
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

    public static void Extract(ReadOnlySpan<TaggerWord> words, SentenceFacts facts, int i, List<uint> features)
    {
        var context = facts.Context;
        var set = facts.Set;
        var cover = facts.Cover;
        var types = facts.WordTypes;
        var clusters = facts.Paths;
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
        features.Add(Hash("gw", types[i] ?? "-"));
        if (covered is { } gc) features.Add(Hash("g|s", gc.Type, word.Shape));
        if (i > 0) features.Add(Hash("l-1|g", words[i - 1].LexicalKey, covered is { } gp ? gp.Type : types[i] ?? "-"));

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
                features.Add(Hash(names.GazetteerWord, types[j] ?? "-"));
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
            features.Add(Hash("s|g+1", word.Stem, cover[i + 1] is { } gn ? gn.Type : types[i + 1] ?? "-"));
        }
        if (i > 1) features.Add(Hash("l-2|l-1", words[i - 2].LexicalKey, words[i - 1].LexicalKey));

        // Triggers: a title or verb of saying before the word, an organisation or place head word before it.
        for (var back = 1; back <= 3 && i - back >= 0; back++)
        {
            if (facts.Cues[i - back] is { } cue) features.Add(Hash(Cue[back], cue));
        }
        if (facts.OrganisationHead[i]) features.Add(Hash("head", "org"));

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

        // Round-2 templates, only for a model trained with them (older models keep exactly their features, in their order).
        if ((set & NerFeatureSet.NeighbourForms) != 0) AddNeighbourForms(words, i, features);
        if ((set & NerFeatureSet.WideClusters) != 0 && clusters is not null) AddWideClusters(words, facts, i, features, clusters);
        if ((set & NerFeatureSet.GazetteerSpan) != 0) AddGazetteerSpan(words, facts, i, features);
        if (facts.Triggers is { } triggers) AddLearnedTriggers(words, i, features, triggers, clusters);

        // Second pass: what the first pass said here and around, and how the same word was tagged elsewhere in the document.
        if (context is null) return;
        var first = context.FirstPass;
        features.Add(Hash("p1", first[i]));
        features.Add(Hash("p1-1", i > 0 ? first[i - 1] : "<s>"));
        features.Add(Hash("p1+1", i + 1 < first.Length ? first[i + 1] : "</s>"));
        var memory = facts.Remembered!;
        var remembered = memory[i] ?? "-";
        features.Add(Hash("mem", remembered));
        features.Add(Hash("mem|p1", remembered, first[i]));
        features.Add(Hash("mem-1", i > 0 ? memory[i - 1] ?? "-" : "<s>"));
        features.Add(Hash("mem+1", i + 1 < words.Length ? memory[i + 1] ?? "-" : "</s>"));
        if ((set & NerFeatureSet.TagContext) != 0) AddTagContext(words, i, features, context, remembered, clusters);
    }

    // Affixes of the neighbours: a name's neighbour is often a nisba adjective (ـي، ـية) or a verb of saying whose
    // form, not its exact spelling, is the evidence; proclitics say whether a coordinated name goes on (و + name).
    private static void AddNeighbourForms(ReadOnlySpan<TaggerWord> words, int i, List<uint> features)
    {
        for (var offset = -1; offset <= 1; offset += 2)
        {
            var j = i + offset;
            if (j < 0 || j >= words.Length) continue;
            var names = offset < 0 ? NeighbourPrevious : NeighbourNext;
            var stem = words[j].Stem;
            for (var n = 1; n <= 3; n++)
            {
                if (stem.Length <= n) break;
                features.Add(Hash(names.Prefix[n], stem.AsSpan(0, n)));
                if (n != 2) features.Add(Hash(names.Suffix[n], stem.AsSpan(stem.Length - n))); // suffix 2 is a ner-2pass-2 template
            }
            features.Add(Hash(names.Clitics, words[j].Proclitics, words[j].HasArticle ? "al" : "-"));
        }
        features.Add(Hash("sh-2", i > 1 ? words[i - 2].Shape : "<s>"));
        features.Add(Hash("sh+2", i + 2 < words.Length ? words[i + 2].Shape : "</s>"));
        var before = i > 0 ? words[i - 1].Shape : "<s>";
        var after = i + 1 < words.Length ? words[i + 1].Shape : "</s>";
        features.Add(Hash("sh-1|sh|sh+1", before, words[i].Shape, after));
    }

    // Wider and conjoined clusters: a title (الرئيس) before a word of a name-like cluster is stronger evidence than
    // either alone, and two words of name-like clusters in a row are a multi-word name more often than not.
    private static void AddWideClusters(ReadOnlySpan<TaggerWord> words, SentenceFacts facts, int i, List<uint> features, string?[] clusters)
    {
        var cover = facts.Cover;
        var here = clusters[i] ?? "-";
        features.Add(Hash("bc-2:6", PathPrefix(i > 1 ? clusters[i - 2] ?? "-" : "<s>", 6)));
        features.Add(Hash("bc+2:6", PathPrefix(i + 2 < words.Length ? clusters[i + 2] ?? "-" : "</s>", 6)));
        features.Add(Hash("bc-1:6|bc:6", PathPrefix(i > 0 ? clusters[i - 1] ?? "-" : "<s>", 6), PathPrefix(here, 6)));
        features.Add(Hash("bc:6|bc+1:6", PathPrefix(here, 6), PathPrefix(i + 1 < words.Length ? clusters[i + 1] ?? "-" : "</s>", 6)));
        features.Add(Hash("l-1|bc:6", i > 0 ? words[i - 1].LexicalKey : "<s>", PathPrefix(here, 6)));
        features.Add(Hash("bc:4|g", PathPrefix(here, 4), cover[i] is { } g ? g.Type : facts.WordTypes[i] ?? "-"));
    }

    // Where the word sits in a listed name: the last word of a multi-word match (E) ends the entity, a lone match (S)
    // of a long name's first word is weaker evidence than the whole name.
    private static void AddGazetteerSpan(ReadOnlySpan<TaggerWord> words, SentenceFacts facts, int i, List<uint> features)
    {
        var cover = facts.Cover;
        var types = facts.WordTypes;
        features.Add(Hash("gp", GazetteerPosition(cover, i)));
        features.Add(Hash("gp-1", i > 0 ? GazetteerPosition(cover, i - 1) : "<s>"));
        features.Add(Hash("gp+1", i + 1 < words.Length ? GazetteerPosition(cover, i + 1) : "</s>"));
        features.Add(Hash("gw-2", i > 1 ? types[i - 2] ?? "-" : "<s>"));
        features.Add(Hash("gw+2", i + 2 < words.Length ? types[i + 2] ?? "-" : "</s>"));
        var type = cover[i] is { } g ? g.Type : types[i] ?? "-";
        features.Add(Hash("gw-1|gw", i > 0 ? types[i - 1] ?? "-" : "<s>", type));
        features.Add(Hash("cue1|g", i > 0 ? facts.Cues[i - 1] ?? "-" : "<s>", type));
    }

    // A learned trigger pools the evidence of rare title and head words the hand lists miss; with the word's shape
    // and cluster it says whether what follows looks like the name it announces.
    private static void AddLearnedTriggers(ReadOnlySpan<TaggerWord> words, int i, List<uint> features, string?[] triggers, string?[]? clusters)
    {
        var before = i > 0 ? triggers[i - 1] ?? "-" : "<s>";
        features.Add(Hash("lt1", before));
        features.Add(Hash("lt2", i > 1 ? triggers[i - 2] ?? "-" : "<s>"));
        features.Add(Hash("lt1|sh", before, words[i].Shape));
        features.Add(Hash("lt0", triggers[i] ?? "-"));
        if (clusters is not null) features.Add(Hash("lt1|bc:4", before, PathPrefix(clusters[i] ?? "-", 4)));
    }

    /// <summary>B, I, E or S and the type of the longest listed name covering word <paramref name="i"/>, or "-".</summary>
    internal static string GazetteerPosition((string Type, bool Begin, bool Single)?[] cover, int i)
    {
        if (cover[i] is not { } c) return "-";
        if (c.Single) return "S-" + c.Type;
        var last = i + 1 >= cover.Length || cover[i + 1] is not { } next || next.Begin;
        return (c.Begin ? "B-" : last ? "E-" : "I-") + c.Type;
    }

    // Second pass: the first pass's tags as a wider window and as pairs, so a boundary the first pass half-found
    // (B-PERS then O before a name-like word) can be extended.
    private static void AddTagContext(ReadOnlySpan<TaggerWord> words, int i, List<uint> features, SentenceContext context, string remembered, string?[]? clusters)
    {
        var first = context.FirstPass;
        var previous = i > 0 ? first[i - 1] : "<s>";
        var next = i + 1 < first.Length ? first[i + 1] : "</s>";
        features.Add(Hash("p1-2", i > 1 ? first[i - 2] : "<s>"));
        features.Add(Hash("p1+2", i + 2 < first.Length ? first[i + 2] : "</s>"));
        features.Add(Hash("p1-1|p1", previous, first[i]));
        features.Add(Hash("p1|p1+1", first[i], next));
        features.Add(Hash("p1-1|sh", previous, words[i].Shape));
        if (clusters is null) return;
        var here = clusters[i] ?? "-";
        features.Add(Hash("p1-1|bc:6", previous, PathPrefix(here, 6)));
        features.Add(Hash("mem|bc:4", remembered, PathPrefix(here, 4)));
    }

    internal static string? CueOf(in TaggerWord previous) =>
        PersonTitles.Contains(previous.LexicalKey) || PersonTitles.Contains(previous.Key) ? "per"
        : IsOrganisationHead(previous) ? "org"
        : PlaceHeads.Contains(previous.Stem) || PlaceHeads.Contains(previous.LexicalKey) ? "loc" : null;

    internal static bool IsOrganisationHead(in TaggerWord word) => OrganisationHeads.Contains(word.Stem) || OrganisationHeads.Contains(word.LexicalKey);

    private static ReadOnlySpan<char> PathPrefix(string path, int length) => path.AsSpan(0, Math.Min(length, path.Length));

    // Template names, built once: features are hashed from spans, so extraction allocates no strings.
    private static readonly string[] Prefix = ["", "pre1", "pre2", "pre3"];
    private static readonly string[] Suffix = ["", "suf1", "suf2", "suf3"];
    private static readonly string[] Cue = ["", "cue1", "cue2", "cue3"];
    private static readonly (string[] Prefix, string[] Suffix, string Clitics) NeighbourPrevious = (["", "pre1-1", "pre2-1", "pre3-1"], ["", "suf1-1", "suf2-1", "suf3-1"], "pc-1");
    private static readonly (string[] Prefix, string[] Suffix, string Clitics) NeighbourNext = (["", "pre1+1", "pre2+1", "pre3+1"], ["", "suf1+1", "suf2+1", "suf3+1"], "pc+1");
    private static readonly string[] Digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    private static readonly (string Lexical, string Stem, string Shape, string Gazetteer, string GazetteerWord, string Suffix2)[] Context =
        [.. new[] { "-2", "-1", "0", "1", "2" }.Select(name => ("l" + name, "s" + name, "sh" + name, "g" + name, "gw" + name, "suf2" + name))];

    private static uint Hash(string template) => Fold(Mix(Offset, template));

    private static uint Hash(string template, ReadOnlySpan<char> value) => Fold(Mix(Mix(Mix(Offset, template), "\u0001"), value));

    private static uint Hash(string template, ReadOnlySpan<char> value, ReadOnlySpan<char> other) => Fold(Mix(Mix(Mix(Mix(Mix(Offset, template), "\u0001"), value), "\u0002"), other));

    private static uint Hash(string template, string first, string second, string third) =>
        Fold(Mix(Mix(Mix(Mix(Mix(Mix(Mix(Offset, template), "\u0001"), first), "\u0002"), second), "\u0003"), third));

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
