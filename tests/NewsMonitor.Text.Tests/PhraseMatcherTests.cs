namespace NewsMonitor.Text.Tests;

public class PhraseMatcherTests
{
    private static List<string> Found(string phrase, string text)
    {
        var matcher = new PhraseMatcher<string>();
        matcher.Add(phrase, phrase);
        return matcher.FindAll(text).Select(match => text.Substring(match.Start, match.Length)).ToList();
    }

    [Theory]
    [InlineData("الناتو", "قال الأمين العام للناتو", "للناتو")]
    [InlineData("الناتو", "وقال قادة والناتو", "الناتو")]
    [InlineData("الناتو", "اجتمع بالناتو", "الناتو")]
    [InlineData("روسيا", "دول البلطيق المجاورة لروسيا وبولندا", "روسيا")]
    [InlineData("روسيا", "وروسيا تهدد", "روسيا")]
    [InlineData("بولندا", "لروسيا وبولندا", "بولندا")]
    [InlineData("بولندا", "خطة لبولندا", "بولندا")]
    [InlineData("أوكرانيا", "دعم اوكرانيا", "اوكرانيا")]
    [InlineData("اوكرانيا", "دعم لأوكرانيا", "أوكرانيا")]
    [InlineData("حلف شمال الأطلسي", "قمة لحلف شمال الأطلسى في واشنطن", "حلف شمال الأطلسى")]
    [InlineData("الإنفاق", "التزام بالإنفاق الدفاعي", "الإنفاق")]
    [InlineData("NATO", "the nato summit", "nato")]
    [InlineData("الناتو", "قال قادة الحلف للناتو", "للناتو")]
    [InlineData("ناتو", "قال قادة الناتو", "الناتو")]
    [InlineData("فرانكيفيتشوف", "قال لفرانكيفيتشوف", "لفرانكيفيتشوف")]
    public void Finds_a_phrase_in_its_clitic_attached_and_spelling_variants(string phrase, string text, string expected) =>
        Assert.Equal([expected], Found(phrase, text));

    [Theory]
    [InlineData("بولندا", "البولنديون يحتجون")]
    [InlineData("الناتو", "ناتوية")]
    [InlineData("روسيا", "الروسية")]
    [InlineData("حلف شمال الأطلسي", "حلف شمال افريقيا")]
    [InlineData("حلف شمال الأطلسي", "حلف شمال، الأطلسي")]
    [InlineData("الناتو", "ناتو")]
    public void Does_not_find_a_phrase_inside_unrelated_words(string phrase, string text) =>
        Assert.Empty(Found(phrase, text));

    [Fact]
    public void Longest_match_wins_and_offsets_point_at_the_mention()
    {
        var matcher = new PhraseMatcher<string>();
        matcher.Add("الناتو", "short");
        matcher.Add("حلف الناتو", "long");
        const string text = "أكد حلف الناتو أن الناتو موحد";
        var found = matcher.FindLongest(text);
        Assert.Equal(["long", "short"], found.Select(match => match.Payload));
        Assert.Equal("حلف الناتو", text.Substring(found[0].Start, found[0].Length));
        Assert.Equal("الناتو", text.Substring(found[1].Start, found[1].Length));
    }

    [Fact]
    public void Reports_every_payload_of_a_shared_phrase()
    {
        var matcher = new PhraseMatcher<int>();
        matcher.Add("الناتو", 1);
        matcher.Add("الناتو", 2);
        Assert.Equal([1, 2], matcher.FindAll("قمة الناتو").Select(match => match.Payload));
        Assert.Equal(1, matcher.Count);
    }

    [Fact]
    public void Phrases_continuing_through_different_readings_of_a_word_are_all_found()
    {
        var matcher = new PhraseMatcher<int>();
        matcher.Add("تعزيز العلاقات", 1);
        matcher.Add("تعزيز علاقات", 2);
        Assert.Equal([1, 2], matcher.FindAll("تحرك لتعزيز العلاقات التجارية").Select(match => match.Payload).Order());
    }

    [Fact]
    public void Distinct_phrases_are_reported_once_however_often_they_occur()
    {
        var matcher = new PhraseMatcher<int>();
        matcher.Add("الناتو", 1);
        matcher.Add("الناتو", 2);
        matcher.Add("حلف الناتو", 3);
        matcher.Add("روسيا", 4);
        var text = TextAnalyzer.BuiltIn.Analyze("قال حلف الناتو إن الناتو سيجتمع. وللناتو قمة أخرى في حلف الناتو");
        var reported = new List<IReadOnlyList<int>>();
        matcher.ForEachDistinctPhrase(text, reported.Add);
        // Three occurrences of الناتو and two of حلف الناتو: each phrase's payloads once, روسيا not at all.
        Assert.Equal(2, reported.Count);
        Assert.Equal([1, 2, 3], reported.SelectMany(payloads => payloads).Order());
        // The same payloads as every occurrence would give, without the repeats.
        Assert.Equal(matcher.FindAll(text).Select(match => match.Payload).Distinct().Order(), reported.SelectMany(payloads => payloads).Order());
    }

    [Fact]
    public void Ignores_phrases_without_tokens() => Assert.False(new PhraseMatcher<int>().Add(" ،؛ ", 1));
}
