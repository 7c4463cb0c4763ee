using Fleet.Contracts.Links;

namespace Fleet.Striper.Engine;

/// <summary>How to run an engine, beyond the link spec.</summary>
public sealed record StriperEngineOptions
{
    /// <summary>Network namespace (a path such as <c>/run/netns/NAME</c>) to create the TUN device and sockets in; null for the current one.</summary>
    public string? NetworkNamespacePath { get; init; }

    /// <summary>Send and receive buffer of each path socket, in bytes.</summary>
    public int SocketBufferBytes { get; init; } = 8 << 20;

    /// <summary>Use UDP GSO/GRO and TUN offloads when the kernel has them (false: plain datagrams and packets, for comparison).</summary>
    public bool UseOffloads { get; init; } = true;

    /// <summary>Ask for IFF_MULTI_QUEUE when the kernel supports it.</summary>
    public bool MultiQueue { get; init; } = true;

    /// <summary>Transmit queue length of the TUN device.</summary>
    public int TxQueueLength { get; init; } = 1000;

    /// <summary>The default of <see cref="NoAnswerTimeout"/>.</summary>
    public static readonly TimeSpan DefaultNoAnswerTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a path may hear nothing from its peer after the engine starts (or a new session begins) before it is
    /// Down with the reason "no answer from peer". Long enough for a peer that starts a little later (hellos go out
    /// every probe interval, at least every 50 ms); the path comes up as soon as the peer answers.
    /// </summary>
    public TimeSpan NoAnswerTimeout { get; init; } = DefaultNoAnswerTimeout;

    /// <summary>The default of <see cref="MtuProbeInterval"/>.</summary>
    public static readonly TimeSpan DefaultMtuProbeInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often each path sends a round of MTU probes, a small and a full-size one (docs/striper-protocol.md, "MTU
    /// probes"): about 1.5 kB per path and interval, each way.
    /// </summary>
    public TimeSpan MtuProbeInterval { get; init; } = DefaultMtuProbeInterval;

    /// <summary>
    /// Called on the control thread right after a path's health changed (the member's interface, its new health), so a
    /// host can report the change at once instead of at its next poll. Must return at once.
    /// </summary>
    public Action<string, MemberHealth>? PathStateChanged { get; init; }
}
