using System.Buffers;
using System.Text;
using System.Text.Json;
using Fleet.Agent.Hub;
using Fleet.Agent.Tests.Queue;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace Fleet.Agent.Tests.Hub;

/// <summary>
/// The agent writes a <see cref="MemberSample"/> without its nil counters (<see cref="AgentHubMessagePack"/>); during a
/// rolling upgrade an Api with SignalR's default MessagePack options (every Api so far) reads the new agents' batches,
/// and the new options read the old agents' batches, each with the same samples.
/// </summary>
public sealed class NilOmittingFormatterTests
{
    private static readonly MessagePackHubProtocol s_default = new();
    private static readonly MessagePackHubProtocol s_agent = new(Options.Create(new MessagePackHubProtocolOptions { SerializerOptions = AgentHubMessagePack.Options }));
    private static readonly DateTimeOffset s_time = new DateTimeOffset(2026, 12, 7, 18, 0, 0, TimeSpan.FromHours(1)).AddTicks(4321);

    // Nullable counters named as on the wire: the contractless resolver keys a map by property name.
    private static readonly string[] s_optional =
        [nameof(MemberSample.RttMs), nameof(MemberSample.LossPercent), nameof(MemberSample.LargeProbeLossPercent), nameof(MemberSample.SmallProbeLossPercent), nameof(MemberSample.CpuPercent), nameof(MemberSample.JitterMs)];

    [Fact]
    public void NewAgentBatch_ReadWithDefaultOptions_SameSamples()
    {
        var batch = Batch();

        var read = Parse(s_default, Write(s_agent, batch));

        AssertSameJson(batch, read);
        Assert.Null(read.Samples[1].JitterMs);
        Assert.Equal(0.5, read.Samples[2].JitterMs);
    }

    [Fact]
    public void OldAgentBatch_ReadWithAgentOptions_SameSamples()
    {
        var batch = Batch();

        AssertSameJson(batch, Parse(s_agent, Write(s_default, batch)));
    }

    [Fact]
    public void SampleWithoutOptionalCounters_NoNilKeysOnTheWire()
    {
        var unmeasured = QueueData.Samples(1, s_time)[0] with { RttMs = null, LossPercent = null };
        var batch = new SampleBatch { Sequence = 1, Samples = [unmeasured] };

        var written = Write(s_agent, batch);
        var before = Write(s_default, batch);

        foreach (var name in s_optional)
        {
            Assert.DoesNotContain(name, Encoding.UTF8.GetString(written), StringComparison.Ordinal);
        }

        // Each nil cost a fixstr header, its name and a nil byte; and the map's header shrinks from map16 (3 bytes, for
        // its 20 entries) to fixmap (1 byte, 15 entries at most).
        var nilBytes = s_optional.Sum(n => 1 + n.Length + 1);
        Assert.Equal(before.Length - nilBytes - 2, written.Length);
    }

    [Fact]
    public void SampleWithEveryCounter_WrittenAsByDefault()
    {
        var batch = new SampleBatch { Sequence = 1, Samples = [Measured()] };

        Assert.Equal(Write(s_default, batch), Write(s_agent, batch));
    }

    private static SampleBatch Batch()
    {
        var samples = QueueData.Samples(2, s_time).ToList();
        samples[1] = samples[1] with { RttMs = null, LossPercent = null };
        samples.Add(Measured());
        return new SampleBatch { Sequence = 9, QueueId = Guid.CreateVersion7(), PendingBatches = 3, Samples = samples };
    }

    private static MemberSample Measured() =>
        QueueData.Samples(1, s_time)[0] with { Member = "str0p1", LargeProbeLossPercent = 40, SmallProbeLossPercent = 0, CpuPercent = 12.5, JitterMs = 0.5, Health = MemberHealth.Degraded };

    private static void AssertSameJson(SampleBatch expected, SampleBatch actual) =>
        Assert.Equal(JsonSerializer.Serialize(expected, FleetJson.Options), JsonSerializer.Serialize(actual, FleetJson.Options));

    private static byte[] Write(MessagePackHubProtocol protocol, SampleBatch batch)
    {
        var written = new ArrayBufferWriter<byte>();
        protocol.WriteMessage(new InvocationMessage("ReportBatch", [batch]), written);
        return written.WrittenSpan.ToArray();
    }

    private static SampleBatch Parse(MessagePackHubProtocol protocol, byte[] bytes)
    {
        var input = new ReadOnlySequence<byte>(bytes);
        Assert.True(protocol.TryParseMessage(ref input, new Binder(), out var parsed));
        Assert.True(input.IsEmpty);
        return Assert.IsType<SampleBatch>(Assert.IsType<InvocationMessage>(parsed).Arguments[0]);
    }

    private sealed class Binder : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [typeof(SampleBatch)];

        public Type GetReturnType(string invocationId) => throw new NotSupportedException();

        public Type GetStreamItemType(string streamId) => throw new NotSupportedException();
    }
}
