namespace NewsMonitor.Text.Tests;

public class CliticsAndIdsTests
{
    [Theory]
    [InlineData("للناتو", "الناتو")]
    [InlineData("لحلف", "حلف")]
    [InlineData("وروسيا", "روسيا")]
    [InlineData("لبولندا", "بولندا")]
    [InlineData("وبالناتو", "بالناتو")]
    [InlineData("بالانفاق", "الانفاق")]
    public void Readings_include_the_proclitic_stripped_form(string word, string reading) =>
        Assert.Contains(reading, Clitics.Readings(ArabicNormalizer.Normalize(word)));

    [Theory]
    [InlineData("بولندا")]
    [InlineData("لاهاي")]
    [InlineData("ليتوانيا")]
    [InlineData("روته")]
    public void The_word_itself_is_always_the_first_reading(string word) =>
        Assert.Equal(word, Clitics.Readings(word)[0]);

    [Fact]
    public void Short_words_are_not_cut()
    {
        Assert.Equal(["بل"], Clitics.Readings("بل"));
        Assert.Equal(["لها"], Clitics.Readings("لها"));
    }

    [Fact]
    public void Deterministic_ids_are_stable_version5_uuids()
    {
        var scope = new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"); // RFC 9562 DNS namespace; expected value from Python's uuid.uuid5
        Assert.Equal(new Guid("2ed6657d-e927-568b-95e1-2665a8aea6a2"), DeterministicId.Create(scope, "www.example.com"));
        Assert.NotEqual(DeterministicId.Create(scope, "a"), DeterministicId.Create(scope, "b"));
    }
}
