namespace Fleet.Striper.Classes;

/// <summary>
/// Sending-side counters of one traffic class, written by the sending thread. The object outlives live policy
/// changes: a class keeps its counters while its name stays.
/// </summary>
internal sealed class ClassTxCounters
{
    public long Packets;
    public long Bytes;

    /// <summary>Copies sent beyond the first (duplicate classes, and a redundant scheduler of a stripe class).</summary>
    public long DuplicatesSent;

    /// <inheritdoc cref="DuplicatesSent"/>
    public long DuplicateBytes;

    public long FecBlocks;
    public long FecParityPackets;
    public long FecParityBytes;

    /// <summary>Packets of an FEC class too long to protect (see <see cref="Fec.FecSymbol"/>).</summary>
    public long FecUnprotected;

    /// <summary>Size of the latest block planned: data and parity packets.</summary>
    public int FecPlannedData;

    /// <inheritdoc cref="FecPlannedData"/>
    public int FecPlannedParity;

    /// <summary>Packets dropped because no path could carry them.</summary>
    public long NoPath;
}

/// <summary>Receiving-side counters per traffic class id of the peer (0 default, 1..32 its classes), written by the receiving thread.</summary>
internal sealed class ClassRxCounters
{
    public long Packets;
    public long Bytes;

    /// <summary>Copies dropped because the packet was already delivered (first copy wins).</summary>
    public long DuplicatesDropped;

    /// <summary>Packets recovered from parity.</summary>
    public long FecRecovered;

    /// <summary>Packets of FEC blocks neither received nor recovered when the block was given up.</summary>
    public long FecLost;
}
