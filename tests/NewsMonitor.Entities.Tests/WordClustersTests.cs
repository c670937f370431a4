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
        var unlabelled = Corpus().Select(sentence => (IReadOnlyList<string>)TaggerWord.FromWords(sentence, analyzer).Select(w => w.LexicalKey).ToList()).ToList();
        var clusters = WordClusters.Build(unlabelled, depth: 6, minCount: 2, contextWords: 12);
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
