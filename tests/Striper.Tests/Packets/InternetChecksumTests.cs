using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using Fleet.Striper.Packets;

namespace Fleet.Striper.Tests.Packets;

public sealed class InternetChecksumTests
{
    /// <summary>RFC 1071 done the slow, obvious way: 16-bit big-endian words, end-around carry.</summary>
    private static ushort Naive(byte[] data)
    {
        uint sum = 0;
        for (var i = 0; i < data.Length; i += 2)
        {
            var word = (uint)(data[i] << 8) | (i + 1 < data.Length ? data[i + 1] : 0u);
            sum += word;
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    [Fact]
    public void Finish_RandomData_MatchesNaiveRfc1071()
    {
        var property = Prop.ForAll(
            Arb.From(Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf()),
            data => InternetChecksum.Finish(InternetChecksum.Add(data, 0)) == Naive(data));

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), property);
    }

    [Fact]
    public void Add_SplitAtEvenOffset_SameAsWhole()
    {
        var property = Prop.ForAll(
            Arb.From(Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf()),
            Arb.From(Gen.Choose(0, 400)),
            (data, cut) =>
            {
                var split = Math.Min(cut * 2, data.Length & ~1);
                var parts = InternetChecksum.Add(data.AsSpan(split), InternetChecksum.Add(data.AsSpan(0, split), 0));
                return InternetChecksum.Finish(parts) == InternetChecksum.Finish(InternetChecksum.Add(data, 0));
            });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), property);
    }

    [Fact]
    public void Ipv4HeaderChecksum_KnownHeader()
    {
        // The worked example of RFC 1071 style: a header whose checksum is known (Wikipedia's IPv4 example).
        var header = Convert.FromHexString("450000730000400040110000C0A80001C0A800C7");

        Fleet.Striper.Packets.IpHeaders.SetIpv4HeaderChecksum(header, 20);

        Assert.Equal(0xB861, BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(10)));
    }
}
