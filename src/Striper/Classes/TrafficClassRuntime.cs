using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Classes;
using Fleet.Striper.Fec;
using Fleet.Striper.Scheduling;

namespace Fleet.Striper.Classes;

/// <summary>What a class does with a packet, as the sending thread runs it.</summary>
internal enum ClassBehaviour
{
    /// <summary>Packets no class matched: the link's scheduler.</summary>
    Default,

    /// <summary><see cref="TrafficAction.Stripe"/>.</summary>
    Stripe,

    /// <summary><see cref="TrafficAction.Pin"/>.</summary>
    Pin,

    /// <summary><see cref="TrafficAction.Duplicate"/>.</summary>
    Duplicate,

    /// <summary><see cref="TrafficAction.Fec"/>.</summary>
    Fec,
}

/// <summary>
/// One traffic class compiled for the sending thread: its match, the paths it may use, the selector its action needs
/// (its own scheduler, a pin, the best-N copies, or an FEC encoder) and its counters. Built by <see cref="ClassTable"/>.
/// </summary>
internal sealed class TrafficClassRuntime
{
    private readonly IStripeScheduler? _scheduler;

    public TrafficClassRuntime(string name, byte id, ClassBehaviour behaviour, ClassMatch? match, uint members, ClassTxCounters counters,
        IStripeScheduler? scheduler = null, PinSelector? pin = null, FecEncoder? fec = null)
    {
        Name = name;
        Id = id;
        Behaviour = behaviour;
        Match = match;
        Members = members;
        Counters = counters;
        _scheduler = scheduler;
        Pin = pin;
        Fec = fec;
    }

    public string Name { get; }

    /// <summary>On the wire: 0 for the default class, 1..32 for the classes in order.</summary>
    public byte Id { get; }

    public ClassBehaviour Behaviour { get; }

    public ClassMatch? Match { get; }

    /// <summary>Paths the class may use (bit i = path i); 0 for every path.</summary>
    public uint Members { get; }

    public ClassTxCounters Counters { get; }

    public PinSelector? Pin { get; }

    /// <summary>The encoder of an FEC class (null for other behaviours).</summary>
    public FecEncoder? Fec { get; }

    /// <summary>The scheduler the class stripes with (its own, or the link's for the default class), for the snapshot.</summary>
    public IStripeScheduler? Scheduler => _scheduler;

    /// <summary>Whether packets of the class must stay off overflow members when the primaries are saturated.</summary>
    public bool Protected => Behaviour switch
    {
        ClassBehaviour.Default or ClassBehaviour.Stripe => false,
        ClassBehaviour.Pin or ClassBehaviour.Duplicate or ClassBehaviour.Fec => true,
        _ => throw new InvalidOperationException($"unknown behaviour {Behaviour}"),
    };

    /// <summary>
    /// Whether the class sends redundancy (copies, parity): it may use every live path (<see cref="PathSet.LiveMask"/>),
    /// degraded ones too, since what such a path loses another path's copy or the block's parity makes good.
    /// </summary>
    public bool Redundant => Behaviour switch
    {
        ClassBehaviour.Default or ClassBehaviour.Stripe or ClassBehaviour.Pin => false,
        ClassBehaviour.Duplicate or ClassBehaviour.Fec => true,
        _ => throw new InvalidOperationException($"unknown behaviour {Behaviour}"),
    };

    /// <summary>The paths the class may use in <paramref name="paths"/>' present state (see <see cref="Narrow"/>).</summary>
    public uint Eligible(PathSet paths) => Narrow(Redundant ? paths.LiveMask : paths.UsableMask);

    /// <summary>
    /// The class's paths among <paramref name="usable"/>; all of <paramref name="usable"/> when none of its members is
    /// there (a class would rather use another path than drop its packets).
    /// </summary>
    public uint Narrow(uint usable) => Members != 0 && (usable & Members) != 0 ? usable & Members : usable;

    /// <summary>
    /// The paths of a packet that is not FEC-protected. <paramref name="linkScheduler"/> serves the default class
    /// (the link's scheduler is switched live on its own).
    /// </summary>
    public uint Select(PathSet paths, uint eligible, int bytes, double nowSeconds, IStripeScheduler linkScheduler) => Behaviour switch
    {
        ClassBehaviour.Default => linkScheduler.Select(paths, eligible, bytes, nowSeconds),
        ClassBehaviour.Stripe or ClassBehaviour.Duplicate => _scheduler!.Select(paths, eligible, bytes, nowSeconds),
        ClassBehaviour.Pin => Pin!.Select(paths, eligible),
        // A packet too long to protect: on the path the encoder would give the next packet, outside any block.
        ClassBehaviour.Fec => FecPlanner.Place(paths, eligible, stackalloc int[32]) is var path and >= 0 ? 1u << path : 0,
        _ => throw new InvalidOperationException($"unknown behaviour {Behaviour}"),
    };
}
