using System.Numerics;

namespace Fleet.Striper.Scheduling;

/// <summary>
/// What schedulers know about the paths of a link, indexed by path (the member's position in the spec, which is also
/// its priority). The control loop writes it from the spec and from health measurements; the sending thread reads it
/// per packet. Values are plain fields: a scheduler may see one update a packet late, which is harmless.
/// </summary>
public sealed class PathSet
{
    /// <summary>Rate assumed for a path without a spec hint or measurement yet (100 Mbit/s).</summary>
    public const double DefaultRateBitsPerSecond = 100e6;

    private uint _usableMask;
    private uint _overflowMask;
    private uint _liveMask;

    /// <summary>Creates a set of <paramref name="count"/> paths with default values.</summary>
    public PathSet(int count)
    {
        if (count is < 1 or > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "a link has 1 to 32 paths");
        }

        Count = count;
        Weight = new double[count];
        RateHintBitsPerSecond = new double[count];
        LagHintSeconds = new double[count];
        MeasuredRateBitsPerSecond = new double[count];
        SrttSeconds = new double[count];
        MinRttSeconds = new double[count];
        LossRatio = new double[count];
        FecLossRatio = new double[count];
        LossBurstLength = new double[count];
        for (var i = 0; i < count; i++)
        {
            LossBurstLength[i] = 1;
            Weight[i] = 1;
            RateHintBitsPerSecond[i] = double.NaN;
            LagHintSeconds[i] = double.NaN;
            MeasuredRateBitsPerSecond[i] = double.NaN;
        }

        _usableMask = count == 32 ? uint.MaxValue : (1u << count) - 1;
        _liveMask = _usableMask;
    }

    /// <summary>Number of paths.</summary>
    public int Count { get; }

    /// <summary>Paths that may carry data now (bit i = path i): admin state and health combined, backups only when no active path is usable.</summary>
    public uint UsableMask
    {
        get => Volatile.Read(ref _usableMask);
        set => Volatile.Write(ref _usableMask, value);
    }

    /// <summary>
    /// The paths of <see cref="UsableMask"/>'s tier that are not down: also those degraded or not yet known while others
    /// are up. Copies of a duplicated packet and FEC blocks go on these: a copy or parity on a path that merely missed a
    /// probe costs nothing and may be what arrives, whereas striping a packet onto such a path risks losing it.
    /// </summary>
    public uint LiveMask
    {
        get => Volatile.Read(ref _liveMask);
        set => Volatile.Write(ref _liveMask, value);
    }

    /// <summary>
    /// Overflow members that may take what the primaries cannot (bit i = path i): non-zero only while the usable set is
    /// the primaries (docs/striper-protocol.md, "Tiers").
    /// </summary>
    public uint OverflowMask
    {
        get => Volatile.Read(ref _overflowMask);
        set => Volatile.Write(ref _overflowMask, value);
    }

    /// <summary>Rate of the usable primaries together, bit/s (each path's <see cref="PlannedRate"/>): the overflow members' threshold.</summary>
    public double PrimaryRateBitsPerSecond { get; set; }

    /// <summary>Share of traffic from the spec (default 1).</summary>
    public double[] Weight { get; }

    /// <summary>Rate hint from the spec in bit/s (NaN when absent).</summary>
    public double[] RateHintBitsPerSecond { get; }

    /// <summary>One-way lag hint from the spec in seconds (NaN when absent).</summary>
    public double[] LagHintSeconds { get; }

    /// <summary>Capacity estimated from the receiver's reports in bit/s (NaN until measured).</summary>
    public double[] MeasuredRateBitsPerSecond { get; }

    /// <summary>Smoothed round-trip time from probes in seconds (0 until measured).</summary>
    public double[] SrttSeconds { get; }

    /// <summary>Path <paramref name="path"/>'s smoothed RTT for ranking paths: unmeasured ones last (their RTT may be anything).</summary>
    public double RankingSrtt(int path) => SrttSeconds[path] > 0 ? SrttSeconds[path] : double.MaxValue;

    /// <summary>Smallest recent round-trip time in seconds (0 until measured): the path's propagation delay, without queueing.</summary>
    public double[] MinRttSeconds { get; }

    /// <summary>Recent loss ratio 0..1 from the receiver's reports.</summary>
    public double[] LossRatio { get; }

    /// <summary>Loss ratio 0..1 to plan FEC parity with: the recent loss, kept up between a path's bursts.</summary>
    public double[] FecLossRatio { get; }

    /// <summary>Mean number of consecutive packets a loss on the path takes (1 for random loss; at least 1).</summary>
    public double[] LossBurstLength { get; }

    /// <summary>Number of usable paths.</summary>
    public int UsableCount => BitOperations.PopCount(UsableMask);

    /// <summary>The rate to plan with: the spec hint, else the measurement, else <see cref="DefaultRateBitsPerSecond"/>.</summary>
    public double PlannedRate(int path)
    {
        var hint = RateHintBitsPerSecond[path];
        if (!double.IsNaN(hint))
        {
            return hint;
        }

        var measured = MeasuredRateBitsPerSecond[path];
        return double.IsNaN(measured) || measured <= 0 ? DefaultRateBitsPerSecond : measured;
    }

    /// <summary>The measured rate (the hint until a measurement exists), reduced by the path's loss.</summary>
    public double MeasuredRate(int path)
    {
        var measured = MeasuredRateBitsPerSecond[path];
        if (double.IsNaN(measured) || measured <= 0)
        {
            measured = double.IsNaN(RateHintBitsPerSecond[path]) ? DefaultRateBitsPerSecond : RateHintBitsPerSecond[path];
        }

        return measured * Math.Max(0.01, 1 - LossRatio[path]);
    }

    /// <summary>The one-way lag to plan with: the spec hint, else half the minimum RTT, else 0.</summary>
    public double PlannedLag(int path)
    {
        var hint = LagHintSeconds[path];
        return !double.IsNaN(hint) ? hint : MinRttSeconds[path] / 2;
    }

    /// <summary>The traffic share for weighted methods: the spec weight.</summary>
    public double Share(int path) => Weight[path] > 0 ? Weight[path] : 1;
}
