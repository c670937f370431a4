using System.Security.Cryptography;
using System.Text;
using NewsMonitor.Text;

namespace NewsMonitor.Entities.Recognition;

/// <summary>A canonical entity: stable id, type and display name.</summary>
public sealed record CanonicalEntity(string Id, string Type, string Name);

/// <summary>
/// The names the spotter knows, each pointing at a canonical entity. Curated aliases come first; gazetteer
/// names add what the alias table lacks, minus those that are common words in ANERcorp's train split.
/// </summary>
public sealed class EntityCatalog
{
    private readonly Dictionary<string, CanonicalEntity> _byName = new(StringComparer.Ordinal);
    private readonly HashSet<string> _commonWords;

    /// <summary>Creates an empty catalog that skips gazetteer names equal to one of <paramref name="commonWords"/>.</summary>
    public EntityCatalog(IEnumerable<string> commonWords) =>
        _commonWords = commonWords.Select(ArabicNormalizer.Normalize).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every (name, entity) pair, for the phrase matcher.</summary>
    public IEnumerable<KeyValuePair<string, CanonicalEntity>> Names => _byName;

    /// <summary>Entities by id.</summary>
    public Dictionary<string, CanonicalEntity> Entities { get; } = new(StringComparer.Ordinal);

    /// <summary>The name keys each entity is known by, by entity id.</summary>
    public IReadOnlyList<string> AliasesOf(string entityId)
    {
        // Built on first use, once the catalog is complete; the catalog is not changed after loading.
        _aliases ??= _byName.GroupBy(pair => pair.Value.Id).ToDictionary(group => group.Key, group => (IReadOnlyList<string>)group.Select(pair => pair.Key).Order(StringComparer.Ordinal).ToList());
        return _aliases.TryGetValue(entityId, out var aliases) ? aliases : [];
    }

    private Dictionary<string, IReadOnlyList<string>>? _aliases;

    /// <summary>Adds a curated entity with its aliases; a curated alias overrides a gazetteer name.</summary>
    public void AddCanonical(CanonicalEntity entity, IEnumerable<string> aliases)
    {
        Entities[entity.Id] = entity;
        foreach (var alias in aliases.Append(entity.Name)) _byName[Key(alias)] = entity;
    }

    /// <summary>Adds a gazetteer name unless it is already known, too short, or a common word.</summary>
    public bool AddGazetteerName(string name, string type)
    {
        name = name.Trim();
        var key = Key(name);
        if (key.Length < 3 || _byName.ContainsKey(key) || _commonWords.Contains(key)) return false;
        var singleWord = !key.Contains(' ', StringComparison.Ordinal);
        // Single-word person entries with the article (الحار, الثانية) are almost always ordinary words.
        if (type == "PERSON" && singleWord && (key.StartsWith("ال", StringComparison.Ordinal) || key.Length < 4)) return false;
        var entity = new CanonicalEntity(GazetteerId(type, key), type, name);
        Entities.TryAdd(entity.Id, entity);
        _byName[key] = entity;
        return true;
    }

    /// <summary>The catalog shipped with the service: aliases.tsv and the ANERGazet lists, from embedded resources.</summary>
    public static EntityCatalog LoadBuiltIn()
    {
        var catalog = new EntityCatalog(ReadLines("common-words.txt"));
        foreach (var line in ReadLines("aliases.tsv"))
        {
            if (line.StartsWith('#')) continue;
            var columns = line.Split('\t');
            if (columns.Length < 4) continue;
            catalog.AddCanonical(new CanonicalEntity(columns[0], columns[1], columns[2]), columns[3].Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        foreach (var (file, type) in new[] { ("OrgGazetteer.txt", "ORG"), ("LocGazetteer.txt", "LOC"), ("PersGazetteer.txt", "PERSON") })
        {
            foreach (var line in ReadLines(file))
            {
                // LocGazetteer groups places under region headers separated by ==== and ****.
                if (line.StartsWith("====", StringComparison.Ordinal) || line.StartsWith("****", StringComparison.Ordinal)) continue;
                catalog.AddGazetteerName(line, type);
            }
        }
        return catalog;
    }

    private static string Key(string name) => Tokenizer.PhraseKey(name);

    private static string GazetteerId(string type, string key) =>
        type.ToLowerInvariant() + "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 6));

    private static IEnumerable<string> ReadLines(string resource)
    {
        using var stream = typeof(EntityCatalog).Assembly.GetManifestResourceStream("NewsMonitor.Entities.Data." + resource)
            ?? throw new InvalidOperationException($"Embedded resource {resource} is missing from the build.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line)) yield return line;
        }
    }
}
