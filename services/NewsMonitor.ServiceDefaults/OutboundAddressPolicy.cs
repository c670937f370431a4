using System.Net;
using System.Net.Sockets;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// Which addresses the services may open connections to on behalf of someone else's URL (webhooks now; feeds and
/// article pages later). Only public unicast addresses are allowed: private, loopback, link-local, carrier-grade NAT,
/// unique-local, multicast, broadcast, unspecified, documentation, benchmarking, reserved and translation or tunnel
/// addresses (NAT64, IPv4-mapped and -compatible IPv6, 6to4, Teredo) are refused, so a subscriber's URL cannot reach
/// into our own network or the cloud's metadata endpoint. <see cref="Check"/> is pure;
/// <see cref="ResolveAsync"/> and <see cref="ConnectAsync"/> resolve a host once and connect only to an address that
/// was checked, so a name cannot change its answer between check and connect (DNS rebinding).
/// </summary>
public static class OutboundAddressPolicy
{
    /// <summary>
    /// The refused ranges, most specific first (the first match names the reason). Ranges marked local are the
    /// operator's own networks, which a development or closed-network switch may allow; the others are never reachable
    /// targets and stay refused whatever the switch says.
    /// </summary>
    private static readonly Range[] Refused =
    [
        // IPv4 (RFC 6890 special-purpose registry, RFC 1918, RFC 6598).
        new("255.255.255.255", 32, "the limited broadcast address"),
        new("0.0.0.0", 8, "in \"this network\" 0.0.0.0/8 (includes the unspecified address)"),
        new("10.0.0.0", 8, "private (10.0.0.0/8)", Local: true),
        new("100.64.0.0", 10, "carrier-grade NAT shared space (100.64.0.0/10)", Local: true),
        new("127.0.0.0", 8, "loopback (127.0.0.0/8)", Local: true),
        new("169.254.0.0", 16, "link-local (169.254.0.0/16, where cloud metadata services live)"),
        new("172.16.0.0", 12, "private (172.16.0.0/12)", Local: true),
        new("192.0.0.0", 24, "IETF protocol assignments (192.0.0.0/24)"),
        new("192.0.2.0", 24, "documentation (192.0.2.0/24)"),
        new("192.88.99.0", 24, "the deprecated 6to4 relay anycast (192.88.99.0/24)"),
        new("192.168.0.0", 16, "private (192.168.0.0/16)", Local: true),
        new("198.18.0.0", 15, "benchmarking (198.18.0.0/15)"),
        new("198.51.100.0", 24, "documentation (198.51.100.0/24)"),
        new("203.0.113.0", 24, "documentation (203.0.113.0/24)"),
        new("224.0.0.0", 4, "multicast (224.0.0.0/4)"),
        new("240.0.0.0", 4, "reserved (240.0.0.0/4)"),
        // IPv6 (RFC 6890 and its updates).
        new("::", 128, "the unspecified address (::)"),
        new("::1", 128, "loopback (::1)", Local: true),
        new("::ffff:0:0", 96, "IPv4-mapped IPv6 (::ffff:0:0/96)"),
        new("::", 96, "IPv4-compatible IPv6 (::/96, deprecated)"),
        new("64:ff9b::", 96, "NAT64 (64:ff9b::/96), which would reach an IPv4 address through a translator"),
        new("64:ff9b:1::", 48, "local-use NAT64 (64:ff9b:1::/48)"),
        new("100::", 64, "the discard prefix (100::/64)"),
        new("2001:db8::", 32, "documentation (2001:db8::/32)"),
        new("2001::", 23, "IETF protocol assignments (2001::/23: Teredo tunnels, benchmarking, ORCHID)"),
        new("2002::", 16, "6to4 (2002::/16, deprecated), which tunnels to an embedded IPv4 address"),
        new("3fff::", 20, "documentation (3fff::/20)"),
        new("5f00::", 16, "segment routing (5f00::/16)"),
        new("fc00::", 7, "unique-local (fc00::/7)", Local: true),
        new("fe80::", 10, "link-local (fe80::/10)"),
        new("fec0::", 10, "site-local (fec0::/10, deprecated)"),
        new("ff00::", 8, "multicast (ff00::/8)"),
    ];

    // Everything outside IPv6 global unicast (2000::/3) is unassigned or special; refused after the named ranges above.
    private static readonly Range GlobalUnicast = new("2000::", 3, "");

