using System.Security.Cryptography;
using System.Text;

namespace NewsMonitor.Gateway.Security;

/// <summary>An operator issued a key. Only the key's SHA-256 hash and its first characters (to recognise it) are kept.</summary>
public sealed record ApiKeyIssued(Guid KeyId, string Name, string Role, string Tenant, string Hash, string Prefix, DateTimeOffset At);

/// <summary>An operator revoked a key; from then on it answers 401.</summary>
public sealed record ApiKeyRevoked(Guid KeyId, DateTimeOffset At);

/// <summary>A key as the gateway knows it: one stream per key, folded inline; looked up by hash on every request.</summary>
public sealed record ApiKeyRecord(Guid Id, string Name, string Role, string Tenant, string Hash, string Prefix, DateTimeOffset IssuedAt, DateTimeOffset? RevokedAt = null)
{
    /// <summary>Starts the record.</summary>
    public static ApiKeyRecord Create(ApiKeyIssued issued) =>
        new(issued.KeyId, issued.Name, issued.Role, issued.Tenant, issued.Hash, issued.Prefix, issued.At);

    /// <summary>Revokes it.</summary>
    public ApiKeyRecord Apply(ApiKeyRevoked revoked) => this with { RevokedAt = RevokedAt ?? revoked.At };

    /// <summary>A new key: <c>nm_</c> and 43 URL-safe characters of 256 random bits.</summary>
    public static string NewSecret() => "nm_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// The stored form of a key. Keys are 256-bit random secrets, so a plain SHA-256 is enough (no dictionary to
    /// guess from); a slow password hash would cost every request for nothing.
    /// </summary>
    public static string HashOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>What is shown of a key: its first characters.</summary>
    public static string PrefixOf(string key) => key[..Math.Min(key.Length, 7)] + "…";
}
