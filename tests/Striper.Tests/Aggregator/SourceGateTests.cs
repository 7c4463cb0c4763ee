using System.Net;
using Fleet.Striper.Engine.Receiving;

namespace Fleet.Striper.Tests.Aggregator;

/// <summary>Which packets a site's source gate counts as its own link's chatter rather than as a foreign source.</summary>
public sealed class SourceGateTests
{
    [Theory]
    [InlineData("fe80::8711:d290:b777:ac93", "ff02::2", true)] // router solicitation, as a TUN device sends it
    [InlineData("::", "ff02::16", true)] // MLD report before an address is ready
    [InlineData("fe80::1", "2001:db8::1", true)]
    [InlineData("febf::1", "2001:db8::1", true)] // the end of fe80::/10
    [InlineData("2001:db8:1::5", "ff02::1", true)] // link-local multicast from a global source
    [InlineData("2001:db8:1::5", "ff05::1", false)] // site-local multicast is routable
    [InlineData("2001:db8:1::5", "2001:db8::1", false)]
    [InlineData("fec0::1", "2001:db8::1", false)] // outside fe80::/10
    public void IsLinkScoped_Ipv6(string source, string destination, bool linkScoped)
    {
        Assert.Equal(linkScoped, SourceGate.IsLinkScoped(Ipv6Header(source, destination)));
    }

    [Fact]
    public void IsLinkScoped_Ipv4OrShort_False()
    {
        var ipv4 = new byte[40];
        ipv4[0] = 0x45;
        Assert.False(SourceGate.IsLinkScoped(ipv4));
        Assert.False(SourceGate.IsLinkScoped(Ipv6Header("fe80::1", "ff02::2").AsSpan(0, 39)));
        Assert.False(SourceGate.IsLinkScoped([]));
    }

    private static byte[] Ipv6Header(string source, string destination)
    {
        var packet = new byte[40];
        packet[0] = 0x60;
        IPAddress.Parse(source).TryWriteBytes(packet.AsSpan(8, 16), out _);
        IPAddress.Parse(destination).TryWriteBytes(packet.AsSpan(24, 16), out _);
        return packet;
    }
}
