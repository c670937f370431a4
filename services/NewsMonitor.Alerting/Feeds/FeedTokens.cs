using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using NewsMonitor.Alerting.Delivery;
using NewsMonitor.Alerting.Subscriptions;

namespace NewsMonitor.Alerting.Feeds;

/// <summary>
/// The bearer tokens of subscriptions' Atom feeds: 256 random bits as base64url. The store keeps the token's SHA-256 (the
/// feed is found by it, so no comparison of secrets happens at all) and the token sealed under Data Protection (to show
/// <c>feed.url</c> to its owner); the token itself is never stored nor logged.
/// </summary>
public sealed class FeedTokens(IDataProtectionProvider provider, IOptions<PublicLinkOptions> options)
{
    /// <summary>The Data Protection purpose: a protector for another purpose (webhook secrets) cannot open these.</summary>
    public const string Purpose = "NewsMonitor.Alerting.FeedToken";

    /// <summary>Length of a token: 32 bytes as unpadded base64url.</summary>
    public const int TokenLength = 43;

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    /// <summary>A new token for <paramref name="subscriptionId"/>, and the event that issues it.</summary>
    public (string Token, SubscriptionFeedIssued Issued) Issue(Guid subscriptionId, DateTimeOffset at)
    {
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (token, new SubscriptionFeedIssued(subscriptionId, Hash(token), _protector.Protect(token), at));
    }

    /// <summary>The token of <paramref name="subscription"/>'s feed, opened from its sealed form; null without one or when its key is gone.</summary>
    public string? Open(Subscription subscription)
    {
        if (subscription.SealedFeedToken is not { } sealedToken) return null;
        try
        {
            return _protector.Unprotect(sealedToken);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Where <paramref name="token"/>'s feed is read: absolute under <see cref="PublicLinkOptions.PublicBaseUrl"/> (<c>Alerting:PublicBaseUrl</c>) when set, else a path.</summary>
    public string UrlOf(string token) => options.Value.Link(PathOf(token)) ?? PathOf(token);

    /// <summary>The path of <paramref name="token"/>'s feed.</summary>
    public static string PathOf(string token) => $"/feeds/{token}.atom";

    /// <summary>Lower-case hex SHA-256 of the token: what the subscription is looked up by.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    /// <summary>
    /// Whether <paramref name="token"/> has a token's shape (43 base64url characters), checked before any lookup, so a
    /// hostile path costs no query.
    /// </summary>
    public static bool IsWellFormed(string? token) =>
        token is { Length: TokenLength } && token.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');
}
