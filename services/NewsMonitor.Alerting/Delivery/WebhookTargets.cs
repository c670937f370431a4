using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Delivery;

/// <summary>
/// Which webhook targets are allowed: absolute http(s) URLs whose addresses pass the shared
/// <see cref="OutboundAddressPolicy"/> (public unicast only; loopback, private, carrier-grade NAT and unique-local
/// addresses only under the operator setting <c>Alerting:Webhooks:AllowPrivateTargets</c>).
/// </summary>
public static class WebhookTargets
{
    /// <summary>Shortest webhook secret accepted.</summary>
    public const int MinimumSecretLength = 16;

    /// <summary>What is wrong with the URL and secret as given, or null; pure (no name resolution).</summary>
    public static string? CheckShape(string? url, string? secret)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return "The webhook url must be an absolute http or https URL.";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "The webhook url must not carry credentials; the secret signs each delivery.";
        if (secret is null || secret.Length < MinimumSecretLength) return $"The webhook secret must be at least {MinimumSecretLength} characters long.";
        return null;
    }

    /// <summary>
    /// Resolves the URL's host and says why it may not be called, or null when it may: every address it resolves to
    /// must pass <see cref="OutboundAddressPolicy"/>, with local networks allowed only under the operator setting. The
    /// same check runs again when a delivery connects (the address may have changed since), on the address it connects to.
    /// </summary>
    public static async Task<string?> CheckAddressAsync(Uri url, bool allowPrivate, CancellationToken cancellationToken)
    {
        try
        {
            await OutboundAddressPolicy.ResolveAsync(url.IdnHost, allowPrivate, cancellationToken);
            return null;
        }
        catch (OutboundAddressRefusedException refused)
        {
            return "The webhook url is refused: " + refused.Message;
        }
    }
}
