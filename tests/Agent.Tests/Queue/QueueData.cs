using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Tests.Queue;

internal static class QueueData
{
    public static readonly Guid Link = Guid.Parse("0197a000-0000-7000-8000-000000000001");

    public static MemberSample[] Samples(int members, DateTimeOffset time, long seed = 1) =>
    [
        .. Enumerable.Range(0, members).Select(i => new MemberSample
        {
            LinkId = Link,
            Member = $"eth{i}",
            Time = time,
            IntervalMs = 1000,
            TxBytes = 12_500_000 + (seed * 31) + i,
            RxBytes = 9_000_000 + seed + i,
            TxPackets = 11_000 + i,
            RxPackets = 8_500 + i,
            TxDrops = 3,
            RxDrops = 7,
            Errors = 0,
            ReorderDepth = 12,
            ReorderDepthMax = 40,
            RttMs = 23.25,
            LossPercent = 0.125,
            Health = MemberHealth.Up,
        }),
    ];

    public static void AssertSame(IReadOnlyList<MemberSample> expected, IReadOnlyList<MemberSample> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }
    }

    public static ClassSample Class(string name, string action, DateTimeOffset time) => new()
    {
        LinkId = Link,
        Class = name,
        Action = action,
        Time = time,
        IntervalMs = 1000,
        TxPackets = 200,
        TxBytes = 32_000,
        DuplicatesSent = 3,
        DuplicateBytes = 480,
        FecBlocks = 25,
        FecParityPackets = 25,
        FecParityBytes = 4_000,
        DropNoPath = 1,
        RxPackets = 199,
        RxBytes = 31_840,
        DuplicatesDropped = 2,
        FecRecovered = 4,
        FecLost = 1,
    };
}
