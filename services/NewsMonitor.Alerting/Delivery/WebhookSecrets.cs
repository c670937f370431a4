using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using NewsMonitor.Alerting.Subscriptions;

namespace NewsMonitor.Alerting.Delivery;

/// <summary>
/// Seals webhook secrets before they are stored (the events and the subscription document hold only the sealed form)
/// and opens them at delivery, with ASP.NET Core Data Protection whose key ring is in the service's schema
/// (<see cref="ServiceDefaults.DataProtectionKeyRing"/>).
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider provider)
{
    /// <summary>The Data Protection purpose: a protector for another purpose cannot open these.</summary>
    public const string Purpose = "NewsMonitor.Alerting.WebhookSecret";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    /// <summary>A webhook for <paramref name="url"/> that carries <paramref name="secret"/> sealed (and the payload <paramref name="format"/>).</summary>
    public Webhook Seal(string url, string secret, string? format = null) => new(url, SealedSecret: _protector.Protect(secret), Format: format);

    /// <summary>
    /// The webhook's secret in clear text, for signing a delivery: opened from its sealed form, or taken as it is from a
    /// webhook stored before secrets were sealed. Null when it cannot be opened (its key is not in the ring or the text
    /// was altered); the exception is not passed on, since it would say nothing a log reader needs.
    /// </summary>
    public string? Open(Webhook webhook)
    {
        if (webhook.SealedSecret is not { } sealedSecret) return webhook.Secret;
        try
        {
            return _protector.Unprotect(sealedSecret);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="webhook"/> is sealed and carries <paramref name="secret"/> (a PUT that keeps its secret).</summary>
    public bool Holds(Webhook webhook, string secret) =>
        webhook.SealedSecret is not null && Open(webhook) is { } opened &&
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(opened), System.Text.Encoding.UTF8.GetBytes(secret));
}
