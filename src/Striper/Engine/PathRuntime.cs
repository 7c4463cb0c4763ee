using System.Net;
using Fleet.Contracts.Links;
using Fleet.Striper.Health;
using Fleet.Striper.Paths;

namespace Fleet.Striper.Engine;

/// <summary>The peer address a path sends to; replaced (not mutated) when the listener learns a new one.</summary>
internal sealed class PeerAddress
{
    public PeerAddress(RawSocketAddress address)
    {
        Address = address;
    }

    public RawSocketAddress Address;
}

/// <summary>Send-side counters of a path, written by the sending threads.</summary>
internal sealed class PathTxCounters
{
    public long Packets;
    public long Bytes;
    public long DataPackets;
    public long DataBytes;
    public long DropBufferFull;
    public long DropLinkDown;
    public long DropTooBig;
    public long DropNoPeer;
    public long DropFailed;
    public long LastDataTicks;

    /// <summary>Send time (wire clock, µs) of the latest data batch, and of the first batch after an idle spell.</summary>
    public uint LastDataSendMicros;

    /// <inheritdoc cref="LastDataSendMicros"/>
    public uint ResumeMicros;

    public bool AnyDataSent;
}

/// <summary>Receive-side counters and measurements of a path, written by the receive loop.</summary>
internal sealed class PathRxCounters
{
    public long Packets;
    public long Bytes;
    public long DataPackets;
    public long DataBytes;
    public long Malformed;

    /// <summary>Of <see cref="Malformed"/>, hellos of another protocol version (a peer running another Fleet release).</summary>
    public long VersionMismatch;
    public long AuthFailures;
    public long Replays;
    public long UnknownSession;
    public long Duplicates;
    public long NoBuffer;
    public long LostPackets;

    /// <summary>Runs of consecutive packets that <see cref="LostPackets"/> made up (the resequencer's path drain).</summary>
    public long LossRuns;
    public long AddressChanges;
    public long LastDataTicks;
    public uint LastSendMicros;
    public bool AnySendTime;
    public byte SenderPathId;
    public double OwdMicros;
    public double MinOwdMicros = double.MaxValue;
    public double JitterMicros;
    public bool OwdStarted;

    /// <summary>How far (sender clock, µs) this path's latest delivery trails the newest on any path: mean and mean deviation.</summary>
    public double LagMicros;

    /// <inheritdoc cref="LagMicros"/>
    public double LagDeviationMicros;
}

/// <summary>Everything about one path (member): its spec, socket, peer, counters and health.</summary>
internal sealed class PathRuntime : IDisposable
{
    private readonly bool _ownsSocket;

    // ownsSocket: false when the socket is shared (an aggregator's, docs/striper-protocol.md, "Aggregator"); its owner closes it.
    public PathRuntime(int index, MemberSpec member, UdpPathSocket socket, RawSocketAddress configuredPeer, HealthThresholds thresholds, bool ownsSocket = true)
    {
        _ownsSocket = ownsSocket;
        Index = index;
        Member = member;
        Socket = socket;
        Listens = member.LocalPort is not null;
        ConfiguredPeer = configuredPeer.IsEmpty ? null : configuredPeer.ToEndPoint();
        Peer = configuredPeer.IsEmpty ? null : new PeerAddress(configuredPeer);
        Health = new PathHealth(thresholds);
    }

    public int Index { get; }

    /// <summary>The member as the spec in force describes it (admin state, weight and hints change live).</summary>
    public MemberSpec Member { get; set; }

    /// <summary>The member's tier under the policy in force (changes live).</summary>
    public LinkTier Tier { get; set; }

    public UdpPathSocket Socket { get; }

    /// <summary>This end listens on the path (the member has a local port), so it learns the peer's address.</summary>
    public bool Listens { get; }

    public IPEndPoint? ConfiguredPeer { get; }

    private PeerAddress? _peer;

    /// <summary>Where the path sends; null until configured or learned.</summary>
    public PeerAddress? Peer
    {
        get => Volatile.Read(ref _peer);
        set => Volatile.Write(ref _peer, value);
    }

    public PathTxCounters Tx { get; } = new();

    public PathRxCounters Rx { get; } = new();

    /// <summary>Guards <see cref="Health"/> and <see cref="Capacity"/> between the control loop and probe answers from the receive loop.</summary>
    public Lock HealthLock { get; } = new();

    public PathHealth Health { get; }

    public CapacityEstimator Capacity { get; } = new();

    /// <summary>Loss the receiver reported for this path, from its probe answers.</summary>
    public LossEstimator Loss { get; } = new();

    /// <summary>How long the path's loss bursts are, from the loss tally in the peer's probes.</summary>
    public LossBurstEstimator LossBursts { get; } = new();

    /// <summary>The path's MTU probes and what became of them.</summary>
    public MtuProbeTally MtuProbe { get; } = new();

    /// <summary>Loss ratio the receiver reported for this path (smoothed, every cause).</summary>
    public double LossRatio => Loss.Ratio;

    /// <summary>Set by a sending thread when a send failed because the local link is gone.</summary>
    public volatile bool LinkDownSeen;

    /// <summary>Set by the receive loop when the peer reported this path silent.</summary>
    public volatile bool SuspectSeen;

    /// <summary>Highest global sequence handed to the kernel on this path (for the probe's drain marker).</summary>
    public long LastGlobalSent;

    /// <summary>Path sequence handed to the kernel on this path so far.</summary>
    public long PathSequenceSent;

    public void Dispose()
    {
        if (_ownsSocket)
        {
            Socket.Dispose();
        }
    }
}
