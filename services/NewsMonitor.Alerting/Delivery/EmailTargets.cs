using MimeKit;

namespace NewsMonitor.Alerting.Delivery;

/// <summary>Which email addresses a subscription may have: one bare address, parsed by MimeKit. Pure.</summary>
public static class EmailTargets
{
    /// <summary>Longest address accepted (RFC 5321's path limit less its angle brackets).</summary>
    public const int MaxLength = 254;

    /// <summary>What is wrong with <paramref name="address"/>, or null when it is one bare mailbox address.</summary>
    public static string? Check(string? address)
    {
        if (string.IsNullOrWhiteSpace(address)) return "An email address is required.";
        var trimmed = address.Trim();
        if (trimmed.Length > MaxLength) return $"The email address is longer than {MaxLength} characters.";
        // Header injection: a line break would let an address add headers or recipients; no control character at all.
        if (trimmed.Any(char.IsControl)) return "The email address must not contain control characters or line breaks.";
        if (!MailboxAddress.TryParse(ParserOptions.Default, trimmed, out var mailbox) || mailbox.Route.Count > 0)
            return "The email address is not a valid address.";
        // One bare address: no display name, no group, no list ("a@x, b@y" would not parse as one mailbox anyway).
        if (!string.IsNullOrEmpty(mailbox.Name) || !string.Equals(mailbox.Address, trimmed, StringComparison.Ordinal))
            return "The email address must be a bare address such as reader@example.org, without a name or angle brackets.";
        var at = mailbox.Address.LastIndexOf('@');
        if (at <= 0 || at == mailbox.Address.Length - 1) return "The email address needs a local part and a domain.";
        return null;
    }
}
