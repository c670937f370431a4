using NewsMonitor.Entities.Recognition;
using NewsMonitor.Text;

namespace NewsMonitor.Entities.Tests;

public class WordClustersTests
{
    // People stand after "said" and before "spoke"; places after "in" and before "yesterday"; numbers between "paid" and "dollars".
    private static List<IReadOnlyList<string>> Corpus()
    {
        string[] people = ["alice", "bob", "carol", "dave", "erin"], places = ["paris", "rome", "oslo", "lima", "kyiv"], numbers = ["one", "two", "three", "four", "five"];
        var sentences = new List<IReadOnlyList<string>>();
        for (var round = 0; round < 4; round++)
        {
            for (var i = 0; i < 5; i++)
            {
                sentences.Add(["said", people[i], "spoke", "in", places[(i + round) % 5], "yesterday"]);
                sentences.Add(["then", "said", people[(i + 2 * round) % 5], "spoke", "and", "paid", numbers[i], "dollars"]);
                sentences.Add(["we", "met", "in", places[i], "yesterday", "and", "paid", numbers[(i + round) % 5], "dollars"]);
            }
        }
        return sentences;
    }

    private static int Shared(string a, string b) => a.Zip(b).TakeWhile(pair => pair.First == pair.Second).Count();

    [Fact]
    public void Words_used_alike_share_a_longer_path_than_words_used_differently()
    {
        var clusters = WordClusters.Build(Corpus(), depth: 6, minCount: 2, contextWords: 12);
        var alice = clusters.Path("alice")!;
        Assert.NotNull(alice);
        foreach (var person in new[] { "bob", "carol", "dave", "erin" })
        {
            foreach (var other in new[] { "paris", "rome", "one", "three" })
                Assert.True(Shared(alice, clusters.Path(person)!) > Shared(alice, clusters.Path(other)!), $"{person} {clusters.Path(person)} vs {other} {clusters.Path(other)} (alice {alice})");
        }
        Assert.True(Shared(clusters.Path("paris")!, clusters.Path("oslo")!) > Shared(clusters.Path("paris")!, clusters.Path("two")!));
        Assert.Null(clusters.Path("unseen"));
    }

    [Fact]
    public void Building_twice_gives_the_same_file_and_the_file_reads_back()
    {
        static string Text(WordClusters clusters)
        {
            using var writer = new StringWriter();
            clusters.Write(writer);
            return writer.ToString();
        }
        var first = Text(WordClusters.Build(Corpus(), depth: 6, minCount: 2, contextWords: 12));
        var second = Text(WordClusters.Build(Corpus(), depth: 6, minCount: 2, contextWords: 12));
        Assert.Equal(first, second);
        var read = WordClusters.Read(new StringReader(first));
        Assert.Equal(first, Text(read));
        Assert.True(read.Count > 15);
    }

    [Fact]
    public void Words_below_the_minimum_count_get_no_cluster()
    {
        var corpus = Corpus();
        corpus.Add(["said", "zed", "spoke"]);
        var clusters = WordClusters.Build(corpus, depth: 6, minCount: 2, contextWords: 12);
        Assert.Null(clusters.Path("zed"));
        Assert.NotNull(clusters.Path("bob"));
    }

    [Fact]
    public void A_name_never_seen_in_training_is_tagged_through_its_cluster()
    {
        // Training names only alice and bob, after "said"; the test sentence puts carol (never in training, but
        // clustered with them by unlabelled text) where no training context points at a name.
        var analyzer = TextAnalyzer.BuiltIn;
        var training = new List<(TaggerWord[] Words, string[] Tags)>();
        for (var i = 0; i < 30; i++)
        {
            training.Add((TaggerWord.FromWords(["said", i % 2 == 0 ? "alice" : "bob", "spoke"], analyzer), ["O", "B-PERS", "O"]));
            training.Add((TaggerWord.FromWords(["we", "met", "in", "paris", "yesterday"], analyzer), ["O", "O", "O", "O", "O"]));
            training.Add((TaggerWord.FromWords(["paid", "one", "dollars"], analyzer), ["O", "O", "O"]));
        }
        // Clusters given directly (their building is tested above): the three names share a path, other words do not.
        var paths = new Dictionary<string, string>
        {
            ["alice"] = "101101", ["bob"] = "101101", ["carol"] = "101101", ["said"] = "000111", ["spoke"] = "010010",
            ["we"] = "001001", ["met"] = "001010", ["in"] = "011011", ["paris"] = "110110", ["yesterday"] = "011100",
            ["paid"] = "000001", ["one"] = "111000", ["dollars"] = "111111", ["look"] = "010101", ["now"] = "100100",
        };
        var keys = TaggerWord.FromWords([.. paths.Keys], analyzer).Select(word => word.LexicalKey).ToList();
        var clusters = new WordClusters(keys.Zip(paths.Values).ToDictionary(pair => pair.First, pair => pair.Second));
        var gazetteer = new NameGazetteer();
        var test = TaggerWord.FromWords(["look", "carol", "now"], analyzer);

        var withClusters = PerceptronTagger.Train(training, gazetteer, 5, clusters: clusters);
        var without = PerceptronTagger.Train(training, gazetteer, 5);

        Assert.Equal(["O", "B-PERS", "O"], withClusters.Tag(test));
        Assert.Equal(["O", "O", "O"], without.Tag(test));
    }

