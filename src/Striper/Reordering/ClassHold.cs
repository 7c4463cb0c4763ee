namespace Fleet.Striper.Reordering;

/// <summary>One flow class's place in the resequencer: the next sequence it releases and the gap it holds packets behind.</summary>
internal struct ClassHold
{
    public bool Started;

    /// <summary>The class sequence released next.</summary>
    public uint Next;

    /// <summary>Packets held behind the gap.</summary>
    public int Held;

    /// <summary>The first held packet's class sequence: the gap ends there.</summary>
    public uint FirstHeld;

    /// <summary>That packet's global sequence: the missing packet's is below it.</summary>
    public ulong BoundGlobal;

    /// <summary>When the gap started holding packets.</summary>
    public long HoldSince;

    /// <summary>When the class last gave a gap up on its hold time, and that hold time (to learn from a late packet).</summary>
    public long GaveUpAt;

    /// <inheritdoc cref="GaveUpAt"/>
    public long GaveUpHold;
}
