using System.Text;
using Fleet.Api.Links;
using Fleet.Api.Replication;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Live;

namespace Fleet.Api.Tests.Replication;

/// <summary>The NOTIFY payloads: exact round trips, the 8000-byte limit, and refusal of anything malformed.</summary>
public sealed class ReplicationCodecTests
{
    private static readonly Guid s_origin = Guid.NewGuid();
    private static readonly Guid s_host = Guid.NewGuid();

    [Theory]
    [InlineData(LinkChangeKind.Created, 1L)]
    [InlineData(LinkChangeKind.SpecChanged, 42L)]
    [InlineData(LinkChangeKind.Reverted, 7L)]
    [InlineData(LinkChangeKind.Deleted, long.MaxValue)]
    [InlineData(LinkChangeKind.HostDecommissioned, 0L)]
    public void LinkChange_RoundTrip_IsExact(LinkChangeKind kind, long generation)
    {
        var change = new LinkChange(kind, s_host, kind == LinkChangeKind.HostDecommissioned ? Guid.Empty : Guid.NewGuid(), generation);

        var payload = ReplicationCodec.EncodeLinkChange(s_origin, change);

        Assert.Equal((s_origin, change), ReplicationCodec.DecodeLinkChange(payload));
        Assert.True(payload.Length < 160, payload);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x y z")]
    [InlineData("00000000000000000000000000000000 99 00000000000000000000000000000000 00000000000000000000000000000000 1")]
    [InlineData("00000000000000000000000000000000 1 00000000000000000000000000000000 00000000000000000000000000000000 -1")]
    public void LinkChange_Malformed_IsAFormatException(string payload) =>
        Assert.Throws<FormatException>(() => ReplicationCodec.DecodeLinkChange(payload));

    [Fact]
    public void Samples_RoundTrip_KeepsEveryFieldAndTheOrder()
    {
        var link1 = Guid.NewGuid();
        var link2 = Guid.NewGuid();
        MemberSample[] samples =
        [
            Sample(link1, "eth1", 0) with { RttMs = 12.5, LossPercent = 0.25, Health = MemberHealth.Degraded, ReorderDepth = 3, ReorderDepthMax = 9 },
            Sample(link2, "wwan0", 1) with { TxBytes = long.MaxValue, Errors = 5, RttMs = null, LossPercent = 100 },
            Sample(link1, "eth2", 2) with { TxDrops = 1, RxDrops = 2, Health = MemberHealth.Down },
        ];

        var payloads = ReplicationCodec.EncodeSamples(s_origin, s_host, samples);

        var payload = Assert.Single(payloads);
        var decoded = ReplicationCodec.DecodeLive(payload);
        Assert.Equal((s_origin, s_host, (LiveLinkState?)null), (decoded.Origin, decoded.HostId, decoded.State));
        Assert.Equal(samples, decoded.Samples);
        Assert.Equal(s_origin, ReplicationCodec.LiveOrigin(payload));
    }

    [Fact]
    public void Samples_ABacklog_IsSplitIntoPayloadsUnderTheLimitThatTogetherHoldEverySampleInOrder()
    {
        var links = Enumerable.Range(0, 40).Select(_ => Guid.NewGuid()).ToArray();
        var samples = Enumerable.Range(0, 3_000)
            .Select(i => Sample(links[i % links.Length], "enp" + (i % 7) + "s0", i) with { RttMs = i % 3 == 0 ? null : i / 10.0 })
            .ToList();

        var payloads = ReplicationCodec.EncodeSamples(s_origin, s_host, samples);

        Assert.True(payloads.Count > 10, $"{payloads.Count} payloads");
        Assert.All(payloads, p => Assert.InRange(Encoding.UTF8.GetByteCount(p), 1, ReplicationCodec.MaxPayloadChars));
        Assert.All(payloads, p => Assert.True(p.All(char.IsAscii)));

        // Each payload is self-contained (its own link table); their concatenation is the input.
        Assert.Equal(samples, payloads.SelectMany(p => ReplicationCodec.DecodeLive(p).Samples));

        // And reasonably full: splitting is by size, not one payload per link or per sample.
        Assert.True(payloads.Take(payloads.Count - 1).All(p => p.Length > ReplicationCodec.MaxPayloadChars * 0.9), string.Join(",", payloads.Select(p => p.Length)));
    }

    [Theory]
    [InlineData(200)]
    [InlineData(1_000)]
    public void Samples_SmallerLimit_IsRespected(int maxChars)
    {
        var samples = Enumerable.Range(0, 100).Select(i => Sample(Guid.NewGuid(), "eth" + (i % 4), i)).ToList();

        var payloads = ReplicationCodec.EncodeSamples(s_origin, s_host, samples, maxChars);

        Assert.All(payloads, p => Assert.True(p.Length <= maxChars, $"{p.Length} > {maxChars}"));
        Assert.Equal(samples, payloads.SelectMany(p => ReplicationCodec.DecodeLive(p).Samples));
    }

    [Fact]
    public void Samples_None_IsNoPayload() => Assert.Empty(ReplicationCodec.EncodeSamples(s_origin, s_host, []));

    [Fact]
    public void State_RoundTrip_IsExact()
    {
        var state = new LiveLinkState
        {
            LinkId = Guid.NewGuid(),
            HostId = s_host,
            Phase = LinkPhase.Failed,
            DesiredGeneration = 9,
            ObservedGeneration = 8,
            AwaitingConfirm = true,
            Error = "bond0: eth9 does not exist",
            Time = new DateTimeOffset(2026, 11, 22, 5, 30, 1, 123, TimeSpan.Zero).AddTicks(4567),
        };

        var payload = ReplicationCodec.EncodeState(s_origin, state);
        var decoded = ReplicationCodec.DecodeLive(payload);

        Assert.Equal((s_origin, s_host, state), (decoded.Origin, decoded.HostId, decoded.State));
        Assert.Empty(decoded.Samples);
        Assert.Equal(state with { Error = null }, ReplicationCodec.DecodeLive(ReplicationCodec.EncodeState(s_origin, state with { Error = null })).State);
        Assert.Equal(state with { Health = LinkHealth.Degraded }, ReplicationCodec.DecodeLive(ReplicationCodec.EncodeState(s_origin, state with { Health = LinkHealth.Degraded })).State);
    }

    [Fact]
    public void State_HugeError_IsCutSoThePayloadFits()
    {
        var state = new LiveLinkState
        {
            LinkId = Guid.NewGuid(),
            HostId = s_host,
            Phase = LinkPhase.Failed,
            DesiredGeneration = 2,
            ObservedGeneration = 1,
            Error = string.Concat(Enumerable.Repeat("€ ошибка 💥 ", 2_000)),
            Time = DateTimeOffset.UtcNow,
        };

        var payload = ReplicationCodec.EncodeState(s_origin, state);

        Assert.True(payload.Length <= ReplicationCodec.MaxPayloadChars, $"{payload.Length}");
        var error = ReplicationCodec.DecodeLive(payload).State!.Error!;
        Assert.Equal(ReplicationCodec.MaxErrorChars, error.Length);
        Assert.StartsWith(state.Error[..(ReplicationCodec.MaxErrorChars - 1)], error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("AQ==")]
    [InlineData("CQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Live_Malformed_IsAFormatException(string payload) =>
        Assert.Throws<FormatException>(() => ReplicationCodec.DecodeLive(payload));

    [Fact]
    public void Live_TruncatedOrExtended_IsAFormatException()
    {
        var bytes = Convert.FromBase64String(ReplicationCodec.EncodeSamples(s_origin, s_host, [Sample(Guid.NewGuid(), "eth0", 1)])[0]);

        Assert.Throws<FormatException>(() => ReplicationCodec.DecodeLive(Convert.ToBase64String(bytes[..^3])));
        Assert.Throws<FormatException>(() => ReplicationCodec.DecodeLive(Convert.ToBase64String([.. bytes, 0])));
    }

    private static MemberSample Sample(Guid linkId, string member, int i) => new()
    {
        LinkId = linkId,
        Member = member,
        Time = new DateTimeOffset(2026, 11, 22, 5, 0, 0, TimeSpan.Zero).AddMilliseconds(1_000L * i).AddTicks(i % 10_000),
        IntervalMs = 1_000,
        TxBytes = 1_000_000L + i,
        RxBytes = 2_000_000L * i,
        TxPackets = 700 + i,
        RxPackets = 1_400 + i,
        Health = MemberHealth.Up,
    };
}
