using System.Text;
using NewsMonitor.Load;

namespace NewsMonitor.Load.Tests;

public sealed class ArticleMixTests
{
    private static readonly string[] Sentences = Enumerable.Range(0, 400)
        .Select(i => $"قال المتحدث باسم الوزارة في البيان رقم {i} إن المحادثات مستمرة بين الوفدين حول الملفات العالقة.").ToArray();

    private static readonly string[] Leads = ["افتتح الأمين العام لحلف شمال الأطلسي القمة في لاهاي بكلمة عن وحدة الحلف وعن الإنفاق الدفاعي للدول الأعضاء وعن دعم أوكرانيا في الحرب. " + new string('ب', 120)];

    [Fact]
    public void Articles_are_unique_and_between_1_and_20_KB()
    {
        var articles = ArticleMix.Generate(500, Sentences, Leads, new Random(7));
        Assert.Equal(500, articles.Count);
        Assert.Equal(500, articles.Select(article => article.Body).Distinct().Count());
        Assert.All(articles, article => Assert.InRange(Encoding.UTF8.GetByteCount(article.Body), ArticleMix.MinBytes, ArticleMix.MaxBytes));
    }

    [Fact]
    public void Sizes_follow_the_issue_s_articles_about_6_KB_on_average()
    {
        var articles = ArticleMix.Generate(1000, Sentences, [], new Random(11));
        var meanKb = articles.Average(article => Encoding.UTF8.GetByteCount(article.Body)) / 1024.0;
        Assert.InRange(meanKb, 5.0, 7.5);
        // Spread, not one size: some short and some long articles.
        Assert.Contains(articles, article => Encoding.UTF8.GetByteCount(article.Body) < 3 * 1024);
        Assert.Contains(articles, article => Encoding.UTF8.GetByteCount(article.Body) > 10 * 1024);
    }

    [Fact]
    public void Leads_open_articles_at_least_three_times_their_size_which_are_titled_by_their_first_sentence()
    {
        var articles = ArticleMix.Generate(200, Sentences, Leads, new Random(3));
        var led = articles.Where(article => article.Body.StartsWith(Leads[0][..40], StringComparison.Ordinal)).ToList();
        Assert.InRange(led.Count, 20, 199); // most articles are long enough for it, short ones go without
        Assert.All(led, article => Assert.True(Encoding.UTF8.GetByteCount(article.Body) >= 3 * Encoding.UTF8.GetByteCount(Leads[0])));
        Assert.Equal("افتتح الأمين العام لحلف شمال الأطلسي القمة في لاهاي بكلمة عن وحدة الحلف وعن الإنفاق الدفاعي للدول الأعضاء وعن", led[0].Title);
        Assert.Contains("\n\n", led[0].Body, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_seed_gives_the_same_articles()
    {
        var first = ArticleMix.Generate(20, Sentences, Leads, new Random(5));
        var second = ArticleMix.Generate(20, Sentences, Leads, new Random(5));
        Assert.Equal(first, second);
    }

    [Fact]
    public void Too_few_sentences_for_the_count_is_refused_not_looped_on()
    {
        Assert.Throws<ArgumentException>(() => ArticleMix.Generate(5, Sentences[..3], [], new Random(1)));
    }

    [Fact]
    public void Titles_are_cut_at_a_word()
    {
        var body = string.Join(' ', Enumerable.Repeat("كلمة", 60)) + ". بقية";
        var title = ArticleMix.Title(body);
        Assert.True(title.Length <= 110);
        Assert.EndsWith("كلمة", title, StringComparison.Ordinal);
        Assert.Equal("خبر قصير", ArticleMix.Title("خبر قصير. ثم نص"));
    }
}
