using System.Security.Cryptography;
using System.Text;

namespace NewsMonitor.Text;

/// <summary>Name-based UUIDs (RFC 9562 version 5): the same name always gives the same id.</summary>
public static class DeterministicId
{
    /// <summary>Id of <paramref name="name"/> within <paramref name="scope"/>.</summary>
    public static Guid Create(Guid scope, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        scope.TryWriteBytes(input, bigEndian: true, out _);
        nameBytes.CopyTo(input, 16);
#pragma warning disable CA5350 // SHA-1 is what version 5 UUIDs are defined with; this is not a security use.
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
