using Fleet.Striper.Wire;

namespace Fleet.Striper.Tests.SpeedTest;

public sealed class SpeedTestMessageTests
{
    private static byte[] Load(int length = 1400)
    {
        var body = new byte[length];
        new SpeedTestMessage { TestId = 7, Step = 2, Answer = true, Sequence = 42, SendTimeMicros = 123_456 }.Write(body);
        return body;
    }

    [Fact]
    public void SpeedTestMessage_WrittenThenRead_SameFields()
    {
        Assert.True(SpeedTestMessage.TryRead(Load(), out var load));

        Assert.Equal((7u, (byte)2, true, 42u, 123_456UL), (load.TestId, load.Step, load.Answer, load.Sequence, load.SendTimeMicros));
    }

    [Theory]
    [InlineData(SpeedTestMessage.MtuProbeSmallStep, SpeedTestMessage.MinLength)]
    [InlineData(SpeedTestMessage.MtuProbeLargeStep, 1404 + 68 - 20 - 16)]
    public void MtuProbe_SmallAndFullSize_ReadAsLoadWithTestIdZero(byte step, int length)
    {
        // MTU probes are speed-test load of the reserved test id 0, so a peer of this version answers them unchanged.
        var body = new byte[length];
        new SpeedTestMessage { TestId = SpeedTestMessage.MtuProbeTestId, Step = step, Answer = true, Sequence = 9, SendTimeMicros = 5 }.Write(body);

        Assert.True(SpeedTestMessage.TryRead(body, out var probe));
        Assert.Equal((0u, step, true, 9u), (probe.TestId, probe.Step, probe.Answer, probe.Sequence));
    }

    [Theory]
    [InlineData(5, 0x02)] // an unknown flag
    [InlineData(6, 0x01)] // reserved
    [InlineData(4, 0x00)] // step 0
    [InlineData(11, 0x00)] // sequence 0
    [InlineData(20, 0x01)] // padding that is not zero: no room to smuggle anything
    [InlineData(1399, 0x80)]
    public void SpeedTestMessage_BadField_Refused(int offset, byte value)
    {
        var body = Load();
        if (offset == 11)
        {
            body.AsSpan(8, 4).Clear();
        }
        else
        {
            body[offset] = value;
        }

        Assert.False(SpeedTestMessage.TryRead(body, out _));
    }

    [Fact]
    public void SpeedTestMessage_ShorterThanAnAnswer_Refused()
    {
        // A load datagram is never smaller than the answer it may draw.
        Assert.True(SpeedTestMessage.MinLength > SpeedTestAckMessage.Length);
        Assert.False(SpeedTestMessage.TryRead(Load(SpeedTestMessage.MinLength - 1), out _));
        Assert.True(SpeedTestMessage.TryRead(Load(SpeedTestMessage.MinLength), out _));
    }

    [Fact]
    public void SpeedTestAckMessage_WrittenThenRead_SameFields()
    {
        var body = new byte[SpeedTestAckMessage.Length];
        var ack = new SpeedTestAckMessage { TestId = 9, Step = 3, Sequence = 5, EchoSendTimeMicros = 77, ElapsedMicros = 1000, LoadPackets = 4, DataPackets = 2, LoadBytes = 5000, DataBytes = 3000 };
        ack.Write(body);

        Assert.True(SpeedTestAckMessage.TryRead(body, out var read));
        Assert.Equal(ack, read);
        body[6] = 1;
        Assert.False(SpeedTestAckMessage.TryRead(body, out _));
        Assert.False(SpeedTestAckMessage.TryRead(new byte[SpeedTestAckMessage.Length + 1], out _));
    }
}
