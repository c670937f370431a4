using NewsMonitor.Entities.Recognition;
using NewsMonitor.Testing;

namespace NewsMonitor.Entities.Tests;

public class EntitySpotterTests
{
    private static readonly EntitySpotter Spotter = new(EntityCatalog.LoadBuiltIn());

    [Theory]
    [InlineData("nato-london-summit-2019", new[] { "NATO", "London", "Russia", "Turkey", "Poland", "China", "Recep Tayyip Erdogan", "Jens Stoltenberg", "Donald Trump", "Emmanuel Macron", "Ankara", "People's Protection Units" })]
    [InlineData("nato-washington-summit-2024", new[] { "NATO", "United States", "Washington", "Ukraine", "Vilnius", "US Department of State" })]
    [InlineData("blinken-rutte-brussels", new[] { "NATO", "Antony Blinken", "Mark Rutte", "Ukraine", "European Union", "Brussels", "Hamas", "United States" })]
    public void Sample_articles_yield_the_entities_a_reader_sees(string id, string[] expected)
    {
        var entities = Spotter.Extract(SampleArticles.Get(id).Body);
        Assert.Superset(expected.ToHashSet(), entities.Select(entity => entity.Name).ToHashSet());
    }

    [Theory]
    [InlineData("nato-london-summit-2019")]
    [InlineData("nato-washington-summit-2024")]
    [InlineData("blinken-rutte-brussels")]
    public void Every_mention_offset_points_at_its_text(string id)
    {
        var body = SampleArticles.Get(id).Body;
        foreach (var mention in Spotter.Extract(body).SelectMany(entity => entity.Mentions))
        {
            Assert.Equal(mention.Text, body.Substring(mention.Start, mention.Length));
        }
    }

    [Fact]
    public void Aliases_resolve_to_one_canonical_entity()
    {
        const string text = "قال الرئيس دونالد ترامب إن ترمب لن يحضر، وأكد Trump ذلك. وقال حلف شمال الأطلسي إن الناتو موحد، وقال حلف الناتو أيضاً.";
        var entities = Spotter.Extract(text);
        var trump = Assert.Single(entities, entity => entity.Id == "donald-trump");
        Assert.Equal(["دونالد ترامب", "ترمب", "Trump"], trump.Mentions.Select(mention => mention.Text));
        var nato = Assert.Single(entities, entity => entity.Id == "nato");
        Assert.Equal("ORG", nato.Type);
        Assert.Equal(3, nato.Mentions.Count);
        Assert.Contains("حلف شمال الاطلسي", nato.Aliases!);
        Assert.Contains("nato", nato.Aliases!);
    }

    [Fact]
    public void Names_are_not_found_inside_other_words_and_common_words_are_not_names()
    {
        var entities = Spotter.Extract("البولنديون يحتفلون اليوم بالعيد الوطني في الوطن");
        Assert.DoesNotContain(entities, entity => entity.Name == "Poland");
        Assert.DoesNotContain(entities, entity => entity.Mentions.Any(mention => mention.Text is "اليوم" or "الوطن"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("lorem ipsum dolor sit amet")]
    [InlineData("<p>مرحبا <b>بالعالم</b></p>")]
    public void Text_without_names_yields_none(string text) => Assert.Empty(Spotter.Extract(text));

    [Fact]
    public void A_megabyte_article_is_handled()
    {
        var body = string.Concat(Enumerable.Repeat("التقى بلينكن مع روته في بروكسل لبحث دعم أوكرانيا. ", 20_000));
        var entities = Spotter.Extract(body);
        Assert.Equal(20_000, entities.Single(entity => entity.Id == "mark-rutte").Mentions.Count);
    }

    [Fact]
    public void The_catalog_skips_gazetteer_words_that_are_common_in_annotated_text()
    {
        var catalog = new EntityCatalog(["اليوم"]);
        Assert.False(catalog.AddGazetteerName("اليوم", "ORG"));
        Assert.True(catalog.AddGazetteerName("رويترز", "ORG"));
        Assert.False(catalog.AddGazetteerName("رويترز", "ORG"));
    }
}
