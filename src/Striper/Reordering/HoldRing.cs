using Fleet.Striper.Packets;

namespace Fleet.Striper.Reordering;

/// <summary>
/// Where the resequencer keeps the packets it holds: per flow class a ring of packet slots indexed by class sequence,
/// -1 where none. It starts small and doubles when a packet comes further ahead than it holds, so it only costs the
/// memory a site's reordering needs (issue 17); what is held and released is the same as with the full window.
/// </summary>
internal sealed class HoldRing
{
    private readonly int _maxWindow;
    private int[] _ring;

    /// <param name="initialWindow">Slots per class at first (a power of two).</param>
    /// <param name="maxWindow">The most slots per class (a power of two, at least <paramref name="initialWindow"/>).</param>
    public HoldRing(int initialWindow, int maxWindow)
    {
        _maxWindow = maxWindow;
        Window = initialWindow;
        _ring = new int[FlowClassifier.ClassCount * initialWindow];
        Array.Fill(_ring, -1);
    }

    /// <summary>Slots per class now.</summary>
    public int Window { get; private set; }

    /// <summary>Whether the ring may still double.</summary>
    public bool CanGrow => Window < _maxWindow;

    /// <summary>The slot held for <paramref name="sequence"/> of <paramref name="flowClass"/>, or -1.</summary>
    public ref int At(int flowClass, uint sequence) => ref _ring[(flowClass * Window) + (int)(sequence & (uint)(Window - 1))];

    /// <summary>
    /// Doubles the ring until a packet <paramref name="distance"/> ahead of its class's next fits (or the ring is at
    /// its most). Every held packet of a class lies within a ring's length of the class's next sequence, so its place
    /// in the larger ring follows from its sequence.
    /// </summary>
    public void Grow(int distance, ReadOnlySpan<ClassHold> classes)
    {
        var window = Window;
        while (window <= distance && window < _maxWindow)
        {
            window *= 2;
        }

        var ring = new int[FlowClassifier.ClassCount * window];
        Array.Fill(ring, -1);
        var oldMask = (uint)(Window - 1);
        var newMask = (uint)(window - 1);
        for (var flowClass = 0; flowClass < classes.Length; flowClass++)
        {
            ref readonly var c = ref classes[flowClass];
            if (c.Held == 0)
            {
                continue;
            }

            for (var k = 0; k < Window; k++)
            {
                var sequence = c.Next + (uint)k;
                var slot = _ring[(flowClass * Window) + (int)(sequence & oldMask)];
                if (slot >= 0)
                {
                    ring[(flowClass * window) + (int)(sequence & newMask)] = slot;
                }
            }
        }

        _ring = ring;
        Window = window;
    }

    /// <summary>Returns every held packet's slot to <paramref name="slots"/> and empties the ring.</summary>
    public void Clear(PacketSlots slots)
    {
        for (var i = 0; i < _ring.Length; i++)
        {
            if (_ring[i] >= 0)
            {
                slots.Return(_ring[i]);
                _ring[i] = -1;
            }
        }
    }
}
