using NewsMonitor.Entities.Recognition;
using NewsMonitor.Testing;
using NewsMonitor.Text;

namespace NewsMonitor.Entities.Tests;

public class NerFeatureSetTests
{
    private static TaggerWord[] Words(params string[] words) => TaggerWord.FromWords(words, TextAnalyzer.BuiltIn);

    [Fact]
    public void Gazetteer_position_marks_begin_inside_end_and_single_word_matches()
    {
        var gazetteer = new NameGazetteer();
        gazetteer.Add("alpha beta gamma", "ORG");
        gazetteer.Add("delta", "LOC");
        var words = Words("in", "alpha", "beta", "gamma", "delta", "now");
        var cover = gazetteer.Cover(words);

        Assert.Equal(["-", "B-ORG", "I-ORG", "E-ORG", "S-LOC", "-"], Enumerable.Range(0, words.Length).Select(i => NerFeatures.GazetteerPosition(cover, i)));
    }

    [Fact]
    public void Two_word_matches_have_a_begin_and_an_end_and_adjacent_matches_stay_apart()
    {
        var gazetteer = new NameGazetteer();
        gazetteer.Add("north sea", "LOC");
        gazetteer.Add("red cross", "ORG");
        var words = Words("north", "sea", "red", "cross");
        var cover = gazetteer.Cover(words);

        Assert.Equal(["B-LOC", "E-LOC", "B-ORG", "E-ORG"], Enumerable.Range(0, words.Length).Select(i => NerFeatures.GazetteerPosition(cover, i)));
    }

    // Names and non-names stand in the same place and every word occurs once (made of syllables), so nothing but the
    // form of the next word tells them apart: after a name it starts with "spo", after other words with "gar". The
    // neighbour-affix templates carry that to unseen words: the same unseen word is a name before "spouse", not before "garage".
    [Fact]
    public void Neighbour_forms_let_the_tagger_use_the_next_words_prefix()
    {
        string[] syllables = ["ka", "lo", "mi", "nu", "re", "ti", "be", "do"];
        var fresh = syllables.SelectMany(a => syllables.SelectMany(b => syllables.Select(c => a + b + c))).GetEnumerator();
        string Next() { fresh.MoveNext(); return fresh.Current; }
        var training = new List<(TaggerWord[] Words, string[] Tags)>();
        for (var i = 0; i < 40; i++)
        {
            training.Add((Words("then", Next(), "spo" + Next()), ["O", "B-PERS", "O"]));
            training.Add((Words("then", Next(), "gar" + Next()), ["O", "O", "O"]));
        }

        var model = PerceptronTagger.Train(training, new NameGazetteer(), 5, set: NerFeatureSet.NeighbourForms);

        Assert.Equal(["O", "B-PERS", "O"], model.Tag(Words("then", "zoran", "spouse")));
        Assert.Equal(["O", "O", "O"], model.Tag(Words("then", "zoran", "garage")));
    }

    [Fact]
    public void A_model_with_round_two_features_round_trips_with_its_feature_set()
    {
        var training = Enumerable.Range(0, 10)
            .Select(i => (Words("said", i % 2 == 0 ? "alice" : "bob", "spoke", "in", "paris"), new[] { "O", "B-PERS", "O", "O", "B-LOC" }))
            .ToList();
        var gazetteer = new NameGazetteer();
        gazetteer.Add("paris", "LOC");
        var set = NerFeatureSet.NeighbourForms | NerFeatureSet.GazetteerSpan | NerFeatureSet.TagContext;
        var model = NerModel.Train(training, gazetteer, 3, 2, folds: 2, set: set);
        using var file = new MemoryStream();
        model.Save(file);

        file.Position = 0;
        var loaded = NerModel.Load(file, gazetteer);
        var sentence = Words("said", "carol", "spoke", "in", "paris");
        Assert.Equal(set, loaded.FeatureSet);
        Assert.Equal(model.FeatureCount, loaded.FeatureCount);
        Assert.Equal(model.TagDocument([sentence]), loaded.TagDocument([sentence]));
    }

