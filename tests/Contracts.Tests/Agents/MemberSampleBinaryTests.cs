using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Contracts.Tests.Agents;

public sealed class MemberSampleBinaryTests
{
    private static readonly Guid[] s_links = [Guid.CreateVersion7(), Guid.CreateVersion7()];
    private static readonly MemberSample s_small = new() { LinkId = s_links[0], Member = "eth0", Time = DateTimeOffset.UnixEpoch, IntervalMs = 1_000 };

    [Theory]
    [InlineData(null, null)]
    [InlineData(12.5, null)]
    [InlineData(null, 0.25)]
    [InlineData(3.0, 100.0)]
    public void WriteThenRead_EveryField_ComesBackEqual(double? rtt, double? loss)
    {
        var sample = new MemberSample
        {
            LinkId = s_links[1],
            Member = "wwan0",
            Time = new DateTimeOffset(2026, 11, 22, 7, 30, 1, 250, TimeSpan.Zero),
            IntervalMs = 1_000,
            TxBytes = 12_345_678_901,
            RxBytes = 1,
            TxPackets = 9_000,
            RxPackets = 8_000,
            TxDrops = 7,
            RxDrops = 6,
            Errors = 5,
            ReorderDepth = 4,
            ReorderDepthMax = 40,
            RttMs = rtt,
            LossPercent = loss,
            Health = MemberHealth.Degraded,
        };

        Assert.Equal(sample, RoundTrip(writer => MemberSampleBinary.Write(writer, 1, sample)));
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(100.0, 0.0, null)]
    [InlineData(null, null, 97.5)]
    [InlineData(50.0, 12.5, 3.0)]
    public void WriteThenRead_ProbeAndCpuMeasurements_ComeBackEqual(double? largeProbeLoss, double? smallProbeLoss, double? cpu)
    {
        var sample = s_small with { RttMs = 4, LargeProbeLossPercent = largeProbeLoss, SmallProbeLossPercent = smallProbeLoss, CpuPercent = cpu };

        Assert.Equal(sample, RoundTrip(writer => MemberSampleBinary.Write(writer, 0, sample)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0.0)]
    [InlineData(7.25)]
    public void WriteThenRead_Jitter_ComesBackEqual(double? jitter)
    {
        var sample = s_small with { RttMs = 4, CpuPercent = 3, JitterMs = jitter };

        Assert.Equal(sample, RoundTrip(writer => MemberSampleBinary.Write(writer, 0, sample)));
    }

    [Fact]
    public void Read_SampleWrittenBeforeTheProbeMeasurements_ReadsWithoutThem()
    {
        // The layout before issue 12: flags 1 (rtt), the rtt, the health, and nothing after it.
        var bytes = Bytes(writer =>
        {
            writer.Write7BitEncodedInt(0);
            writer.Write("eth0");
            writer.Write(DateTimeOffset.UnixEpoch.UtcTicks);
            writer.Write7BitEncodedInt(1_000);
            for (var i = 0; i < 7; i++)
            {
                writer.Write7BitEncodedInt64(i);
            }

            writer.Write7BitEncodedInt(1);
            writer.Write7BitEncodedInt(2);
            writer.Write((byte)1);
            writer.Write(4.5);
            writer.Write((byte)MemberHealth.Up);
        });

        var sample = MemberSampleBinary.Read(new BinaryReader(new MemoryStream(bytes)), s_links);

        Assert.Equal(4.5, sample.RttMs);
        Assert.Equal(MemberHealth.Up, sample.Health);
        Assert.Null(sample.LargeProbeLossPercent);
        Assert.Null(sample.CpuPercent);
        Assert.Null(sample.JitterMs);
    }

    [Fact]
    public void Read_LinkIndexOutsideTheTable_IsAFormatError()
    {
        var bytes = Bytes(writer => MemberSampleBinary.Write(writer, 2, s_small));

        Assert.Throws<FormatException>(() => MemberSampleBinary.Read(new BinaryReader(new MemoryStream(bytes)), s_links));
    }

    [Fact]
    public void Read_UnknownHealth_IsAFormatError()
    {
        var bytes = Bytes(writer => MemberSampleBinary.Write(writer, 0, s_small));
        bytes[^1] = 200;

        Assert.Throws<FormatException>(() => MemberSampleBinary.Read(new BinaryReader(new MemoryStream(bytes)), s_links));
    }

    [Fact]
    public void Read_Truncated_EndsTheStream()
    {
        var bytes = Bytes(writer => MemberSampleBinary.Write(writer, 0, s_small));

        Assert.Throws<EndOfStreamException>(() => MemberSampleBinary.Read(new BinaryReader(new MemoryStream(bytes[..^2])), s_links));
    }

    private static MemberSample RoundTrip(Action<BinaryWriter> write)
    {
        using var reader = new BinaryReader(new MemoryStream(Bytes(write)));
        var sample = MemberSampleBinary.Read(reader, s_links);
        Assert.Equal(reader.BaseStream.Length, reader.BaseStream.Position);
        return sample;
    }

    private static byte[] Bytes(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            write(writer);
        }

        return stream.ToArray();
    }
}
