using Fleet.Contracts.Links.Classes;
using Fleet.Contracts.Links;
using Fleet.Striper.Fec;
using Fleet.Striper.Scheduling;

namespace Fleet.Striper.Classes;

/// <summary>
/// The traffic classes in force, compiled for the sending thread: <see cref="Classify"/> finds a packet's class (the
/// first that matches, else the default class) without allocating. Immutable; a policy change builds a new table that
/// keeps the counters of classes whose names stay, and the sending thread switches to it between packets.
/// </summary>
internal sealed class ClassTable
{
    private ClassTable(TrafficClassRuntime defaultClass, TrafficClassRuntime[] classes, FecBlockNumbers blockNumbers)
    {
        BlockNumbers = blockNumbers;
        Default = defaultClass;
        Classes = classes;
    }

    /// <summary>Numbers of the FEC blocks of every class, carried from table to table.</summary>
    public FecBlockNumbers BlockNumbers { get; }

    /// <summary>Packets no class matches.</summary>
    public TrafficClassRuntime Default { get; }

    /// <summary>The classes in order; class <c>Classes[i]</c> has id i + 1.</summary>
    public TrafficClassRuntime[] Classes { get; }

    /// <summary>Builds the table for a validated <paramref name="policy"/>, keeping counters of <paramref name="previous"/> by class name.</summary>
    public static ClassTable Build(StriperPolicy policy, LinkSpec spec, int tunMtu, ClassTable? previous)
    {
        var blockNumbers = previous?.BlockNumbers ?? new FecBlockNumbers();
        var defaultClass = new TrafficClassRuntime("default", 0, ClassBehaviour.Default, null, 0, previous?.Default.Counters ?? new ClassTxCounters());
        var classes = new TrafficClassRuntime[policy.Classes.Count];
        for (var i = 0; i < classes.Length; i++)
        {
            var classSpec = policy.Classes[i];
            var counters = previous?.Find(classSpec.Name)?.Counters ?? new ClassTxCounters();
            var members = 0u;
            foreach (var name in classSpec.Members)
            {
                members |= 1u << IndexOf(spec, name);
            }

            var id = (byte)(i + 1);
            var match = new ClassMatch(classSpec.Match);
            classes[i] = classSpec.Action switch
            {
                TrafficAction.Stripe => new TrafficClassRuntime(classSpec.Name, id, ClassBehaviour.Stripe, match, members, counters,
                    scheduler: StripeSchedulers.Create(classSpec.Stripe!.Scheduler, classSpec.Stripe.SchedulerParameters)),
                TrafficAction.Pin => new TrafficClassRuntime(classSpec.Name, id, ClassBehaviour.Pin, match, members, counters,
                    pin: new PinSelector(classSpec.Pin?.Member is { } pinned ? IndexOf(spec, pinned) : -1)),
                TrafficAction.Duplicate => new TrafficClassRuntime(classSpec.Name, id, ClassBehaviour.Duplicate, match, members, counters,
                    scheduler: new RedundantScheduler(classSpec.Duplicate?.Copies ?? DuplicateClassOptions.DefaultCopies)),
                TrafficAction.Fec => new TrafficClassRuntime(classSpec.Name, id, ClassBehaviour.Fec, match, members, counters,
                    fec: new FecEncoder(classSpec.Fec ?? new FecClassOptions(), tunMtu, counters, blockNumbers)),
                _ => throw new ArgumentOutOfRangeException(nameof(policy), classSpec.Action, "unknown action"),
            };
        }

        return new ClassTable(defaultClass, classes, blockNumbers);
    }

    /// <summary>The class of <paramref name="packet"/>: the first whose match takes it, else <see cref="Default"/>.</summary>
    public TrafficClassRuntime Classify(ReadOnlySpan<byte> packet)
    {
        if (Classes.Length == 0 || !PacketFields.TryRead(packet, out var fields))
        {
            return Default;
        }

        foreach (var trafficClass in Classes)
        {
            if (trafficClass.Match!.Matches(fields))
            {
                return trafficClass;
            }
        }

        return Default;
    }

    /// <summary>The class named <paramref name="name"/> (the default class too), or null.</summary>
    public TrafficClassRuntime? Find(string name)
    {
        if (name == Default.Name)
        {
            return Default;
        }

        foreach (var trafficClass in Classes)
        {
            if (trafficClass.Name == name)
            {
                return trafficClass;
            }
        }

        return null;
    }

    private static int IndexOf(LinkSpec spec, string member)
    {
        for (var i = 0; i < spec.Members.Count; i++)
        {
            if (spec.Members[i].Interface == member)
            {
                return i;
            }
        }

        throw new ArgumentException($"'{member}' is not a member of the link (validate the policy first)", nameof(member));
    }
}
