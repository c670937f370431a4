using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace NewsMonitor.Alerting.Delivery;

/// <summary>
/// Unsubscribe tokens: the subscription id and the address, protected (encrypted and authenticated) by ASP.NET Core Data
/// Protection under their own purpose, with the key ring in the service's schema. Stateless (nothing is stored per
/// token) and unforgeable (a changed byte fails authentication); a token stays valid while its key is in the ring, and
/// means nothing once the address is no longer on the subscription.
/// </summary>
public sealed class UnsubscribeTokens(IDataProtectionProvider provider)
{
    /// <summary>The Data Protection purpose: tokens of another purpose (sealed webhook secrets, say) do not open here.</summary>
    public const string Purpose = "NewsMonitor.Alerting.EmailUnsubscribe.v1";

    /// <summary>Longest token looked at; real ones are a few hundred characters.</summary>
    public const int MaxLength = 2_048;

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    /// <summary>The token for <paramref name="address"/> on subscription <paramref name="subscriptionId"/> (base64url).</summary>
    public string Issue(Guid subscriptionId, string address) => _protector.Protect($"{subscriptionId:N}\n{address}");

    /// <summary>What <paramref name="token"/> says, or null when it is not one of ours (tampered, foreign, or its key is gone).</summary>
    public (Guid SubscriptionId, string Address)? Open(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength) return null;
        string payload;
        try
        {
            payload = _protector.Unprotect(token);
        }
        catch (CryptographicException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
        var parts = payload.Split('\n', 2);
        return parts.Length == 2 && Guid.TryParseExact(parts[0], "N", out var id) ? (id, parts[1]) : null;
    }
}
