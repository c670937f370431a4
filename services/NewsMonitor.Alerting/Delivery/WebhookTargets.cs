using System.Net;
using System.Net.Sockets;

namespace NewsMonitor.Alerting.Delivery;

/// <summary>
/// Which webhook targets are allowed: absolute http(s) URLs whose addresses are public. Private, loopback,
/// link-local and carrier-grade NAT addresses are refused (no reaching into our own network through a
/// subscriber's URL) unless the operator setting <c>Alerting:Webhooks:AllowPrivateTargets</c> is on.
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

    /// <summary>Whether <paramref name="address"/> is private, loopback, link-local or otherwise not on the public internet.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.Equals(IPAddress.IPv6Any);
        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 or 10 or 127 => true,
            100 => b[1] is >= 64 and <= 127,
            169 => b[1] == 254,
            172 => b[1] is >= 16 and <= 31,
            192 => b[1] == 168,
            _ => false,
        };
    }

    /// <summary>Resolves the URL's host and says why it may not be called, or null when it may.</summary>
    public static async Task<string?> CheckAddressAsync(Uri url, bool allowPrivate, CancellationToken cancellationToken)
    {
        if (allowPrivate) return null;
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(url.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(url.Host, cancellationToken);
        }
        catch (SocketException exception)
        {
            return $"The webhook host {url.Host} does not resolve: {exception.Message}";
        }
        return addresses.Length == 0 || addresses.Any(IsPrivate)
            ? $"The webhook host {url.Host} resolves to a private or loopback address, which is not allowed."
            : null;
    }
}
