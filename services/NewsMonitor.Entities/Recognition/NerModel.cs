using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Entities.Recognition;

/// <summary>
/// The shipped named-entity model: two perceptron passes over a document. The first tags each sentence on its
/// own; the second sees the first's tags and a document memory (how each word was tagged elsewhere in the
/// same document), so a name recognised once is recognised where its context is weaker. Pure, thread-safe.
/// </summary>
public sealed class NerModel(PerceptronTagger first, PerceptronTagger second)
{
    /// <summary>Sentences on either side that count as "the document" when the data has no document breaks.</summary>
    public const int DefaultWindow = 15;

    private const uint Magic = 0x324D454E; // "NEM2": no word clusters
    private const uint ClusterMagic = 0x334D454E; // "NEM3": both passes read word clusters
    private const uint FeatureSetMagic = 0x344D454E; // "NEM4": a clusters flag and a NerFeatureSet follow

    /// <summary>Feature rows of both passes.</summary>
    public int FeatureCount => first.FeatureCount + second.FeatureCount;

    /// <summary>Whether the passes read word clusters (a model trained with them needs the same clusters to load).</summary>
    public bool UsesClusters => first.Clusters is not null;

    /// <summary>The feature templates beyond <c>ner-2pass-2</c>'s that both passes use.</summary>
    public NerFeatureSet FeatureSet => first.FeatureSet;

    /// <summary>The learned trigger words both passes read (<see cref="NerFeatureSet.LearnedTriggers"/>), or null.</summary>
    public IReadOnlyDictionary<string, string>? Triggers => first.Triggers;

    /// <summary>Tags every sentence of a document; memory comes from the other sentences within <paramref name="window"/> (all by default).</summary>
    public string[][] TagDocument(IReadOnlyList<TaggerWord[]> sentences, int window = int.MaxValue)
    {
        var firstPass = sentences.Select(sentence => first.Tag(sentence)).ToArray();
        // The whole document counts once; each sentence then takes its own words out (linear in the document).
        var totals = window >= sentences.Count ? Count(sentences, firstPass, 0, sentences.Count - 1, -1) : null;
        var result = new string[sentences.Count][];
        for (var s = 0; s < sentences.Count; s++)
        {
            var memory = totals is null ? Memory(sentences, firstPass, s, window) : MemoryExcept(totals, sentences[s], firstPass[s]);
            result[s] = second.Tag(sentences[s], new SentenceContext(firstPass[s], memory));
        }
        return result;
    }