    [Fact]
    public void Training_is_reproducible_and_a_model_without_new_features_keeps_the_old_file_format()
    {
        var training = Enumerable.Range(0, 12)
            .Select(i => (Words("said", i % 3 == 0 ? "alice" : "bob", "in", i % 2 == 0 ? "paris" : "rome"), new[] { "O", "B-PERS", "O", "B-LOC" }))
            .ToList();
        var gazetteer = new NameGazetteer();
        byte[] Bytes(NerFeatureSet set)
        {
            using var file = new MemoryStream();
            NerModel.Train(training, gazetteer, 4, 3, folds: 3, set: set).Save(file);
            return file.ToArray();
        }

        var old = Bytes(NerFeatureSet.None);
        Assert.Equal(old, Bytes(NerFeatureSet.None));
        Assert.Equal(Bytes(NerFeatureSet.GazetteerSpan), Bytes(NerFeatureSet.GazetteerSpan));
        // The first word of the decompressed file is the format: "NEM2" (no clusters, no new templates) as before this change.
        Assert.Equal(0x324D454Eu, BitConverter.ToUInt32(BrotliFiles.Decompressed(old)));
    }

    [Fact]
    public void Trigger_words_are_words_outside_names_that_mostly_announce_one_type()
    {
        var sentences = new List<(TaggerWord[] Words, string[] Tags)>();
        for (var i = 0; i < 4; i++)
        {
            // "envoy" announces a person 3 times in 4; "in" a place once in 4 (below the share); "rare" is seen twice only.
            sentences.Add((Words("the", "envoy", i < 3 ? "alice" : "spoke", "in", i == 0 ? "paris" : "time"), ["O", "O", i < 3 ? "B-PERS" : "O", "O", i == 0 ? "B-LOC" : "O"]));
        }
        sentences.Add((Words("rare", "bob"), ["O", "B-PERS"]));
        sentences.Add((Words("rare", "carol"), ["O", "B-PERS"]));
        // Inside a name, "alice" before another name word is not a trigger: only words tagged O count.
        sentences.Add((Words("alice", "smith"), ["B-PERS", "I-PERS"]));

        var triggers = TriggerWords.Learn(sentences, minCount: 3, minShare: 0.5);

        var envoy = Words("envoy")[0].LexicalKey;
        Assert.Equal(new Dictionary<string, string> { [envoy] = "PERS" }, triggers);
    }

    [Fact]
    public void A_model_with_learned_triggers_keeps_them_in_its_file()
    {
        var training = Enumerable.Range(0, 8)
            .Select(i => (Words("the", "envoy", i % 2 == 0 ? "alice" : "bob", "left"), new[] { "O", "O", "B-PERS", "O" }))
            .ToList();
        var gazetteer = new NameGazetteer();
        var model = NerModel.Train(training, gazetteer, 3, 2, folds: 2, set: NerFeatureSet.LearnedTriggers);
        using var file = new MemoryStream();
        model.Save(file);

        file.Position = 0;
        var loaded = NerModel.Load(file, gazetteer);
        Assert.Equal(model.Triggers, loaded.Triggers);
        Assert.Equal("PERS", loaded.Triggers![Words("envoy")[0].LexicalKey]);
        var sentence = Words("the", "envoy", "carol", "left");
        Assert.Equal(model.TagDocument([sentence]), loaded.TagDocument([sentence]));
    }

    [Fact]
    public void A_model_file_with_unknown_feature_templates_is_refused()
    {
        using var file = BrotliFiles.Write(writer =>
        {
            writer.Write(0x344D454Eu); // NEM4
            writer.Write(false);
            writer.Write(1 << 20);
        });
        Assert.Throws<InvalidDataException>(() => NerModel.Load(file, new NameGazetteer()));
    }
}
