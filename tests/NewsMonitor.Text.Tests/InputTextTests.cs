namespace NewsMonitor.Text.Tests;

public class InputTextTests
{
    [Theory]
    [InlineData("قمة الناتو في لاهاي")]
    [InlineData("NATO summit 🇳🇱 in The Hague")] // surrogate pairs are characters
    [InlineData("line one\nline two\ttabbed")]
    [InlineData("\u202Bقمة NATO\u202C \u2067لاهاي\u2069 \u200F\u200E\u061C")] // Arabic prose uses embeddings, isolates and marks
    [InlineData("")]
    [InlineData(null)]
    public void Prose_accepts_everything_that_can_be_stored(string? text) => Assert.Null(InputText.Check(text, TextKind.Prose));

    // Built here, not in attributes: test data with an unpaired surrogate does not survive serialisation to the runner.
    [Fact]
    public void Every_kind_refuses_what_cannot_be_stored()
    {
        (string Text, string Named, int Position)[] cases =
        [
            ("a\0b", "NUL", 1),
            (new string('\uD800', 1), "unpaired surrogate (U+D800)", 0),
            ("ab" + '\uDC00', "unpaired surrogate (U+DC00)", 2),
            ("a" + '\uD800' + "b", "unpaired surrogate (U+D800)", 1),
            ("🇳🇱" + '\uDBFF', "unpaired surrogate (U+DBFF)", 4),
        ];
        foreach (var (text, named, position) in cases)
        {
            foreach (var kind in Enum.GetValues<TextKind>())
            {
                var problem = InputText.Check(text, kind);
                Assert.NotNull(problem);
                Assert.Contains(named, problem, StringComparison.Ordinal);
                Assert.Contains($"position {position}", problem, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void A_string_over_the_limit_is_refused_by_its_length()
    {
        Assert.Null(InputText.Check(new string('x', InputText.MaxLength)));
        Assert.Contains("1,000,001 characters", InputText.Check(new string('x', InputText.MaxLength + 1)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData('\u202A')]
    [InlineData('\u202B')]
    [InlineData('\u202C')]
    [InlineData('\u202D')]
    [InlineData('\u202E')]
    [InlineData('\u2066')]
    [InlineData('\u2067')]
    [InlineData('\u2068')]
    [InlineData('\u2069')]
    public void Names_and_rules_refuse_bidirectional_embeddings_overrides_and_isolates(char control)
    {
        var text = "invoice" + control + "fdp.exe";
        Assert.Null(InputText.Check(text, TextKind.Prose));
        Assert.Contains("bidirectional control U+" + ((int)control).ToString("X4", System.Globalization.CultureInfo.InvariantCulture), InputText.Check(text, TextKind.Name), StringComparison.Ordinal);
        Assert.NotNull(InputText.Check(text, TextKind.Rule));
    }

    [Theory]
    [InlineData("\u200Fالناتو")]
    [InlineData("حلف\u200E NATO")]
    [InlineData("\u061Cروته")]
    public void Names_and_rules_accept_the_directional_marks(string text)
    {
        Assert.Null(InputText.Check(text, TextKind.Name));
        Assert.Null(InputText.Check(text, TextKind.Rule));
    }

    [Theory]
    [InlineData("a\nb")]
    [InlineData("a\tb")]
    [InlineData("a\u001Bb")]
    [InlineData("a\u0085b")]
    public void Names_are_one_line_of_visible_text(string text) => Assert.Contains("control character", InputText.Check(text, TextKind.Name), StringComparison.Ordinal);

    [Fact]
    public void Rules_may_span_lines_but_carry_no_other_controls()
    {
        Assert.Null(InputText.Check("الناتو\r\nOR\t\"حلف شمال الأطلسي\"", TextKind.Rule));
        Assert.NotNull(InputText.Check("الناتو\u0007", TextKind.Rule));
    }

    [Fact]
    public void Refuse_names_the_field_and_keeps_an_earlier_error()
    {
        var errors = new Dictionary<string, string[]>();
        Assert.True(InputText.Refuse(errors, "name", "a\0", TextKind.Name));
        Assert.StartsWith("name contains a NUL character", errors["name"][0], StringComparison.Ordinal);
        Assert.False(InputText.Refuse(errors, "rule", "الناتو", TextKind.Rule));
        Assert.True(InputText.Refuse(errors, "name", "\u202E", TextKind.Name));
        Assert.Single(errors);
        Assert.Contains("NUL", errors["name"][0], StringComparison.Ordinal);
    }
}
