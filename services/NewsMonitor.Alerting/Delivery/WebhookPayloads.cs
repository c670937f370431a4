using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace NewsMonitor.Alerting.Delivery;

/// <summary>One alert as a chat message shows it; <see cref="Url"/> is the article's address when alerting knows it.</summary>
public sealed record ChatAlert(string Title, IReadOnlyList<string> Matched, DateTimeOffset RaisedAt, string? Url);

/// <summary>
/// The bodies of <c>slack</c> and <c>teams</c> webhooks: what Slack's and Microsoft Teams' incoming webhooks accept.
/// Pure: no I/O. A message is one alert, or a digest's alerts under a heading (the first <see cref="MaxListed"/> of them).
/// </summary>
public static class WebhookPayloads
{
    /// <summary>Alerts listed in one digest message: Slack takes at most 50 blocks, a Teams card about 28 KB.</summary>
    public const int MaxListed = 20;

    /// <summary>
    /// A Slack incoming-webhook message: <c>text</c> (the notification and fallback) and <c>blocks</c>, a section per
    /// alert with its title linked to the article and the matched terms. <paramref name="heading"/> (a digest's) comes first.
    /// </summary>
    public static JsonObject Slack(string subscription, string? heading, IReadOnlyList<ChatAlert> alerts)
    {
        var blocks = new JsonArray();
        if (heading is not null) blocks.Add(Section($"*{SlackEscape(heading)}*"));
        foreach (var alert in alerts.Take(MaxListed))
        {
            var title = SlackEscape(alert.Title);
            var link = HttpUrl(alert.Url) is { } url ? $"<{SlackEscape(url).Replace("|", "%7C", StringComparison.Ordinal)}|{title.Replace("|", "\u2223", StringComparison.Ordinal)}>" : title;
            blocks.Add(Section($"*{link}*\n{SlackEscape(Matched(alert.Matched))}"));
        }
        if (alerts.Count > MaxListed) blocks.Add(Section(SlackEscape(More(alerts.Count))));
        blocks.Add(new JsonObject
        {
            ["type"] = "context",
            ["elements"] = new JsonArray(new JsonObject { ["type"] = "mrkdwn", ["text"] = SlackEscape($"NewsMonitor · {subscription}") }),
        });
        return new JsonObject { ["text"] = SlackEscape(Fallback(subscription, heading, alerts)), ["blocks"] = blocks };
    }

    /// <summary>
    /// A Microsoft Teams incoming-webhook message carrying an Adaptive Card 1.4: the title of each alert, its matched
    /// terms and a button to open the article (when its URL is known).
    /// </summary>
    public static JsonObject Teams(string subscription, string? heading, IReadOnlyList<ChatAlert> alerts)
    {
        var body = new JsonArray();
        if (heading is not null) body.Add(TextBlock(heading, bold: true, large: true));
        var actions = new JsonArray();
        foreach (var alert in alerts.Take(MaxListed))
        {
            // Teams renders Markdown in a TextBlock: escaped, a hostile title cannot become a link or change the card's text.
            body.Add(TextBlock(MarkdownEscape(alert.Title), bold: true, large: heading is null));
            body.Add(TextBlock(MarkdownEscape(Matched(alert.Matched)), subtle: true));
            if (HttpUrl(alert.Url) is { } url)
            {
                // One alert: a button; several: each title's own link line (cards allow only a few actions).
                if (heading is null) actions.Add(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open article", ["url"] = url });
                else body.Add(TextBlock($"[{MarkdownEscape(url)}]({url.Replace("(", "%28", StringComparison.Ordinal).Replace(")", "%29", StringComparison.Ordinal)})", subtle: true));
            }
        }
        if (alerts.Count > MaxListed) body.Add(TextBlock(More(alerts.Count), subtle: true));
        body.Add(TextBlock(MarkdownEscape($"NewsMonitor · {subscription}"), subtle: true));
        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = body,
        };
        if (actions.Count > 0) card["actions"] = actions;
        return new JsonObject
        {
            ["type"] = "message",
            ["summary"] = Fallback(subscription, heading, alerts),
            ["attachments"] = new JsonArray(new JsonObject { ["contentType"] = "application/vnd.microsoft.card.adaptive", ["contentUrl"] = null, ["content"] = card }),
        };
    }

    /// <summary>Slack's escaping of message text: <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> as entities, so no text becomes a link, mention or command.</summary>
    public static string SlackEscape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>The digest heading for <paramref name="count"/> alerts of the period.</summary>
    public static string DigestHeading(int count, DateTimeOffset start, DateTimeOffset end) => string.Create(CultureInfo.InvariantCulture,
        $"{count} alert{(count == 1 ? "" : "s")} from {start.UtcDateTime:yyyy-MM-dd HH:mm} to {end.UtcDateTime:yyyy-MM-dd HH:mm} UTC");

    private static string Fallback(string subscription, string? heading, IReadOnlyList<ChatAlert> alerts) =>
        heading is not null ? $"{subscription}: {heading}" : alerts.Count > 0 ? $"{subscription}: {alerts[0].Title}" : subscription;

    private static string Matched(IReadOnlyList<string> matched) => matched.Count == 0 ? "Matched the rule." : "Matched: " + string.Join(", ", matched);

    private static string More(int count) => string.Create(CultureInfo.InvariantCulture, $"… and {count - MaxListed} more.");

    private static JsonObject Section(string markdown) =>
        new() { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = markdown } };

    private static JsonObject TextBlock(string text, bool bold = false, bool large = false, bool subtle = false)
    {
        var block = new JsonObject { ["type"] = "TextBlock", ["text"] = text, ["wrap"] = true };
        if (bold) block["weight"] = "Bolder";
        if (large) block["size"] = "Medium";
        if (subtle) block["isSubtle"] = true;
        return block;
    }

    // Brackets and parentheses would end a Markdown link early.
    private static string MarkdownEscape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '[' or ']' or '(' or ')' or '\\' or '*' or '_') escaped.Append('\\');
            escaped.Append(c);
        }
        return escaped.ToString();
    }

    // Only http(s) links: a javascript: or data: URL from a hostile source must not become a button.
    private static string? HttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.AbsoluteUri : null;
}
