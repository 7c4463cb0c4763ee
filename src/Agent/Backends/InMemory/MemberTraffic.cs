using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends.InMemory;

/// <summary>
/// One simulated interface: its running counters and the random walk behind them. Rates follow a slow sine (daily-like
/// load swings compressed to minutes) plus noise; loss, RTT and occasional outages come from a per-interface seeded
/// <see cref="Random"/>, so a host with the same seed behaves the same way.
/// </summary>
internal sealed class MemberTraffic
{
    private const double AveragePacketBytes = 1100;
    private readonly Random _random;
    private readonly double _phase;
    private readonly double _baseLossPercent;

    public MemberTraffic(string name, int seed, SimulatedHostOptions options, DateTimeOffset start)
    {
        Name = name;
        _random = new Random(seed);
        CapacityBitsPerSecond = options.MinMemberRateBitsPerSecond + (_random.NextDouble() * (options.MaxMemberRateBitsPerSecond - options.MinMemberRateBitsPerSecond));
        BaseRttMs = 4 + (_random.NextDouble() * 70);
        _baseLossPercent = _random.NextDouble() * 0.3;
        _phase = _random.NextDouble() * Math.PI * 2;
        LastAdvance = start;
    }

    public string Name { get; }

    public double CapacityBitsPerSecond { get; }

    public double BaseRttMs { get; }

    public ulong TxBytes { get; private set; }

    public ulong RxBytes { get; private set; }

    public ulong TxPackets { get; private set; }

    public ulong RxPackets { get; private set; }

    public ulong TxDrops { get; private set; }

    public ulong RxDrops { get; private set; }

    public ulong Errors { get; private set; }

    public DateTimeOffset LastAdvance { get; private set; }

    /// <summary>Down until this time because of a simulated outage.</summary>
    public DateTimeOffset DownUntil { get; private set; }

    /// <summary>Down because a test (or an operator of the demo) cut it.</summary>
    public bool ForcedDown { get; set; }

    public double LossPercent { get; private set; }

    public double RttMs { get; private set; }

    public bool IsDown(DateTimeOffset now) => ForcedDown || now < DownUntil;

    /// <summary>Demand on a link at <paramref name="now"/> as a share of capacity (0.15–0.85).</summary>
    public double Utilization(DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeMilliseconds() / 1000.0;
        var wave = Math.Sin((seconds * 2 * Math.PI / 300) + _phase);
        return Math.Clamp(0.5 + (0.3 * wave) + ((_random.NextDouble() - 0.5) * 0.1), 0.15, 0.85);
    }

    /// <summary>Rolls for outages over the whole seconds since the previous advance.</summary>
    public void RollFailures(DateTimeOffset now, SimulatedHostOptions options)
    {
        if (options.MemberFailuresPerHour <= 0)
        {
            return;
        }

        var probabilityPerSecond = options.MemberFailuresPerHour / 3600;
        var seconds = (int)Math.Min(3600, Math.Floor((now - LastAdvance).TotalSeconds));
        for (var i = 0; i < seconds; i++)
        {
            if (now >= DownUntil && _random.NextDouble() < probabilityPerSecond)
            {
                var outage = options.OutageMin + ((options.OutageMax - options.OutageMin) * _random.NextDouble());
                DownUntil = now + outage;
            }
        }
    }

    /// <summary>Adds the traffic of the time since the previous advance at <paramref name="rateBitsPerSecond"/>.</summary>
    public void Advance(DateTimeOffset now, double rateBitsPerSecond, bool carrying)
    {
        var seconds = Math.Max(0, (now - LastAdvance).TotalSeconds);
        LastAdvance = now;
        var down = IsDown(now);
        LossPercent = down ? 100 : _baseLossPercent + (_random.NextDouble() < 0.05 ? _random.NextDouble() * 3 : 0);
        RttMs = BaseRttMs * (1 + (_random.NextDouble() * 0.2)) + (LossPercent > 1 ? 20 : 0);
        if (down || seconds <= 0)
        {
            return;
        }

        // Probes and keepalives flow even on a member that carries no traffic.
        var rate = carrying ? rateBitsPerSecond : 8_000;
        var txBytes = rate / 8 * seconds;
        var rxBytes = txBytes * (0.7 + (_random.NextDouble() * 0.25));
        var txPackets = txBytes / AveragePacketBytes;
        var rxPackets = rxBytes / AveragePacketBytes;
        TxBytes += (ulong)txBytes;
        RxBytes += (ulong)rxBytes;
        TxPackets += (ulong)txPackets;
        RxPackets += (ulong)rxPackets;
        TxDrops += (ulong)(txPackets * LossPercent / 100 * 0.3);
        RxDrops += (ulong)(rxPackets * LossPercent / 100);
        if (_random.NextDouble() < 0.01)
        {
            Errors++;
        }
    }

    public MemberHealth Health(DateTimeOffset now) =>
        IsDown(now) ? MemberHealth.Down : LossPercent > 2 ? MemberHealth.Degraded : MemberHealth.Up;

    public int NextInt(int maxExclusive) => _random.Next(maxExclusive);
}