    /// <summary>
    /// Whether <paramref name="address"/> may be connected to: null when it may, else why not (for logs, problem details
    /// and dead letters). <paramref name="allowLocalNetworks"/> (the development and closed-network switch) allows
    /// loopback, private, carrier-grade NAT and unique-local addresses; everything else stays refused.
    /// </summary>
    public static string? Check(IPAddress address, bool allowLocalNetworks = false) =>
        Classify(address, allowLocalNetworks) is { } what ? $"{address} is {what} and not allowed as an outbound target." : null;

    private static string? Classify(IPAddress address, bool allowLocalNetworks)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)) return "not an IP address";
        var bytes = address.GetAddressBytes();
        foreach (var range in Refused)
        {
            if (range.Contains(bytes)) return range.Local && allowLocalNetworks ? null : range.Reason;
        }
        return bytes.Length == 16 && !GlobalUnicast.Contains(bytes) ? "outside IPv6 global unicast (2000::/3)" : null;
    }

    /// <summary>
    /// Resolves <paramref name="host"/> once (an IP literal is taken as it is) and checks every address it resolves to.
    /// Answers the addresses when all of them are allowed; throws <see cref="OutboundAddressRefusedException"/> when
    /// the name does not resolve or any of its addresses is refused (a name that mixes public and internal addresses is
    /// not trusted with either).
    /// </summary>
    public static async Task<IPAddress[]> ResolveAsync(string host, bool allowLocalNetworks, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var name = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        IPAddress[] addresses;
        if (IPAddress.TryParse(name, out var literal)) addresses = [literal];
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(name, cancellationToken);
            }
            catch (SocketException exception)
            {
                throw new OutboundAddressRefusedException($"The host {name} does not resolve ({exception.SocketErrorCode}).") { Transient = true };
            }
        }
        if (addresses.Length == 0) throw new OutboundAddressRefusedException($"The host {name} resolves to no address.");
        foreach (var address in addresses)
        {
            if (Classify(address, allowLocalNetworks) is { } what)
                throw new OutboundAddressRefusedException(name == address.ToString()
                    ? $"{address} is {what} and not allowed as an outbound target."
                    : $"The host {name} resolves to {address}, which is {what} and not allowed as an outbound target.");
        }
        return addresses;
    }

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/> through <see cref="ResolveAsync"/>: the name is
    /// resolved once, every address is checked, and the socket connects to a checked <see cref="IPAddress"/>, never to
    /// the name again. Tries the addresses in order; throws the last connection error when none answers.
    /// </summary>
    public static async Task<Stream> ConnectAsync(string host, int port, bool allowLocalNetworks, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(host, allowLocalNetworks, cancellationToken);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException exception)
            {
                socket.Dispose();
                last = exception;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    /// <summary>
    /// An HTTP handler for outbound requests to other people's URLs: every connection goes through
    /// <see cref="ConnectAsync"/>, redirects are not followed (a redirect could lead anywhere), and no proxy is used (a
    /// proxy would connect to the target itself, unchecked).
    /// </summary>
    public static SocketsHttpHandler CreateHandler(bool allowLocalNetworks) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        ConnectCallback = (context, cancellationToken) =>
            new ValueTask<Stream>(ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, allowLocalNetworks, cancellationToken)),
    };

    private sealed record Range(string Network, int PrefixLength, string Reason, bool Local = false)
    {
        private readonly byte[] _network = IPAddress.Parse(Network).GetAddressBytes();

        public bool Contains(byte[] address)
        {
            if (address.Length != _network.Length) return false;
            var whole = PrefixLength / 8;
            for (var i = 0; i < whole; i++)
            {
                if (address[i] != _network[i]) return false;
            }
            var rest = PrefixLength % 8;
            if (rest == 0) return true;
            var mask = (byte)(0xFF << (8 - rest));
            return (address[whole] & mask) == (_network[whole] & mask);
        }
    }
}

/// <summary>An outbound connection was refused by <see cref="OutboundAddressPolicy"/>; the message says why.</summary>
public sealed class OutboundAddressRefusedException(string message) : IOException(message)
{
    /// <summary>
    /// True when the refusal may not hold a moment later (the name did not resolve), false when an address was refused
    /// (retrying it at once would meet the same answer).
    /// </summary>
    public bool Transient { get; init; }
}
