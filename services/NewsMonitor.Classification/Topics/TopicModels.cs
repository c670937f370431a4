using NewsMonitor.Classification.Topics.Model;

namespace NewsMonitor.Classification.Topics;

/// <summary>The trained topic model shipped inside the assembly (Data/topic-model.bin).</summary>
public static class TopicModels
{
    private static readonly Lazy<LinearTopicModel> Model = new(() =>
    {
        using var stream = typeof(TopicModels).Assembly.GetManifestResourceStream("NewsMonitor.Classification.Data.topic-model.bin")
            ?? throw new InvalidOperationException("Embedded resource topic-model.bin is missing from the build.");
        return LinearTopicModel.Load(stream);
    });

    /// <summary>The shipped model.</summary>
    public static LinearTopicModel Shipped => Model.Value;
}
