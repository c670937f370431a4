namespace NewsMonitor.Feeds.Tests;

public class HtmlTextTests
{
    [Theory]
    [InlineData(null, "")]
    [InlineData("  ", "")]
    [InlineData("plain   text\n with  breaks", "plain text with breaks")]
    [InlineData("first\n\nsecond", "first\n\nsecond")]
    [InlineData("<p>قمة  <b>الناتو</b></p><p>في&nbsp;لندن</p>", "قمة الناتو\n\nفي لندن")]
    [InlineData("a<br>b<br/><br/>c", "a\n\nb\n\nc")]
    [InlineData("<div>x<script>alert('no')</script><style>p{}</style> y</div>", "x y")]
    [InlineData("AT&amp;T &amp;amp; &amp;nbsp;co &#1602;", "AT&T & co ق")]
    [InlineData("<ul><li>one</li><li>two</li></ul>", "one\n\ntwo")]
    [InlineData("<table><tr><td>a</td><td>b</td></tr></table>", "a b")]
    public void Html_becomes_collapsed_paragraphs(string? html, string text) => Assert.Equal(text, HtmlText.ToPlainText(html));
}

public class HostileHtmlTests
{
    private static readonly string Paragraphs = string.Concat(Fixture.Lines("article.paragraphs.txt").Select(p => $"<p>{p}</p>"));

    private static string Nested(int depth, string inner) =>
        string.Concat(Enumerable.Repeat("<div><span>", depth)) + inner + string.Concat(Enumerable.Repeat("</span></div>", depth));

    [Fact]
    public void Html_too_deep_to_parse_in_bounded_time_still_gives_its_words()
    {
        // 200,000 nested elements: AngleSharp alone would take minutes on this.
        Assert.Equal("عمق <b>", HtmlText.ToPlainText(Nested(100_000, "<p>عمق &lt;b&gt;</p><script>x()</script>")));
    }

    [Fact]
    public void Pages_too_deep_or_too_big_are_refused_with_a_reason()
    {
        var uri = new Uri("https://news.example.com/deep");
        Assert.Null(PageExtractor.Extract($"<html><body>{Nested(2_000, Paragraphs)}</body></html>", uri, out var reason));
        Assert.Equal("the HTML nests elements 4002 deep; the limit is 500", reason);

        var wide = string.Concat(Enumerable.Repeat("<div><a href=\"/x\">x</a></div>", 13_000));
        Assert.Null(PageExtractor.Extract($"<html><body>{wide}{Paragraphs}</body></html>", uri, out reason));
        Assert.StartsWith("the HTML has 2600", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<p>a<p>b<p>c<br><img src=x><hr/>", 6, 0)]
    [InlineData("<div><section><article><p>x</p></article></section></div>", 4, 3)]
    [InlineData("<!-- <div><div><div> --><div></div>", 1, 1)]
    [InlineData("<script>if (a<b && c<d) document.write('<div><div>')</script><div>x</div>", 2, 1)]
    [InlineData("<ul><li>a<ul><li>b</li></ul></li></ul>", 4, 2)]
    public void The_shape_counts_start_tags_and_real_nesting(string html, int elements, int depth) =>
        Assert.Equal((elements, depth), HtmlShape.Measure(html));
}
