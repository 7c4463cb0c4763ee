using System.Net;
using Fleet.Striper.Aggregator;

namespace Fleet.Striper.Tests.Aggregator;

public sealed class PrefixTableTests
{
    private sealed record Owner(string Name);

    private static readonly Owner s_wide = new("wide");
    private static readonly Owner s_narrow = new("narrow");
    private static readonly Owner s_host = new("host");
    private static readonly Owner s_v6 = new("v6");

    private static PrefixTable<Owner> Table() => PrefixTable<Owner>.Build(
    [
        (IPNetwork.Parse("10.99.0.0/16"), s_wide),
        (IPNetwork.Parse("10.99.3.0/24"), s_narrow),
        (IPNetwork.Parse("10.99.3.7/32"), s_host),
        (IPNetwork.Parse("fd00:99:3::/48"), s_v6),
    ]);

    [Theory]
    [InlineData("10.99.3.7", "host")]
    [InlineData("10.99.3.8", "narrow")]
    [InlineData("10.99.4.1", "wide")]
    [InlineData("10.98.0.1", null)]
    [InlineData("fd00:99:3:1::5", "v6")]
    [InlineData("fd00:99:4::5", null)]
    public void Find_Address_LongestPrefixOwner(string address, string? owner)
    {
        var packet = Packet(IPAddress.Parse(address.Contains(':', StringComparison.Ordinal) ? "2001:db8::1" : "192.0.2.1"), IPAddress.Parse(address));

        Assert.Equal(owner, Table().FindOf(packet, source: false)?.Name);
        Assert.Null(Table().FindOf(packet, source: true));
    }

    [Fact]
    public void FindOf_SourceAndDestination_ReadTheRightField()
    {
        var packet = Packet(IPAddress.Parse("10.99.3.9"), IPAddress.Parse("10.99.200.1"));

        Assert.Same(s_narrow, Table().FindOf(packet, source: true));
        Assert.Same(s_wide, Table().FindOf(packet, source: false));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x45, 0, 0, 20 })]
    [InlineData(new byte[] { 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]
    public void FindOf_ShortOrNotIp_Null(byte[] packet) => Assert.Null(Table().FindOf(packet, source: false));

    [Fact]
    public void Empty_FindsNothing() =>
        Assert.Null(PrefixTable<Owner>.Empty.FindOf(Packet(IPAddress.Parse("10.99.3.7"), IPAddress.Parse("10.99.3.7")), source: false));

    /// <summary>A minimal IPv4 or IPv6 header with the two addresses (the table reads only the version and the addresses).</summary>
    private static byte[] Packet(IPAddress source, IPAddress destination)
    {
        if (destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            var v4 = new byte[20];
            v4[0] = 0x45;
            source.GetAddressBytes().CopyTo(v4, 12);
            destination.GetAddressBytes().CopyTo(v4, 16);
            return v4;
        }

        var v6 = new byte[40];
        v6[0] = 0x60;
        source.GetAddressBytes().CopyTo(v6, 8);
        destination.GetAddressBytes().CopyTo(v6, 24);
        return v6;
    }
}
