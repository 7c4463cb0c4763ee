using Fleet.Striper.Engine;

namespace Fleet.Agent.Backends.Striper;

/// <summary>A striper path's running counters as a member's: every reason a packet was dropped on the way out, on the way in, or refused as bad.</summary>
public static class StriperPathCounters
{
    /// <summary>The member counters of <paramref name="path"/>.</summary>
    public static MemberCounters Of(PathSnapshot path) => new(
        (ulong)path.TxBytes,
        (ulong)path.RxBytes,
        (ulong)path.TxPackets,
        (ulong)path.RxPackets,
        (ulong)(path.TxDropBufferFull + path.TxDropLinkDown + path.TxDropTooBig + path.TxDropNoPeer + path.TxDropFailed),
        (ulong)(path.RxNoBuffer + path.RxDuplicates),
        (ulong)(path.RxMalformed + path.RxAuthFailures + path.RxReplays + path.RxUnknownSession));
}
