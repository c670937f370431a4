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
