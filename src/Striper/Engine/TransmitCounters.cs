namespace Fleet.Striper.Engine;

/// <summary>Counters of the sending side of the link.</summary>
internal sealed class TransmitCounters
{
    public long TunPackets;
    public long TunBytes;
    public long Segments;
    public long NoSession;
    public long NoPath;
    public long TooBig;
    public long BadOffload;

    /// <summary>Bytes the sending thread allocated on the managed heap (should stay flat while traffic flows).</summary>
    public long AllocatedBytes;
}
