using System.Buffers;
using System.Text.Json;
using Fleet.Agent.Tests.Queue;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Fleet.Agent.Tests.Hub;

/// <summary>
/// Every hub message, through the MessagePack hub protocol the agent and the Api speak, comes back equal: enums, null
/// and absent optional values, positional and init-only records, dictionaries, and DateTimeOffset with its offset and
/// every tick. "Equal" is judged by Fleet's JSON of both, which writes every field.
/// </summary>
public sealed class HubContractMessagePackTests
{
    private static readonly MessagePackHubProtocol s_protocol = new();
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000501");
    private static readonly Guid s_host = Guid.Parse("0197a000-0000-7000-8000-000000000502");

    // An offset other than UTC and ticks below a millisecond: both must survive.
    private static readonly DateTimeOffset s_time = new DateTimeOffset(2025, 6, 1, 14, 0, 0, TimeSpan.FromHours(2)).AddTicks(1234567);

    [Fact]
    public void AgentHello_WithPositionalAndInitOnlyEntries_RoundTrips()
    {
        var hello = new AgentHello
        {
            Hostname = "h",
            AgentVersion = "1",
            KernelVersion = "6.1",
            Capabilities = AgentCapabilities.Of(LinkKind.Bond, LinkKind.Mptcp) with { Notes = new Dictionary<string, string> { ["teql"] = "sch_teql missing" } },
            Interfaces = [new InterfaceInventory { Name = "eth0", Mtu = 1500, Up = true }, new InterfaceInventory("eth1", "veth", "02:00:00:00:00:01", 9000, false, ["10.0.0.1/24"])],
        };

        AssertRoundTrips(hello);
    }

    [Fact]
    public void AgentHello_WithoutNotes_KeepsThemNull()
    {
        var hello = new AgentHello
        {
            Hostname = "h",
            AgentVersion = "1",
            KernelVersion = "6.1",
            Capabilities = AgentCapabilities.Of(LinkKind.Striper),
            Interfaces = [],
        };

        Assert.Null(ViaInvocation(hello).Capabilities.Notes);
    }

    [Fact]
    public void DesiredLinks_OfEveryKind_RoundTrip()
    {
        var mptcp = Specs.Bond() with
        {
            Kind = LinkKind.Mptcp,
            Bond = null,
            Mptcp = new MptcpOptions { SubflowsLimit = 4, MptcpizeServices = ["ssh.service"] },
            Routes = [new RouteSpec { Destination = "0.0.0.0/0", Via = "10.9.0.2", Metric = 10 }],
            Mtu = 1400,
        };
        var bond = Specs.Bond(mode: BondMode.Ieee8023ad) with
        {
            Bond = new BondOptions { Mode = BondMode.Ieee8023ad, XmitHashPolicy = BondXmitHashPolicy.Layer34, LacpRate = BondLacpRate.Fast, ArpIpTargets = ["10.0.0.1"] },
        };
        var striper = Specs.Striper() with
        {
            Striper = Specs.Striper().Striper! with { Scheduler = StripeSchedulerKind.EarliestArrival, SchedulerParameters = new Dictionary<string, double> { ["alpha"] = 0.25 } },
        };
        var teql = Specs.Bond() with { Kind = LinkKind.Teql, Bond = null, Teql = new TeqlOptions { ProbeIntervalMs = 500 } };

        foreach (var spec in new[] { bond, mptcp, striper, teql })
        {
            AssertRoundTrips(new DesiredLink(s_link, 7, spec));
        }

        AssertRoundTrips(new HelloResult(s_host, [new DesiredLink(s_link, 1, bond)]), asResult: true);
        AssertRoundTrips(new HelloResult(s_host, []), asResult: true);
    }

    /// <summary>Issue 10: an adopting spec and a removal awaiting confirmation keep their flags on the wire.</summary>
    [Fact]
    public void AdoptingSpecAndRemovalState_RoundTrip()
    {
        AssertRoundTrips(new DesiredLink(s_link, 2, Specs.Striper() with { Adopt = true }));
        AssertRoundTrips(new ObservedLinkState { LinkId = s_link, ObservedGeneration = 2, TargetGeneration = 2, Phase = LinkPhase.Applying, AwaitingConfirm = true, Removing = true, Time = s_time });
        Assert.True(ViaInvocation(new DesiredLink(s_link, 2, Specs.Striper() with { Adopt = true })).Spec.Adopt);
    }

    [Fact]
    public void SmallMessages_RoundTrip()
    {
        AssertRoundTrips(new LinkRemoval(s_link));
        AssertRoundTrips(new LinkConfirmation(s_link, long.MaxValue));
        AssertRoundTrips(new BatchAck(3), asResult: true);
        AssertRoundTrips(new BatchAck(4, Duplicate: true), asResult: true);
        AssertRoundTrips(new BatchAck(5, Rejected: "samples[0].member: not a member of the link"), asResult: true);
    }

    [Fact]
    public void ObservedLinkState_WithAndWithoutError_RoundTrips()
    {
        foreach (var phase in Enum.GetValues<LinkPhase>())
        {
            AssertRoundTrips(new ObservedLinkState { LinkId = s_link, ObservedGeneration = 1, TargetGeneration = 2, Phase = phase, Time = s_time, AwaitingConfirm = true });
        }

        AssertRoundTrips(new ObservedLinkState { LinkId = s_link, ObservedGeneration = 0, TargetGeneration = 1, Phase = LinkPhase.Failed, Error = "no eth7", Time = s_time });
    }

