using System.Security.Cryptography;
using System.Text;
using NewsMonitor.Contracts;
using NewsMonitor.Text;

namespace NewsMonitor.Entities.Recognition;

/// <summary>
/// Finds an article's entities and links each mention to one canonical entity. The decision, in order:
/// <list type="number">
/// <item>Catalog names (curated aliases, morphology-aware, leftmost-longest) are mentions of their canonical
/// entity. A contextual alias (<c>~الحلف</c>) counts only when the article names that entity otherwise too.</item>
/// <item>The trained tagger's PERSON, LOC and ORG spans that overlap no catalog mention are entities the
/// catalog does not know; MISC is used inside the tagger only. A span's id derives from its type and name key,
/// so the same name gets the same id in every article.</item>
/// <item>Within the article, a person span that is the last word(s) of a longer person name (<c>روته</c> after
/// <c>مارك روته</c>) is that person.</item>
/// <item>MONEY, PERCENT and DATE come from the text core's numeric recogniser, named by their normalised value.</item>
/// <item>Ids follow operators' merges.</item>
/// </list>
/// Pure and thread-safe; never throws on any text.
/// </summary>
public sealed class EntityRecognizer
{
    /// <summary>Version recorded in events: the model and the combination rules.</summary>
    public const string Version = "ner-2pass-3";

    private const int MaxSentenceTokens = 120;
    private readonly NerModel _model;
    private readonly EntityCatalog _catalog;
    private readonly TextAnalyzer _analyzer;
    private readonly PhraseMatcher<CatalogName> _matcher;

    /// <summary>Builds the recogniser over a tagger and a catalog.</summary>
    public EntityRecognizer(NerModel model, EntityCatalog catalog, TextAnalyzer? analyzer = null)
    {
        _model = model;
        _catalog = catalog;
        _analyzer = analyzer ?? TextAnalyzer.BuiltIn;
        _matcher = new PhraseMatcher<CatalogName>(_analyzer);
        foreach (var (key, name) in catalog.Names) _matcher.Add(key, name);
    }

    /// <summary>The catalog the recogniser links to.</summary>
    public EntityCatalog Catalog => _catalog;

    /// <summary>Entities of <paramref name="text"/> in order of first mention, with offsets into <paramref name="text"/>.</summary>
    public IReadOnlyList<ExtractedEntity> Extract(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var analyzed = _analyzer.Analyze(text);
        var found = new List<Found>();

        // 1. Catalog names; contextual ones only beside an outright mention of the same entity.
        var catalogMatches = _matcher.FindLongest(analyzed);
        var named = catalogMatches.Where(match => !match.Payload.Contextual).Select(match => match.Payload.Entity.Id).ToHashSet(StringComparer.Ordinal);
        var covered = new bool[analyzed.Tokens.Count];
        foreach (var match in catalogMatches)
        {
            if (match.Payload.Contextual && !named.Contains(match.Payload.Entity.Id)) continue;
            var start = WrittenStart(analyzed, match);
            found.Add(new Found(match.Payload.Entity.Id, match.Payload.Entity.Type, match.Payload.Entity.Name, start, match.Start + match.Length - start, null));
            // TokenIndex counts content tokens (words and numbers); covered is by token.
            for (var k = 0; k < match.TokenCount; k++) covered[analyzed.Content[match.TokenIndex + k].Index] = true;
        }

        // 2. Tagger spans the catalog did not cover.
        var persons = new List<(Found Entity, int LastToken)>();
        foreach (var (first, last, type) in TaggedSpans(analyzed))
        {
            if (Enumerable.Range(first, last - first + 1).Any(t => covered[t])) continue;
            var start = analyzed.Tokens[first].ContentStart;
            var end = analyzed.Tokens[last].End;
            var mention = text[start..end];
            var key = Tokenizer.PhraseKey(mention);
            if (key.Length < 2) continue;
            if (LinkToCatalog(analyzed, first, last) is { } linked)
            {
                found.Add(new Found(linked.Entity.Id, linked.Entity.Type, linked.Entity.Name, start + linked.Skip, end - start - linked.Skip, null));
                continue;
            }
            var entity = new Found(LocalId(type, key), type, mention, start, end - start, key);
            found.Add(entity);
            for (var t = first; t <= last; t++) covered[t] = true;
            if (type == "PERSON") persons.Add((entity, last));
        }

        // 3. A short person name that ends a longer one in the same article is that person: tagged short forms
        // are linked, and the family name standing alone after the full name is a mention even when untagged.
        foreach (var (person, _) in persons)
        {
            var longer = persons.Select(other => other.Entity).Where(other => other.Key!.Length > person.Key!.Length && other.Key.EndsWith(" " + person.Key, StringComparison.Ordinal))
                .MaxBy(other => other.Key!.Length);
            if (longer is not null) person.Link(longer);
        }
        foreach (var (person, lastToken) in persons.Where(person => person.Entity.Key!.Contains(' ', StringComparison.Ordinal)).ToList())
        {
            var personKey = person.Key!;
            var family = personKey[(personKey.LastIndexOf(' ') + 1)..];
            if (family.Length < 3) continue;
            for (var t = lastToken + 1; t < analyzed.Tokens.Count; t++)
            {
                var token = analyzed.Tokens[t];
                if (covered[t] || token.Kind != TokenKind.Word || (token.Key != family && token.LexicalKey != family)) continue;
                covered[t] = true;
                var start = token.Key == family ? token.Start : token.ContentStart;
                found.Add(new Found(person.Id, person.Type, person.Name, start, token.End - start, family));
            }
        }

        // 4. Numbers with a meaning.
        foreach (var number in analyzed.Numbers)
        {
            var type = number.Kind switch { NumericKind.Money => "MONEY", NumericKind.Percent => "PERCENT", NumericKind.Date => "DATE", _ => null };
            if (type is not null) found.Add(new Found(LocalId(type, number.Value), type, number.Value, number.Start, number.Length, null));
        }

        return Group(text, found);
    }

