using NewsMonitor.Classification.Topics;
using NewsMonitor.Classification.Topics.Model;
using NewsMonitor.Testing;

namespace NewsMonitor.Classification.Tests;

/// <summary>A topic model file that is not one this build wrote is refused as such, before it costs memory it does not describe.</summary>
public class TopicModelFileTests
{
    private const uint PlainMagic = 0x4D504F54; // "TOPM"

    // Saving compresses at the smallest size (seconds): once for the class.
    private static readonly Lazy<byte[]> Shipped = new(() => BrotliFiles.Saved(TopicModels.Shipped.Save));

    private static void Label(BinaryWriter writer, string name, float bias, float a, float b, params (int Gap, float Weight)[] weights)
    {
        writer.Write(name);
        writer.Write(bias);
        writer.Write(a);
        writer.Write(b);
        writer.Write(weights.Length);
        foreach (var (gap, weight) in weights)
        {
            writer.Write7BitEncodedInt(gap);
            writer.Write((Half)weight);
        }
    }

    private static void Refused(MemoryStream file)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<InvalidDataException>(() => LinearTopicModel.Load(file));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 16L << 20);
    }

    [Fact]
    public void The_shipped_model_loads_from_what_it_saves()
    {
        var model = LinearTopicModel.Load(BrotliFiles.Write(writer => writer.Write(Shipped.Value)));
        var x = TopicFeatures.Of("فاز المنتخب في المباراة");
        Assert.Equal(TopicModels.Shipped.Margins(x), model.Margins(x));
    }

    [Fact]
    public void A_small_well_formed_file_loads()
    {
        var model = LinearTopicModel.Load(BrotliFiles.Write(writer =>
        {
            writer.Write(PlainMagic);
            writer.Write("test");
            writer.Write(2);
            Label(writer, "economy", 0.1f, 1f, 0f, (3, 0.5f), (1, 0.25f));
            Label(writer, "sports", -0.1f, 1f, 0f);
        }));
        Assert.Equal(["economy", "sports"], model.Labels);
    }

    [Fact]
    public void A_truncated_file_is_refused()
    {
        var bytes = Shipped.Value;
        foreach (var length in new[] { 7, bytes.Length / 3, bytes.Length / 2, bytes.Length - 1 })
        {
            Assert.Throws<InvalidDataException>(() => LinearTopicModel.Load(BrotliFiles.Write(writer => writer.Write(bytes, 0, length))));
        }
    }

    [Fact]
    public void Bytes_after_the_model_are_refused() => Assert.Throws<InvalidDataException>(() => LinearTopicModel.Load(BrotliFiles.Write(writer =>
    {
        writer.Write(Shipped.Value);
        writer.Write((byte)0);
    })));

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(100_000)]
    public void A_label_count_out_of_range_is_refused_before_anything_is_allocated_for_it(int labels) => Refused(BrotliFiles.Write(writer =>
    {
        writer.Write(PlainMagic);
        writer.Write("test");
        writer.Write(labels);
    }));

    [Fact]
    public void A_weight_outside_the_buckets_or_out_of_order_is_refused()
    {
        Refused(BrotliFiles.Write(writer =>
        {
            writer.Write(PlainMagic);
            writer.Write("test");
            writer.Write(1);
            Label(writer, "economy", 0f, 1f, 0f, (TopicFeatures.Size - 1, 0.5f), (1, 0.5f));
        }));
        Refused(BrotliFiles.Write(writer =>
        {
            writer.Write(PlainMagic);
            writer.Write("test");
            writer.Write(1);
            Label(writer, "economy", 0f, 1f, 0f, (5, 0.5f), (0, 0.5f));
        }));
    }

    [Theory]
    [InlineData(float.NaN, 1f)]
    [InlineData(0f, float.PositiveInfinity)]
    public void A_bias_or_calibration_that_is_not_a_number_is_refused(float bias, float a) => Refused(BrotliFiles.Write(writer =>
    {
        writer.Write(PlainMagic);
        writer.Write("test");
        writer.Write(1);
        Label(writer, "economy", bias, a, 0f);
    }));

    [Fact]
    public void A_label_named_twice_is_refused() => Refused(BrotliFiles.Write(writer =>
    {
        writer.Write(PlainMagic);
        writer.Write("test");
        writer.Write(2);
        Label(writer, "economy", 0f, 1f, 0f);
        Label(writer, "economy", 0f, 1f, 0f);
    }));
}
