using NewsMonitor.Classification.Topics;
using NewsMonitor.Classification.Topics.Model;

namespace NewsMonitor.Classification.Tests;

/// <summary>The training options cross-validation chooses among, and the defense/international scores.</summary>
public class TopicTrainingTests
{
    private static readonly string[] Labels = ["economy", "sports"];

    private static readonly List<(FeatureVector X, string[] Labels)> Examples =
    [
        (TopicFeatures.Of("ارتفعت أسعار النفط في الأسواق وتراجعت البورصة"), ["economy"]),
        (TopicFeatures.Of("البنك المركزي يرفع أسعار الفائدة والتضخم يرتفع"), ["economy"]),
        (TopicFeatures.Of("الاستثمار والتجارة والميزانية في الاقتصاد"), ["economy"]),
        (TopicFeatures.Of("فاز المنتخب في المباراة النهائية من البطولة"), ["sports"]),
        (TopicFeatures.Of("سجل اللاعب هدف الفوز أمام الفريق في الدوري"), ["sports"]),
        (TopicFeatures.Of("المدرب يعلن تشكيلة الفريق قبل المباراة"), ["sports"]),
    ];

    [Theory]
    [InlineData(TopicLoss.Logistic, 0f)]
    [InlineData(TopicLoss.Hinge, 0f)]
    [InlineData(TopicLoss.SquaredHinge, 0f)]
    [InlineData(TopicLoss.Hinge, 1f)]
    public void Every_loss_and_the_nb_scaling_learn_two_separable_labels_and_fold_into_one_linear_model(TopicLoss loss, float naiveBayesAlpha)
    {
        var model = LinearTopicModel.Train("test", Labels, Examples, new TopicTraining(10, Loss: loss, NaiveBayesAlpha: naiveBayesAlpha));
        var economy = model.Margins(TopicFeatures.Of("تراجعت أسعار النفط في البورصة"));
        var sports = model.Margins(TopicFeatures.Of("فاز الفريق في المباراة"));
        Assert.True(economy[0] > economy[1], $"economy text: {economy[0]} vs {economy[1]}");
        Assert.True(sports[1] > sports[0], $"sports text: {sports[1]} vs {sports[0]}");

        // The saved file holds plain weights (half floats): the NB scale is folded in, so a reload scores the same to within rounding.
        using var buffer = new MemoryStream();
        model.Save(buffer);
        buffer.Position = 0;
        var copy = LinearTopicModel.Load(buffer);
        var margin = model.Margins(Examples[0].X)[0];
        Assert.Equal(margin, copy.Margins(Examples[0].X)[0], 0.01 * Math.Abs(margin) + 1e-3);
    }

    [Fact]
    public void A_tf_idf_model_keeps_its_document_frequencies_and_scores_the_same_after_a_reload()
    {
        var model = LinearTopicModel.Train("test", Labels, Examples, new TopicTraining(10, Loss: TopicLoss.Hinge, InverseDocumentFrequency: true));
        var plain = LinearTopicModel.Train("test", Labels, Examples, new TopicTraining(10, Loss: TopicLoss.Hinge));
        var x = TopicFeatures.Of("تراجعت أسعار النفط في البورصة");
        Assert.True(model.Margins(x)[0] > model.Margins(x)[1]);
        Assert.NotEqual(plain.Margins(x)[0], model.Margins(x)[0]);

        using var buffer = new MemoryStream();
        model.Save(buffer);
        buffer.Position = 0;
        var copy = LinearTopicModel.Load(buffer);
        var margin = model.Margins(x)[0];
        Assert.Equal(margin, copy.Margins(x)[0], 0.01 * Math.Abs(margin) + 1e-3);
    }

