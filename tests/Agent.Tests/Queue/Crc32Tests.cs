using System.Text;
using Fleet.Agent.Queue;

namespace Fleet.Agent.Tests.Queue;

public sealed class Crc32Tests
{
    [Fact]
    public void Compute_CheckString_MatchesIeeeCheckValue()
    {
        // The CRC-32/ISO-HDLC check value from the CRC catalogue.
        Assert.Equal(0xCBF43926u, Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Append_InPieces_EqualsWhole()
    {
        var data = Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog");
        Assert.Equal(0x414FA339u, Crc32.Compute(data));
        Assert.Equal(Crc32.Compute(data), Crc32.Append(Crc32.Compute(data.AsSpan(0, 10)), data.AsSpan(10)));
    }
}
