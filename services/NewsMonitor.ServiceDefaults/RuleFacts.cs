using NewsMonitor.Contracts;
using NewsMonitor.Text.Rules;

namespace NewsMonitor.ServiceDefaults;

/// <summary>Builds the facts rules are matched against from what the integration events carry.</summary>
public static class RuleFacts
{
    /// <summary>
    /// An article's facts: title and body as one text, source, language, and, once known, its extracted entities
    /// (id, canonical name, type, and every mention text and alias an <c>entity:</c> filter may name) and topic labels.
    /// </summary>
    public static ArticleFacts Of(string? title, string? body, string? source, string? language, IReadOnlyList<ExtractedEntity>? entities, IReadOnlyList<string>? topics) => new(
        (title ?? "") + "\n" + (body ?? ""), source, language,
        entities?.Select(entity => (entity.Id, entity.Name, entity.Type,
            (IReadOnlyList<string>)entity.Mentions.Select(mention => mention.Text).Concat(entity.Aliases ?? []).ToList())).ToList(),
        topics);
}