    [Fact]
    public void A_model_trained_with_clusters_round_trips_and_refuses_to_load_without_them()
    {
        var analyzer = TextAnalyzer.BuiltIn;
        var training = Enumerable.Range(0, 10)
            .Select(i => (TaggerWord.FromWords(["said", i % 2 == 0 ? "alice" : "bob", "spoke", "in", "paris"], analyzer), new[] { "O", "B-PERS", "O", "O", "B-LOC" }))
            .ToList();
        var clusters = WordClusters.Build(Corpus(), depth: 6, minCount: 2, contextWords: 12);
        var gazetteer = new NameGazetteer();
        var model = NerModel.Train(training, gazetteer, 3, 2, folds: 2, clusters: clusters);
        Assert.True(model.UsesClusters);
        using var file = new MemoryStream();
        model.Save(file);

        file.Position = 0;
        var loaded = NerModel.Load(file, gazetteer, clusters);
        var sentence = TaggerWord.FromWords(["said", "carol", "spoke", "in", "rome"], analyzer);
        Assert.Equal(model.TagDocument([sentence]), loaded.TagDocument([sentence]));

        file.Position = 0;
        Assert.Throws<InvalidDataException>(() => NerModel.Load(file, gazetteer));
    }
}

public class DocumentConsistencyTests
{
    private static TaggerWord[] Words(params string[] words) => TaggerWord.FromWords(words, TextAnalyzer.BuiltIn);

    [Fact]
    public void A_name_tagged_once_tags_its_untagged_repeats_in_the_document()
    {
        var sentences = new[] { Words("قال", "كوفي", "عنان", "امس"), Words("واضاف", "كوفي", "عنان", "ان", "عنان", "يعود") };
        string[][] tags = [["O", "B-PERS", "I-PERS", "O"], ["O", "O", "O", "O", "O", "O"]];
        var result = DocumentConsistency.Apply(sentences, tags);
        Assert.Equal(["O", "B-PERS", "I-PERS", "O"], result[0]);
        // The full name is matched first (longest); the lone عنان only if it was tagged alone somewhere.
        Assert.Equal(["O", "B-PERS", "I-PERS", "O", "O", "O"], result[1]);
    }

    [Fact]
    public void Tagged_words_are_never_changed_and_the_majority_type_wins()
    {
        var sentences = new[] { Words("زار", "الاردن", "امس"), Words("في", "الاردن"), Words("بنك", "الاردن"), Words("ذهب", "الى", "الاردن") };
        string[][] tags = [["O", "B-LOC", "O"], ["O", "B-LOC"], ["B-ORG", "I-ORG"], ["O", "O", "O"]];
        var result = DocumentConsistency.Apply(sentences, tags);
        Assert.Equal(["B-ORG", "I-ORG"], result[2]);
        Assert.Equal(["O", "O", "B-LOC"], result[3]);
        Assert.Equal(["O", "O", "O"], tags[3]); // the input is not modified
    }

    [Fact]
    public void Names_outside_the_window_do_not_count_and_short_words_never_match()
    {
        var sentences = new[] { Words("قال", "عنان"), Words("كلام", "عام"), Words("ثم", "عنان"), Words("و", "في") };
        string[][] tags = [["O", "B-PERS"], ["O", "O"], ["O", "O"], ["B-LOC", "O"]];
        Assert.Equal(["O", "O"], DocumentConsistency.Apply(sentences, tags, window: 1)[2]);
        var whole = DocumentConsistency.Apply(sentences, tags);
        Assert.Equal(["O", "B-PERS"], whole[2]);
        Assert.Equal(["B-LOC", "O"], whole[3]);
    }

    [Fact]
    public void A_repeat_right_after_a_name_of_its_type_is_left_alone()
    {
        var sentences = new[] { Words("قال", "عنان"), Words("وقال", "كوفي", "عنان") };
        string[][] tags = [["O", "B-PERS"], ["O", "B-PERS", "O"]];
        Assert.Equal(["O", "B-PERS", "O"], DocumentConsistency.Apply(sentences, tags)[1]);
    }
}
