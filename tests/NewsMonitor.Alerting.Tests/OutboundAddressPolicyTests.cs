using System.Net;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Tests;

/// <summary>The shared outbound address policy, as a table: address → allowed, or refused with the reason named.</summary>
public sealed class OutboundAddressPolicyTests
{
    // address, refusal expected (null = allowed) without the local-networks switch, and with it.
    public static TheoryData<string, string?, string?> Table => new()
    {
        // Public unicast.
        { "8.8.8.8", null, null },
        { "1.1.1.1", null, null },
        { "93.184.215.14", null, null },
        { "100.63.255.255", null, null },
        { "100.128.0.0", null, null },
        { "172.15.255.255", null, null },
        { "172.32.0.0", null, null },
        { "192.0.1.1", null, null },
        { "198.17.255.255", null, null },
        { "198.20.0.0", null, null },
        { "223.255.255.255", null, null },
        { "2001:4860:4860::8888", null, null },
        { "2a00:1450:4001:80b::200e", null, null },
        { "2001:200::1", null, null },
        // Local networks: refused unless the development / closed-network switch allows them.
        { "10.1.2.3", "private (10.0.0.0/8)", null },
        { "172.16.0.1", "private (172.16.0.0/12)", null },
        { "172.31.255.254", "private (172.16.0.0/12)", null },
        { "192.168.1.1", "private (192.168.0.0/16)", null },
        { "127.0.0.1", "loopback (127.0.0.0/8)", null },
        { "127.255.255.254", "loopback (127.0.0.0/8)", null },
        { "100.64.0.1", "carrier-grade NAT", null },
        { "100.127.255.255", "carrier-grade NAT", null },
        { "::1", "loopback (::1)", null },
        { "fd00::1", "unique-local (fc00::/7)", null },
        { "fc00::1", "unique-local (fc00::/7)", null },
        // Never reachable targets, whatever the switch says.
        { "0.0.0.0", "0.0.0.0/8", "0.0.0.0/8" },
        { "0.1.2.3", "0.0.0.0/8", "0.0.0.0/8" },
        { "169.254.169.254", "link-local (169.254.0.0/16", "link-local (169.254.0.0/16" },
        { "192.0.0.8", "IETF protocol assignments (192.0.0.0/24)", "IETF protocol assignments (192.0.0.0/24)" },
        { "192.0.2.10", "documentation (192.0.2.0/24)", "documentation (192.0.2.0/24)" },
        { "198.51.100.7", "documentation (198.51.100.0/24)", "documentation (198.51.100.0/24)" },
        { "203.0.113.200", "documentation (203.0.113.0/24)", "documentation (203.0.113.0/24)" },
        { "192.88.99.1", "6to4 relay", "6to4 relay" },
        { "198.18.0.1", "benchmarking (198.18.0.0/15)", "benchmarking (198.18.0.0/15)" },
        { "198.19.255.255", "benchmarking (198.18.0.0/15)", "benchmarking (198.18.0.0/15)" },
        { "224.0.0.1", "multicast (224.0.0.0/4)", "multicast (224.0.0.0/4)" },
        { "239.255.255.250", "multicast (224.0.0.0/4)", "multicast (224.0.0.0/4)" },
        { "240.0.0.1", "reserved (240.0.0.0/4)", "reserved (240.0.0.0/4)" },
        { "255.255.255.254", "reserved (240.0.0.0/4)", "reserved (240.0.0.0/4)" },
        { "255.255.255.255", "limited broadcast", "limited broadcast" },
        { "::", "unspecified address (::)", "unspecified address (::)" },
        { "::ffff:8.8.8.8", "IPv4-mapped", "IPv4-mapped" },
        { "::ffff:127.0.0.1", "IPv4-mapped", "IPv4-mapped" },
        { "::ffff:10.0.0.1", "IPv4-mapped", "IPv4-mapped" },
        { "::8.8.8.8", "IPv4-compatible", "IPv4-compatible" },
        { "::127.0.0.1", "IPv4-compatible", "IPv4-compatible" },
        { "64:ff9b::a00:1", "NAT64 (64:ff9b::/96)", "NAT64 (64:ff9b::/96)" },
        { "64:ff9b::808:808", "NAT64 (64:ff9b::/96)", "NAT64 (64:ff9b::/96)" },
        { "64:ff9b:1::1", "local-use NAT64 (64:ff9b:1::/48)", "local-use NAT64 (64:ff9b:1::/48)" },
        { "100::1", "discard prefix (100::/64)", "discard prefix (100::/64)" },
        { "2001:db8::1", "documentation (2001:db8::/32)", "documentation (2001:db8::/32)" },
        { "2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo", "Teredo" },
        { "2001:2::1", "IETF protocol assignments (2001::/23", "IETF protocol assignments (2001::/23" },
        { "2002:808:808::1", "6to4 (2002::/16", "6to4 (2002::/16" },
        { "2002:a00:1::1", "6to4 (2002::/16", "6to4 (2002::/16" },
        { "3fff::1", "documentation (3fff::/20)", "documentation (3fff::/20)" },
        { "5f00::1", "segment routing", "segment routing" },
        { "fe80::1", "link-local (fe80::/10)", "link-local (fe80::/10)" },
        { "febf::1", "link-local (fe80::/10)", "link-local (fe80::/10)" },
        { "fec0::1", "site-local (fec0::/10", "site-local (fec0::/10" },
        { "ff02::1", "multicast (ff00::/8)", "multicast (ff00::/8)" },
        { "ff0e::1", "multicast (ff00::/8)", "multicast (ff00::/8)" },
        { "4000::1", "outside IPv6 global unicast (2000::/3)", "outside IPv6 global unicast (2000::/3)" },
        { "::2:0:0:1", "outside IPv6 global unicast (2000::/3)", "outside IPv6 global unicast (2000::/3)" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Addresses_are_allowed_or_refused_with_the_reason(string address, string? refused, string? refusedWithLocalNetworks)
    {
        var ip = IPAddress.Parse(address);
        AssertVerdict(refused, OutboundAddressPolicy.Check(ip));
        AssertVerdict(refusedWithLocalNetworks, OutboundAddressPolicy.Check(ip, allowLocalNetworks: true));
    }

    private static void AssertVerdict(string? expectedReason, string? verdict)
    {
        if (expectedReason is null) Assert.Null(verdict);
        else Assert.Contains(expectedReason, verdict, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_is_refused_when_any_address_it_resolves_to_is_refused()
    {
        var refused = await Assert.ThrowsAsync<OutboundAddressRefusedException>(() =>
            OutboundAddressPolicy.ResolveAsync("localhost", allowLocalNetworks: false, TestContext.Current.CancellationToken));
        Assert.Contains("The host localhost resolves to", refused.Message, StringComparison.Ordinal);
        Assert.Contains("loopback", refused.Message, StringComparison.Ordinal);
        Assert.NotEmpty(await OutboundAddressPolicy.ResolveAsync("localhost", allowLocalNetworks: true, TestContext.Current.CancellationToken));
        Assert.False(refused.Transient);
        var unresolved = await Assert.ThrowsAsync<OutboundAddressRefusedException>(() =>
            OutboundAddressPolicy.ResolveAsync("no-such-host.invalid", allowLocalNetworks: false, TestContext.Current.CancellationToken));
        Assert.Contains("does not resolve", unresolved.Message, StringComparison.Ordinal);
        Assert.True(unresolved.Transient);
        Assert.StartsWith("::1 is loopback", (await Assert.ThrowsAsync<OutboundAddressRefusedException>(() =>
            OutboundAddressPolicy.ResolveAsync("[::1]", allowLocalNetworks: false, TestContext.Current.CancellationToken))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_connect_helper_refuses_before_opening_a_socket_and_connects_to_an_allowed_address()
    {
        await Assert.ThrowsAsync<OutboundAddressRefusedException>(() =>
            OutboundAddressPolicy.ConnectAsync("127.0.0.1", 9, allowLocalNetworks: false, TestContext.Current.CancellationToken));
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var accepted = listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
            await using var stream = await OutboundAddressPolicy.ConnectAsync("127.0.0.1", port, allowLocalNetworks: true, TestContext.Current.CancellationToken);
            using var client = await accepted;
            Assert.True(client.Connected);
        }
        finally
        {
            listener.Stop();
        }
    }
}
