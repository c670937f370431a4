using System.Text;

namespace NewsMonitor.Entities.Recognition;

/// <summary>The name lists and the trained model shipped inside the assembly (sources in Data/SOURCES.md).</summary>
public static class BuiltInData
{
    /// <summary>File name of the trained tagger, under services/NewsMonitor.Entities/Data.</summary>
    public const string TaggerModelFile = "ner-model.bin";

    /// <summary>File name of the word clusters, under services/NewsMonitor.Entities/Data.</summary>
    public const string ClustersFile = "ner-clusters.tsv";

    private static readonly Lazy<NameGazetteer> Gazetteer = new(LoadGazetteer);
    private static readonly Lazy<WordClusters?> Clusters = new(LoadClusters);
    private static readonly Lazy<NerModel> Tagger = new(() => LoadTagger(Resource(TaggerModelFile)));

    /// <summary>ANERGazet and the curated alias table as tagger features.</summary>
    public static NameGazetteer NameGazetteer => Gazetteer.Value;

    /// <summary>The word clusters shipped with the service (built by the evaluation tool's <c>ner-clusters</c>), or null when the build has none.</summary>
    public static WordClusters? WordClusters => Clusters.Value;

    /// <summary>The trained tagger shipped with the service.</summary>
    public static NerModel TrainedTagger => Tagger.Value;

    /// <summary>Reads a tagger model from <paramref name="model"/> over the built-in gazetteer.</summary>
    public static NerModel LoadTagger(Stream model)
    {
        using (model) return NerModel.Load(model, NameGazetteer, WordClusters);
    }

    /// <summary>Curated entities: (id, type, canonical name, aliases) per line of aliases.tsv.</summary>
    public static IEnumerable<(CanonicalEntity Entity, string[] Aliases)> CuratedEntities()
    {
        foreach (var line in ReadLines("aliases.tsv"))
        {
            if (line.StartsWith('#')) continue;
            var columns = line.Split('\t');
            if (columns.Length < 4) continue;
            yield return (new CanonicalEntity(columns[0].Trim(), columns[1].Trim(), columns[2].Trim()),
                columns[3].Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
    }

    private static NameGazetteer LoadGazetteer()
    {
        var gazetteer = new NameGazetteer();
        foreach (var (file, type) in new[] { ("OrgGazetteer.txt", "ORG"), ("LocGazetteer.txt", "LOC"), ("PersGazetteer.txt", "PERS") })
        {
            foreach (var line in ReadLines(file))
            {
                // LocGazetteer groups places under region headers separated by ==== and ****.
                if (line.StartsWith("====", StringComparison.Ordinal) || line.StartsWith("****", StringComparison.Ordinal)) continue;
                gazetteer.Add(line.Trim(), type);
            }
        }
        foreach (var (entity, aliases) in CuratedEntities())
        {
            var type = entity.Type == "PERSON" ? "PERS" : entity.Type;
            // Contextual aliases (~الحلف) are ordinary words out of context: not name evidence.
            foreach (var alias in aliases.Where(alias => !alias.StartsWith('~'))) gazetteer.Add(alias, type);
        }
        return gazetteer;
    }

    private static WordClusters? LoadClusters()
    {
        var stream = typeof(BuiltInData).Assembly.GetManifestResourceStream("NewsMonitor.Entities.Data." + ClustersFile);
        if (stream is null) return null;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return WordClusters.Read(reader);
    }

    internal static IEnumerable<string> ReadLines(string resource)
    {
        using var reader = new StreamReader(Resource(resource), Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line)) yield return line;
        }
    }

    private static Stream Resource(string name) =>
        typeof(BuiltInData).Assembly.GetManifestResourceStream("NewsMonitor.Entities.Data." + name)
        ?? throw new InvalidOperationException($"Embedded resource {name} is missing from the build.");
}
