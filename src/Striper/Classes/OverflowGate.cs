namespace Fleet.Striper.Classes;

/// <summary>
/// Decides when the primaries are saturated, for overflow members (docs/striper-protocol.md, "Tiers"): a token bucket
/// filled at the primaries' rate — the members' rate hints, else their measured capacity, which follows the delivered
/// rate while a queue stands at the bottleneck — with a burst of 25 ms of it (at least 128 KiB, two TSO super-packets).
/// A packet the bucket can pay for goes to the primaries; one it cannot is the excess, for the overflow members. So
/// overflow members carry nothing while demand stays below the primaries' rate, and only the excess above it.
/// Sending thread only.
/// </summary>
internal sealed class OverflowGate
{
    private const double BurstSeconds = 0.025;
    private const double MinBurstBytes = 128 * 1024;
    private double _tokens = MinBurstBytes;
    private double _last = double.NaN;

    /// <summary>Packets and bytes sent to overflow members because the primaries were saturated.</summary>
    public long DivertedPackets;

    /// <inheritdoc cref="DivertedPackets"/>
    public long DivertedBytes;

    /// <summary>When the gate last diverted a packet (monotonic seconds; NaN never).</summary>
    public double LastDivertSeconds = double.NaN;

    /// <summary>Takes <paramref name="bytes"/> from the primaries' budget; false when they are saturated (nothing is taken then).</summary>
    public bool TryTake(double rateBitsPerSecond, int bytes, double nowSeconds)
    {
        Refill(rateBitsPerSecond, nowSeconds);
        if (_tokens < bytes)
        {
            return false;
        }

        _tokens -= bytes;
        return true;
    }

    /// <summary>Charges bytes that go to the primaries regardless (protected classes), down to one burst of debt.</summary>
    public void Charge(double rateBitsPerSecond, int bytes, double nowSeconds)
    {
        var burst = Refill(rateBitsPerSecond, nowSeconds);
        _tokens = Math.Max(-burst, _tokens - bytes);
    }

    private double Refill(double rateBitsPerSecond, double nowSeconds)
    {
        var bytesPerSecond = rateBitsPerSecond / 8;
        var burst = Math.Max(MinBurstBytes, bytesPerSecond * BurstSeconds);
        if (!double.IsNaN(_last))
        {
            _tokens = Math.Min(burst, _tokens + (Math.Max(0, nowSeconds - _last) * bytesPerSecond));
        }

        _last = nowSeconds;
        return burst;
    }
}