    [Fact]
    public void The_balance_power_runs_from_unweighted_at_zero_to_fully_balanced_at_one()
    {
        // Two economy texts more than sports ones: the labels' positives and negatives are no longer equal in number.
        List<(FeatureVector X, string[] Labels)> skewed =
        [
            .. Examples,
            (TopicFeatures.Of("الشركات تعلن أرباحها الفصلية في السوق المالية"), ["economy"]),
            (TopicFeatures.Of("الحكومة تخفض الضرائب لدعم النمو الاقتصادي"), ["economy"]),
        ];
        var x = TopicFeatures.Of("أسعار النفط في المباراة");
        float[] Margins(TopicTraining training) => LinearTopicModel.Train("test", Labels, skewed, training).Margins(x);
        var balanced = Margins(new TopicTraining(5, Loss: TopicLoss.Hinge));
        var unweighted = Margins(new TopicTraining(5, Loss: TopicLoss.Hinge, Balanced: false));

        Assert.Equal(balanced, Margins(new TopicTraining(5, Loss: TopicLoss.Hinge, BalancePower: 1)));
        Assert.Equal(unweighted, Margins(new TopicTraining(5, Loss: TopicLoss.Hinge, BalancePower: 0)));
        Assert.NotEqual(balanced, unweighted);
        var half = Margins(new TopicTraining(5, Loss: TopicLoss.Hinge, BalancePower: 0.5f));
        Assert.NotEqual(balanced, half);
        Assert.NotEqual(unweighted, half);
        foreach (var wrong in new[] { -0.5f, 1.5f, float.NaN })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Margins(new TopicTraining(5, Loss: TopicLoss.Hinge, BalancePower: wrong)));
        }
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed()
    {
        var a = LinearTopicModel.Train("test", Labels, Examples, new TopicTraining(3, Loss: TopicLoss.Hinge));
        var b = LinearTopicModel.Train("test", Labels, Examples, new TopicTraining(3, Loss: TopicLoss.Hinge));
        var x = TopicFeatures.Of("أسعار المباراة");
        Assert.Equal(a.Margins(x), b.Margins(x));
    }

    [Fact]
    public void Bias_offsets_shift_each_labels_margin_by_its_offset()
    {
        var model = LinearTopicModel.Train("test", Labels, Examples, new TopicTraining(3));
        var x = Examples[0].X;
        var shifted = model.WithBiasOffsets([0.5f, -1f]).Margins(x);
        var plain = model.Margins(x);
        Assert.Equal(plain[0] + 0.5f, shifted[0], 4);
        Assert.Equal(plain[1] - 1f, shifted[1], 4);
    }

    [Fact]
    public void Word_and_character_parts_together_make_the_products_features()
    {
        const string text = "قال الأمين العام لحلف الناتو إن الحلف موحد";
        var words = TopicFeatures.Of(text, TopicFeatureParts.Words);
        var chars = TopicFeatures.Of(text, TopicFeatureParts.Characters);
        Assert.NotEmpty(words.Indices);
        Assert.NotEmpty(chars.Indices);
        Assert.Equal(TopicFeatures.Of(text).Indices.ToHashSet(), words.Indices.Concat(chars.Indices).ToHashSet());
    }

    [Theory]
    [InlineData("السياسيه", "سياس")]
    [InlineData("سياسي", "سياس")]
    [InlineData("المعلومات", "معلوم")]
    [InlineData("اللاعبين", "لاعب")]
    [InlineData("الدول", "دول")]
    [InlineData("بلد", "بلد")]
    [InlineData("nato", "nato")]
    public void The_light_stem_takes_off_the_article_and_common_endings_but_keeps_three_letters(string lexicalKey, string stem) =>
        Assert.Equal(stem, TopicFeatures.LightStem(lexicalKey).ToString());

    [Fact]
    public void Light_stemmed_words_are_an_extra_family_that_leaves_the_products_features_alone()
    {
        const string text = "ناقش السياسيون القضايا السياسية";
        var plain = TopicFeatures.Of(text);
        var stemmed = TopicFeatures.Of(text, TopicFeatureParts.Both | TopicFeatureParts.Stems);
        Assert.Equal(plain.Indices, TopicFeatures.Of(text, TopicFeatureParts.Both).Indices);
        Assert.True(stemmed.Indices.ToHashSet().IsProperSupersetOf(plain.Indices), "stems add features");
        // السياسيون and السياسية share one stem bucket: counted twice, it outweighs a bucket seen once.
        var stems = TopicFeatures.Of(text, TopicFeatureParts.Stems);
        Assert.Equal(3, stems.Indices.Length);
        Assert.True(stems.Values.Max() > stems.Values.Min());
        Assert.Equal(1f, stems.Values.Sum(v => v * v), 3);
    }

    [Fact]
    public void A_short_nato_article_gets_measured_defense_and_international_scores_not_a_flat_half()
    {
        var nato = TopicClassifier.BuiltIn.Classify("قمة الناتو", "اجتمع قادة حلف الناتو في واشنطن لبحث الدعم العسكري لأوكرانيا");
        var sports = TopicClassifier.BuiltIn.Classify("", "فاز المنتخب في المباراة النهائية من البطولة وسجل اللاعب هدف الفوز");
        double Score(TopicVerdict verdict, string label) => verdict.Scores.Single(score => score.Label == label).Score;
        Assert.False(Score(nato, "defense") == 0.5 && Score(nato, "international") == 0.5);
        Assert.True(Score(nato, "defense") > Score(sports, "defense"), $"defense {Score(nato, "defense")} vs {Score(sports, "defense")}");
        Assert.True(Score(nato, "international") > Score(sports, "international"), $"international {Score(nato, "international")} vs {Score(sports, "international")}");
        Assert.InRange(Score(sports, "defense"), 0, 0.5);
    }

    [Fact]
    public void The_cue_score_fit_finds_the_direction_of_the_evidence_and_round_trips_through_its_file()
    {
        // Positives have more defense cues and a higher conflict probability than negatives.
        var rows = Enumerable.Range(0, 40).Select(i =>
        {
            var positive = i % 2 == 0;
            var cues = new Dictionary<string, double> { ["defense"] = positive ? 1 + i % 3 : i % 5 == 1 ? 1 : 0 };
            var model = new Dictionary<string, double> { ["conflict"] = positive ? 0.6 : 0.2, ["politics"] = 0.3 };
            return (CueTopicScores.Features(cues, model), positive);
        }).ToList();
        var coefficients = CueTopicScores.Fit(rows, 1.0);
        Assert.True(coefficients[1] > 0, "defense cues raise the score");
        Assert.True(coefficients[5] > 0, "the conflict probability raises the score");
        var scores = CueTopicScores.Parse(CueTopicScores.Format(new Dictionary<string, double[]> { ["defense"] = coefficients }));
        var high = scores.Scores(new Dictionary<string, double> { ["defense"] = 3 }, new Dictionary<string, double> { ["conflict"] = 0.7 })["defense"];
        var low = scores.Scores(new Dictionary<string, double>(), new Dictionary<string, double> { ["conflict"] = 0.1 })["defense"];
        Assert.True(high > 0.5 && low < 0.5, $"{high} / {low}");
    }
}
