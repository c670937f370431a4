using System.Security.Cryptography;
using NewsMonitor.Entities.Recognition;
using NewsMonitor.Testing;
using NewsMonitor.Text;

namespace NewsMonitor.Entities.Tests;

/// <summary>
/// The shipped model's weights mean something only with exactly the features it was trained on. Any change to how
/// the features are computed (a faster path to the same look-ups, say) must leave every hash of every token as it
/// was: this digest was taken from the feature extraction the shipped model was trained with.
/// </summary>
public class NerFeatureStabilityTests
{
    private const string Digest = "F23A2A04A9DC1861903A9CCE75F0ECA39E48BF5CD28EAC4BD4596D5701D1531A";

    [Fact]
    public void The_shipped_models_features_of_the_sample_articles_are_unchanged_in_both_passes()
    {
        var model = BuiltInData.TrainedTagger;
        var gazetteer = BuiltInData.NameGazetteer;
        var clusters = model.UsesClusters ? BuiltInData.WordClusters : null;
        var sentences = SampleArticles.All.SelectMany(article => Sentences(article.Title + " . " + article.Body)).ToList();
        // The model's own tags stand in for a first pass: the second pass's features read them and the memory built from them.
        var tags = model.TagDocument(sentences);

        var (actual, count) = FeatureDigest(sentences, tags, gazetteer, clusters, model.FeatureSet, model.Triggers);

        Assert.True(count > 100_000, $"{count} features: the sample articles should give about 4,000 tokens in two passes");
        Assert.True(actual == Digest, $"the features changed: digest {actual}, the shipped model's {Digest}");
    }

    private const string EveryTemplateDigest = "D6992283EA91600C86B7019EB7FB77E0271C4AC221F50B6AD8B1F1D80C913B29";

    // Every template the feature sets can switch on, with word clusters and a learned-trigger list, over both passes: the
    // shipped model uses only some of them, and a model trained with the others must keep its features too. The tags
    // the second pass reads are a fixed pattern, so this digest depends on no model.
    [Fact]
    public void Every_templates_features_of_the_sample_articles_are_unchanged()
    {
        var gazetteer = BuiltInData.NameGazetteer;
        var clusters = BuiltInData.WordClusters;
        Assert.NotNull(clusters);
        var all = NerFeatureSet.NeighbourForms | NerFeatureSet.WideClusters | NerFeatureSet.GazetteerSpan | NerFeatureSet.TagContext | NerFeatureSet.LearnedTriggers;
        var sentences = SampleArticles.All.SelectMany(article => Sentences(article.Title + " . " + article.Body)).ToList();
        string[] types = ["PERS", "ORG", "LOC"];
        var triggers = sentences.SelectMany(words => words).Select(word => word.LexicalKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Where((_, index) => index % 7 == 0).Select((key, index) => (key, type: types[index % 3])).ToDictionary(pair => pair.key, pair => pair.type, StringComparer.Ordinal);
        var tags = sentences.Select((words, s) => words.Select((_, i) => PerceptronTagger.Tags[(i * 7 + s) % PerceptronTagger.Tags.Count]).ToArray()).ToList();

        var (actual, count) = FeatureDigest(sentences, tags, gazetteer, clusters, all, triggers);

        Assert.True(triggers.Count > 100 && count > 200_000, $"{triggers.Count} triggers, {count} features");
        Assert.True(actual == EveryTemplateDigest, $"the features changed: digest {actual}, before {EveryTemplateDigest}");
    }

    // SHA-256 over every word's feature count and hashes, first pass then second (reading tags and the memory built from
    // them) for each sentence; and how many hashes that was.
    private static (string Digest, int Count) FeatureDigest(List<TaggerWord[]> sentences, IReadOnlyList<string[]> tags, NameGazetteer gazetteer, WordClusters? clusters,
        NerFeatureSet set, IReadOnlyDictionary<string, string>? triggers)
    {
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var count = 0;
        for (var s = 0; s < sentences.Count; s++)
        {
            var context = new SentenceContext(tags[s], NerModel.Memory(sentences, tags, s, NerModel.DefaultWindow));
            foreach (var pass in new[] { PerceptronTagger.Extract(sentences[s], null, gazetteer, clusters, set, triggers), PerceptronTagger.Extract(sentences[s], context, gazetteer, clusters, set, triggers) })
            {
                foreach (var word in pass)
                {
                    digest.AppendData(BitConverter.GetBytes(word.Length));
                    foreach (var feature in word) digest.AppendData(BitConverter.GetBytes(feature));
                    count += word.Length;
                }
            }
        }
        return (Convert.ToHexString(digest.GetHashAndReset()), count);
    }

    // Sentences of at most 30 words, ending after a word that ends with a full stop, question or exclamation mark.
    private static IEnumerable<TaggerWord[]> Sentences(string text)
    {
        var sentence = new List<string>();
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            sentence.Add(word);
            if (sentence.Count < 30 && !word.EndsWith('.') && !word.EndsWith('؟') && !word.EndsWith('!')) continue;
            yield return TaggerWord.FromWords(sentence, TextAnalyzer.BuiltIn);
            sentence.Clear();
        }
        if (sentence.Count > 0) yield return TaggerWord.FromWords(sentence, TextAnalyzer.BuiltIn);
    }
}