    // The matcher places a match after what it read as proclitics; when the whole written word is itself a name
    // of the same entity (بايدن is not ب + ايدن), the mention starts at the word.
    private int WrittenStart(AnalyzedText analyzed, PhraseMatch<CatalogName> match)
    {
        var firstToken = analyzed.Tokens[analyzed.Content[match.TokenIndex].Index];
        if (firstToken.ContentStart == firstToken.Start) return match.Start;
        var keys = Enumerable.Range(match.TokenIndex, match.TokenCount).Select(k => analyzed.Tokens[analyzed.Content[k].Index].Key);
        return _catalog.Lookup(string.Join(' ', keys)) is { } whole && whole.Entity.Id == match.Payload.Entity.Id ? firstToken.Start : match.Start;
    }

    // A tagged span the matcher missed may still be a catalog name behind a proclitic the segmenter did not
    // split (وبيلاروسيا): try the lexical form, then the word without a leading و ف ب ل ك.
    private (CanonicalEntity Entity, int Skip)? LinkToCatalog(AnalyzedText analyzed, int first, int last)
    {
        var tokens = analyzed.Tokens;
        var rest = string.Concat(Enumerable.Range(first + 1, last - first).Where(t => tokens[t].IsContent).Select(t => " " + tokens[t].Key));
        var head = tokens[first];
        var skipped = head.ContentStart - head.Start;
        foreach (var (candidate, skip) in new[] { (head.Key, 0), (head.LexicalKey, skipped), (head.Key.Length > 3 && "وفبلك".Contains(head.Key[0], StringComparison.Ordinal) ? head.Key[1..] : null, 1) })
        {
            if (candidate is null || _catalog.Lookup(candidate + rest) is not { Contextual: false } name) continue;
            return (name.Entity, Math.Max(0, skip - skipped));
        }
        return null;
    }

    private List<ExtractedEntity> Group(string text, List<Found> found)
    {
        var byId = new Dictionary<string, (string Type, string Name, List<EntityMention> Mentions)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var item in found.OrderBy(item => item.Start))
        {
            var id = _catalog.Resolve(item.Id);
            var (type, name) = _catalog.Entities.TryGetValue(id, out var canonical) ? (canonical.Type, canonical.Name) : (item.Type, item.Name);
            if (!byId.TryGetValue(id, out var entity))
            {
                byId[id] = entity = (type, name, []);
                order.Add(id);
            }
            if (entity.Mentions.Count > 0 && entity.Mentions[^1].Start == item.Start) continue;
            entity.Mentions.Add(new EntityMention(text.Substring(item.Start, item.Length), item.Start, item.Length));
        }
        return order.Select(id =>
        {
            var (type, name, mentions) = byId[id];
            var aliases = _catalog.AliasesOf(id);
            if (aliases.Count == 0) aliases = mentions.Select(mention => Tokenizer.PhraseKey(mention.Text)).Distinct(StringComparer.Ordinal).ToList();
            return new ExtractedEntity(id, type, name, mentions, aliases);
        }).ToList();
    }

    /// <summary>(first token, last token, type) of every PERSON, LOC and ORG span the tagger finds, sentence by sentence.</summary>
    private IEnumerable<(int First, int Last, string Type)> TaggedSpans(AnalyzedText analyzed)
    {
        var tokens = analyzed.Tokens;
        var sentences = new List<(int Start, TaggerWord[] Words)>();
        var start = 0;
        for (var i = 0; i <= tokens.Count; i++)
        {
            var ends = i == tokens.Count || i - start >= MaxSentenceTokens || (i > start && IsSentenceEnd(analyzed.Text, tokens, i));
            if (!ends) continue;
            if (i > start)
            {
                var words = new TaggerWord[i - start];
                for (var j = start; j < i; j++) words[j - start] = TaggerWord.From(analyzed.Text, tokens[j]);
                sentences.Add((start, words));
            }
            start = i;
        }
        var tags = _model.TagDocument(sentences.Select(sentence => sentence.Words).ToList());
        for (var s = 0; s < sentences.Count; s++)
        {
            var offset = sentences[s].Start;
            foreach (var (first, end, type) in BioTags.Spans(tags[s]))
            {
                // Spans start at a word: a tagged bracket or quote is not a name.
                if (type != "MISC" && tokens[offset + first].Kind == TokenKind.Word)
                    yield return (offset + first, offset + end - 1, type == "PERS" ? "PERSON" : type);
            }
        }
    }

    // A sentence ends before token i when the previous token is . ! ? or a line break separates them.
    private static bool IsSentenceEnd(string text, List<AnalyzedToken> tokens, int i)
    {
        var previous = tokens[i - 1];
        if (previous.Kind == TokenKind.Punctuation && previous.Key is "." or "!" or "?" or "؟") return true;
        return text.AsSpan(previous.End, tokens[i].Start - previous.End).Contains('\n');
    }

    /// <summary>Id of an entity the catalog does not know: type and name key, hashed, so it is the same in every article.</summary>
    public static string LocalId(string type, string key) =>
        type.ToLowerInvariant() + "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(type + "\n" + key)).AsSpan(0, 6));

    private sealed class Found(string id, string type, string name, int start, int length, string? key)
    {
        public string Id { get; private set; } = id;
        public string Type { get; } = type;
        public string Name { get; private set; } = name;
        public int Start { get; } = start;
        public int Length { get; } = length;
        public string? Key { get; } = key;

        public void Link(Found longer)
        {
            Id = longer.Id;
            Name = longer.Name;
        }
    }
}