    [Fact]
    public void SampleBatch_WithOptionalValuesSetAndAbsent_RoundTrips()
    {
        var samples = QueueData.Samples(3, s_time).ToList();
        samples.Add(samples[0] with { RttMs = null, LossPercent = null, Health = MemberHealth.Down, Member = "wwan0" });
        samples.Add(samples[0] with { RttMs = 12.5, LossPercent = 0.1, Health = MemberHealth.Degraded, ReorderDepthMax = int.MaxValue, TxBytes = long.MaxValue });
        var batch = new SampleBatch
        {
            Sequence = 42,
            PendingBatches = 7,
            Samples = samples,
            Events =
            [
                new AgentEvent { Time = s_time, Kind = AgentEventKind.QueueOverflow, Severity = EventSeverity.Warning, Message = "m" },
                new AgentEvent { Time = s_time.ToUniversalTime(), Kind = AgentEventKind.MemberDown, LinkId = s_link, Member = "eth1", Message = "down" },
            ],
        };

        var copy = ViaInvocation(batch);

        AssertSameJson(batch, copy);
        Assert.Equal(s_time.Offset, copy.Samples[0].Time.Offset);
        Assert.Equal(s_time.UtcTicks, copy.Samples[0].Time.UtcTicks);
    }

    [Fact]
    public void SampleBatch_WithStriperPart_RoundTrips()
    {
        var batch = new SampleBatch
        {
            Sequence = 43,
            Samples = QueueData.Samples(1, s_time),
            Striper = new StriperReport
            {
                Classes = [QueueData.Class("default", "default", s_time), QueueData.Class("voice", "pin", s_time) with { PinnedMember = "eth1" }],
                MemberStates = [new MemberState { LinkId = s_link, Member = "wwan0", Time = s_time, Tier = LinkTier.Overflow, IdleReason = "overflow: the primaries are not saturated" }],
            },
        };

        var copy = ViaInvocation(batch);

        AssertSameJson(batch, copy);
        Assert.Equal(batch.Striper.Classes, copy.Striper!.Classes);
        Assert.Equal(batch.Striper.MemberStates, copy.Striper.MemberStates);
    }

    [Fact]
    public void LiveMessages_RoundTrip()
    {
        var state = new LiveLinkState { LinkId = s_link, HostId = s_host, Phase = LinkPhase.Applied, DesiredGeneration = 3, ObservedGeneration = 3, Time = s_time };
        var snapshot = new LinkLiveSnapshot { LinkId = s_link, State = state, Samples = QueueData.Samples(2, s_time) };
        AssertRoundTrips(state);
        AssertRoundTrips(snapshot, asResult: true);
        AssertRoundTrips(new HostLiveSnapshot { HostId = s_host, Links = [snapshot] }, asResult: true);
    }

    [Fact]
    public void SpeedTestMessages_RoundTrip()
    {
        AssertRoundTrips(new SpeedTestOrder(s_host, s_link, "str0", 50e6));
        var result = new SpeedTestResult(s_time, TimeSpan.FromSeconds(2.6), SpeedTestResult.ToPeer,
            [new PathSpeedResult("eth1", true, null, 9.8e6, 9.5e6, 12e6, 1.2, 40.5, 0.1, true), new PathSpeedResult("eth2", false, "disabled", 0, 0, 0, 0, 0, 0, false)],
            9.5e6, null);
        AssertRoundTrips(new SpeedTestReport(s_host, s_link, result, new Dictionary<string, double> { ["eth1"] = 1e9 }));
        AssertRoundTrips(new SpeedTestReport(s_host, s_link, result with { Paths = [], Error = "a test is already running" }, new Dictionary<string, double>()));
    }

    private static void AssertRoundTrips<T>(T value, bool asResult = false)
        where T : notnull => AssertSameJson(value, asResult ? ViaCompletion(value) : ViaInvocation(value));

    private static void AssertSameJson<T>(T expected, T actual) =>
        Assert.Equal(JsonSerializer.Serialize(expected, FleetJson.Options), JsonSerializer.Serialize(actual, FleetJson.Options));

    /// <summary>As an argument of a hub method (agent → Api, or Api → agent).</summary>
    private static T ViaInvocation<T>(T value)
        where T : notnull
    {
        var parsed = WriteAndParse(new InvocationMessage("Method", [value]), typeof(T));
        return (T)Assert.IsType<InvocationMessage>(parsed).Arguments[0]!;
    }

    /// <summary>As the result of an invocation (the Api's answer to Hello and ReportBatch).</summary>
    private static T ViaCompletion<T>(T value)
        where T : notnull
    {
        var parsed = WriteAndParse(CompletionMessage.WithResult("1", value), typeof(T));
        return (T)Assert.IsType<CompletionMessage>(parsed).Result!;
    }

    private static HubMessage WriteAndParse(HubMessage message, Type type)
    {
        var written = new ArrayBufferWriter<byte>();
        s_protocol.WriteMessage(message, written);
        var input = new ReadOnlySequence<byte>(written.WrittenMemory);
        Assert.True(s_protocol.TryParseMessage(ref input, new Binder(type), out var parsed));
        Assert.True(input.IsEmpty);
        return parsed!;
    }

    private sealed class Binder(Type type) : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [type];

        public Type GetReturnType(string invocationId) => type;

        public Type GetStreamItemType(string streamId) => throw new NotSupportedException();
    }
}