    /// <summary>
    /// The most frequent first-pass tag of each word in the sentences within <paramref name="window"/> of
    /// sentence <paramref name="current"/>, that sentence excluded (so a tag never vouches for itself).
    /// Words tagged O everywhere are left out; a word mostly O but sometimes a name reads <c>O+B-PERS</c>.
    /// </summary>
    public static Dictionary<string, string> Memory(IReadOnlyList<TaggerWord[]> sentences, IReadOnlyList<string[]> tags, int current, int window)
    {
        var from = (int)Math.Max(0, (long)current - window);
        var to = (int)Math.Min(sentences.Count - 1, (long)current + window);
        var memory = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (word, byTag) in Count(sentences, tags, from, to, current))
        {
            if (Verdict(byTag) is { } verdict) memory[word] = verdict;
        }
        return memory;
    }

    private static Dictionary<string, string> MemoryExcept(Dictionary<string, Dictionary<string, int>> totals, TaggerWord[] words, string[] tags)
    {
        var own = Count([words], [tags], 0, 0, -1);
        var memory = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var word in words)
        {
            if (!Counted(word) || memory.ContainsKey(word.LexicalKey) || !totals.TryGetValue(word.LexicalKey, out var total)) continue;
            if (Verdict(total, own[word.LexicalKey]) is { } verdict) memory[word.LexicalKey] = verdict;
        }
        return memory;
    }

    private static Dictionary<string, Dictionary<string, int>> Count(IReadOnlyList<TaggerWord[]> sentences, IReadOnlyList<string[]> tags, int from, int to, int skip)
    {
        var counts = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        for (var s = from; s <= to; s++)
        {
            if (s == skip) continue;
            var words = sentences[s];
            for (var i = 0; i < words.Length; i++)
            {
                if (!Counted(words[i])) continue;
                if (!counts.TryGetValue(words[i].LexicalKey, out var byTag)) counts[words[i].LexicalKey] = byTag = new(StringComparer.Ordinal);
                byTag[tags[s][i]] = byTag.GetValueOrDefault(tags[s][i]) + 1;
            }
        }
        return counts;
    }

    private static bool Counted(TaggerWord word) => word.LexicalKey.Length >= 3 && word.Shape is not ("p" or "s" or "9");

    private static readonly Dictionary<string, int> NoTags = new(StringComparer.Ordinal);

    private static string? Verdict(Dictionary<string, int> byTag) => Verdict(byTag, NoTags);

    // The verdict on byTag's counts less except's, without building the difference (it ran once per word of every
    // sentence): the most frequent tag, a name before O on a tie; a word mostly O but sometimes a name reads O+<tag>.
    // Ties beyond that are broken by Comparer<string>.Default, as the tuple comparison this replaces did.
    internal static string? Verdict(Dictionary<string, int> byTag, Dictionary<string, int> except)
    {
        string? best = null, bestName = null;
        int bestCount = 0, bestNameCount = 0, tags = 0;
        foreach (var (tag, all) in byTag)
        {
            var count = all - except.GetValueOrDefault(tag);
            if (count <= 0) continue;
            tags++;
            var name = tag != "O";
            if (best is null || Later(count, name, tag, bestCount, best != "O", best)) (best, bestCount) = (tag, count);
            if (name && (bestName is null || Later(count, true, tag, bestNameCount, true, bestName))) (bestName, bestNameCount) = (tag, count);
        }
        if (best is null) return null;
        if (best != "O") return best;
        return tags > 1 ? "O+" + bestName : null;
    }

    private static bool Later(int count, bool name, string tag, int otherCount, bool otherName, string other) =>
        count != otherCount ? count > otherCount : name != otherName ? name : Comparer<string>.Default.Compare(tag, other) > 0;

    /// <summary>
    /// Trains both passes on documents-in-order sentences. The second pass learns from first-pass tags made by
    /// models that did not see those sentences (<paramref name="folds"/>-fold, contiguous blocks), as it will at run time.
    /// </summary>
    public static NerModel Train(IReadOnlyList<(TaggerWord[] Words, string[] Tags)> sentences, NameGazetteer gazetteer, int firstEpochs, int secondEpochs,
        int folds = 5, int window = DefaultWindow, Action<int, NerModel>? afterEpoch = null, WordClusters? clusters = null, NerFeatureSet set = NerFeatureSet.None)
    {
        // Trigger words come from all the training sentences, like a word list: the fold models below read the same list
        // (a trigger's count includes the block a fold model tags, a small optimism in the second pass's training tags).
        var triggers = (set & NerFeatureSet.LearnedTriggers) != 0 ? TriggerWords.Learn(sentences) : null;
        // First-pass features depend on the sentence alone: extracted once for the fold models and the final first pass.
        var firstFeatures = sentences.Select(sentence => PerceptronTagger.Extract(sentence.Words, null, gazetteer, clusters, set, triggers)).ToList();
        var tags = sentences.Select(sentence => sentence.Tags).ToList();
        var heldOutTags = new string[sentences.Count][];
        var blockSize = (sentences.Count + folds - 1) / folds;
        for (var fold = 0; fold < folds; fold++)
        {
            var start = fold * blockSize;
            var end = Math.Min(sentences.Count, start + blockSize);
            var rest = Enumerable.Range(0, start).Concat(Enumerable.Range(end, sentences.Count - end)).ToList();
            var foldModel = PerceptronTagger.Train(rest.Select(s => firstFeatures[s]).ToList(), rest.Select(s => tags[s]).ToList(), gazetteer, firstEpochs, null, clusters, set, triggers);
            for (var s = start; s < end; s++) heldOutTags[s] = foldModel.Tag(firstFeatures[s]);
        }
        var words = sentences.Select(sentence => sentence.Words).ToList();
        var secondData = sentences.Select((sentence, s) => (sentence.Words, sentence.Tags, (SentenceContext?)new SentenceContext(heldOutTags[s], Memory(words, heldOutTags, s, window)))).ToList();
        var firstModel = PerceptronTagger.Train(firstFeatures, tags, gazetteer, firstEpochs, null, clusters, set, triggers);
        var secondModel = PerceptronTagger.Train(secondData, gazetteer, secondEpochs, afterEpoch is null ? null : (epoch, model) => afterEpoch(epoch, new NerModel(firstModel, model)), clusters, set, triggers);
        return new NerModel(firstModel, secondModel);
    }

    private const NerFeatureSet Known = NerFeatureSet.NeighbourForms | NerFeatureSet.WideClusters | NerFeatureSet.GazetteerSpan | NerFeatureSet.TagContext | NerFeatureSet.LearnedTriggers;

    /// <summary>Writes both passes, Brotli-compressed.</summary>
    public void Save(Stream output) => ModelFiles.Write(output, writer =>
    {
        if (FeatureSet != NerFeatureSet.None)
        {
            writer.Write(FeatureSetMagic);
            writer.Write(UsesClusters);
            writer.Write((int)FeatureSet);
            if ((FeatureSet & NerFeatureSet.LearnedTriggers) != 0)
            {
                var triggers = Triggers ?? new Dictionary<string, string>();
                writer.Write(triggers.Count);
                foreach (var (word, type) in triggers.OrderBy(pair => pair.Key, StringComparer.Ordinal))
                {
                    writer.Write(word);
                    writer.Write(type);
                }
            }
        }
        else writer.Write(UsesClusters ? ClusterMagic : Magic); // models without the round-2 templates are written as before
        first.Save(writer);
        second.Save(writer);
    });

    /// <summary>
    /// Reads a model written by <see cref="Save"/>; <paramref name="gazetteer"/> and <paramref name="clusters"/> must be
    /// the ones it was trained with. A model trained without clusters ignores <paramref name="clusters"/> (older files load).
    /// </summary>
    public static NerModel Load(Stream input, NameGazetteer gazetteer, WordClusters? clusters = null) => ModelFiles.Read(input, "NewsMonitor NER model", reader =>
    {
        var magic = reader.ReadUInt32();
        if (magic != Magic && magic != ClusterMagic && magic != FeatureSetMagic) throw new InvalidDataException("Not a NewsMonitor two-pass NER model.");
        var withClusters = magic == ClusterMagic || (magic == FeatureSetMagic && reader.ReadBoolean());
        var set = magic == FeatureSetMagic ? (NerFeatureSet)reader.ReadInt32() : NerFeatureSet.None;
        if ((set & ~Known) != 0) throw new InvalidDataException($"This NER model uses feature templates this build does not know ({set}).");
        if (withClusters && clusters is null) throw new InvalidDataException("This NER model was trained with word clusters; load it with them.");
        Dictionary<string, string>? triggers = null;
        if ((set & NerFeatureSet.LearnedTriggers) != 0)
        {
            var count = reader.ReadInt32();
            if (count is < 0 or > MaxTriggers) throw new InvalidDataException($"{count} trigger words: a model holds 0 to {MaxTriggers}.");
            triggers = new Dictionary<string, string>(Math.Min(count, 1024), StringComparer.Ordinal);
            for (var i = 0; i < count; i++) triggers[reader.ReadString()] = reader.ReadString();
        }
        var used = withClusters ? clusters : null;
        return new NerModel(PerceptronTagger.Load(reader, gazetteer, used, set, triggers), PerceptronTagger.Load(reader, gazetteer, used, set, triggers));
    });

    private const int MaxTriggers = 1 << 20;
}
