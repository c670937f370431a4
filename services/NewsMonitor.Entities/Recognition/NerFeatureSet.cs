namespace NewsMonitor.Entities.Recognition;

/// <summary>
/// Feature templates added to the tagger after model <c>ner-2pass-2</c> (issue 18, round 2). A model records the
/// set it was trained with and extracts exactly those, so older model files (no flags) keep their features.
/// Each flag was measured on its own by cross-validation (<c>ner-cv --variants</c>); see docs/entities.md.
/// </summary>
[Flags]
public enum NerFeatureSet
{
    /// <summary>The features of <c>ner-2pass-2</c>.</summary>
    None = 0,

    /// <summary>Prefixes and suffixes (1–3) of the ±1 neighbours' stems, their proclitics and article, the ±2 shapes and the shape trigram.</summary>
    NeighbourForms = 1,

    /// <summary>Cluster prefixes of the ±2 neighbours, cluster bigrams (−1|0, 0|+1), the previous word with the word's cluster, the cluster with the gazetteer type.</summary>
    WideClusters = 2,

    /// <summary>Position of the word in its gazetteer match (B, I, E, S) and the neighbours', ±2 word types, the gazetteer type with the trigger before it.</summary>
    GazetteerSpan = 4,

    /// <summary>Second pass only: first-pass tags ±2 and their bigrams, the previous first-pass tag with the word's shape and cluster, memory with the cluster.</summary>
    TagContext = 8,

    /// <summary>The type of entity the word one and two before usually announces in the training data (<see cref="TriggerWords"/>), alone and with the word's shape and cluster.</summary>
    LearnedTriggers = 16,
}
