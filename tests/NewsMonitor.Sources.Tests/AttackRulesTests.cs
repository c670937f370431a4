using NewsMonitor.Sources.Sources;

namespace NewsMonitor.Sources.Tests;

/// <summary>Pure rules added by issue 14's attack review.</summary>
public class AttackRulesTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("  ", null)]
    [InlineData("ar", "ar")]
    [InlineData(" ar-EG ", "ar-EG")]
    [InlineData("en_US", "en-US")]
    [InlineData("en-us, ar", "en-us")]
    [InlineData("fr; q=1", "fr")]
    [InlineData("<b>en</b>", null)]
    [InlineData("x\u0001y", null)]
    [InlineData("e", null)]
    [InlineData("english-language-of-the-united-kingdom-and-more", null)]
    public void Declared_languages_become_tags_or_nothing(string? declared, string? tag) => Assert.Equal(tag, SourceRules.LanguageTagOf(declared));
}
