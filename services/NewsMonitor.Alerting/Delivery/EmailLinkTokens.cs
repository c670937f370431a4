using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace NewsMonitor.Alerting.Delivery;

/// <summary>What a link in alert mail does.</summary>
public enum EmailLink
{
    /// <summary>Removes the address from the subscription (<c>/unsubscribe/{token}</c>).</summary>
    Unsubscribe,

    /// <summary>Confirms the address, so alerts are mailed to it (<c>/email/confirm/{token}</c>, double opt-in).</summary>
    Confirm,
}

/// <summary>
/// Tokens of the links in mail: the subscription id and the address, protected (encrypted and authenticated) by ASP.NET
/// Core Data Protection under a purpose per kind of link, with the key ring in the service's schema. Stateless (nothing
/// is stored per token) and unforgeable (a changed byte fails authentication); a confirmation token does not unsubscribe
/// and the other way round. A token stays valid while its key is in the ring, and means nothing once the address is no
/// longer on the subscription.
/// </summary>
public sealed class EmailLinkTokens(IDataProtectionProvider provider)
{
    /// <summary>The Data Protection purpose of unsubscribe tokens.</summary>
    public const string UnsubscribePurpose = "NewsMonitor.Alerting.EmailUnsubscribe.v1";

    /// <summary>The Data Protection purpose of confirmation tokens.</summary>
    public const string ConfirmPurpose = "NewsMonitor.Alerting.EmailConfirm.v1";

    /// <summary>Longest token looked at; real ones are a few hundred characters.</summary>
    public const int MaxLength = 2_048;

    private readonly IDataProtector _unsubscribe = provider.CreateProtector(UnsubscribePurpose);
    private readonly IDataProtector _confirm = provider.CreateProtector(ConfirmPurpose);

    private IDataProtector Protector(EmailLink link) => link == EmailLink.Confirm ? _confirm : _unsubscribe;

    /// <summary>The token of a <paramref name="link"/> for <paramref name="address"/> on subscription <paramref name="subscriptionId"/> (base64url).</summary>
    public string Issue(EmailLink link, Guid subscriptionId, string address) => Protector(link).Protect($"{subscriptionId:N}\n{address}");

    /// <summary>What <paramref name="token"/> says, or null when it is not one of ours for <paramref name="link"/> (tampered, foreign, or its key is gone).</summary>
    public (Guid SubscriptionId, string Address)? Open(EmailLink link, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength) return null;
        string payload;
        try
        {
            payload = Protector(link).Unprotect(token);
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
