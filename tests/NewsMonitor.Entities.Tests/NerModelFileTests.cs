using NewsMonitor.Entities.Recognition;
using NewsMonitor.Testing;

namespace NewsMonitor.Entities.Tests;

/// <summary>A model file that is not one this build wrote is refused as such, before it costs memory it does not describe.</summary>
public class NerModelFileTests
{
    private const uint TwoPassMagic = 0x324D454E; // NEM2: no clusters, no feature set
    private const uint PassMagic = 0x52454E4D; // MNER

    // Saving compresses at the smallest size (seconds): once for the class.
    private static readonly Lazy<byte[]> Shipped = new(() => BrotliFiles.Saved(BuiltInData.TrainedTagger.Save));

    private static void Pass(BinaryWriter writer, int count, IEnumerable<(uint Feature, float Weight)> rows)
    {
        writer.Write(PassMagic);
        writer.Write(9);
        for (var i = 0; i < 10 * 9; i++) writer.Write(0f);
        writer.Write(count);
        foreach (var (feature, weight) in rows)
        {
            writer.Write(feature);
            for (var t = 0; t < 9; t++) writer.Write((Half)weight);
        }
    }

    private static void Refused(MemoryStream file, long allocationBound = 64L << 20)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<InvalidDataException>(() => NerModel.Load(file, new NameGazetteer()));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, allocationBound);
    }

    [Fact]
    public void A_well_formed_file_loads()
    {
        var model = NerModel.Load(BrotliFiles.Write(writer =>
        {
            writer.Write(TwoPassMagic);
            Pass(writer, 2, [(7u, 0.5f), (8u, -0.5f)]);
            Pass(writer, 1, [(9u, 1f)]);
        }), new NameGazetteer());
        Assert.NotNull(model);
    }

    [Fact]
    public void A_feature_given_twice_is_refused() => Refused(BrotliFiles.Write(writer =>
    {
        writer.Write(TwoPassMagic);
        Pass(writer, 2, [(7u, 0.5f), (7u, -0.5f)]);
        Pass(writer, 1, [(9u, 1f)]);
    }));

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(-1)]
    [InlineData(10_000_000)]
    public void A_row_count_the_file_does_not_hold_is_refused_without_allocating_for_it(int count) => Refused(BrotliFiles.Write(writer =>
    {
        writer.Write(TwoPassMagic);
        Pass(writer, count, [(7u, 0.5f)]);
    }));

    [Fact]
    public void A_weight_that_is_not_a_number_is_refused() => Refused(BrotliFiles.Write(writer =>
    {
        writer.Write(TwoPassMagic);
        Pass(writer, 1, [(7u, float.NaN)]);
        Pass(writer, 1, [(9u, 1f)]);
    }));

    [Fact]
    public void Bytes_after_the_second_pass_are_refused()
    {
        // A row count written smaller than the rows that follow it would otherwise load and drop them unseen.
        Refused(BrotliFiles.Write(writer =>
        {
            writer.Write(TwoPassMagic);
            Pass(writer, 1, [(7u, 0.5f)]);
            Pass(writer, 1, [(9u, 1f), (10u, 1f)]);
        }));
        var shipped = Shipped.Value;
        var extended = BrotliFiles.Write(writer =>
        {
            writer.Write(shipped);
            writer.Write(0);
        });
        Assert.Throws<InvalidDataException>(() => BuiltInData.LoadTagger(extended));
        Assert.NotNull(BuiltInData.LoadTagger(BrotliFiles.Write(writer => writer.Write(shipped))));
    }

    [Fact]
    public void A_truncated_file_is_refused()
    {
        var bytes = Shipped.Value;
        foreach (var length in new[] { 2, bytes.Length / 3, bytes.Length - 1 })
        {
            Assert.Throws<InvalidDataException>(() => BuiltInData.LoadTagger(BrotliFiles.Write(writer => writer.Write(bytes, 0, length))));
        }
    }
}
