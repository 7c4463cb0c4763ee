using System.Numerics;

namespace Fleet.Striper.Fec;

/// <summary>What the decoder knows of one block in flight (traffic class, block id); reused from slot to slot.</summary>
internal sealed class FecBlockState
{
    public readonly int[] DataSymbol = new int[CauchyCode.MaxData];
    public readonly int[] ParitySymbol = new int[CauchyCode.MaxParity];
    public bool Used;

    /// <summary>Recovered or complete: nothing more to do but recognise late copies.</summary>
    public bool Done;
    public bool HoldsSymbols;
    public int TrafficClass;
    public uint Id;

    /// <summary>Data packets the block got when it closed, from its parity (0 until a parity symbol arrived).</summary>
    public int Data;

    /// <summary>Data packets the block was planned with when it opened, from its data packets.</summary>
    public int Planned;
    public int Length;
    public int Highest;
    public ulong DataMask;
    public uint ParityMask;
    public long Created;

    /// <summary>When the block is due (its parity has had time to arrive); 0 until the decoder knows the block closed.</summary>
    public long DueAt;

    /// <summary>Whether its losses were counted as lost after FEC (when it fell due); a late recovery takes them back.</summary>
    public bool Counted;

    /// <summary>Data packets counted lost when it fell due.</summary>
    public int CountedLost;

    public void Start(int trafficClass, uint id, long now)
    {
        Used = true;
        Done = false;
        HoldsSymbols = false;
        TrafficClass = trafficClass;
        Id = id;
        Data = 0;
        Planned = 0;
        Length = 0;
        Highest = 0;
        DataMask = 0;
        ParityMask = 0;
        Created = now;
        DueAt = 0;
        Counted = false;
        CountedLost = 0;
    }

    /// <summary>Data packets it misses: of those it closed with (from parity), else of those it was planned with or seen up to.</summary>
    public int Missing()
    {
        var size = Data != 0 ? Data : Math.Max(Planned, Highest);
        var mask = size == 64 ? ulong.MaxValue : (1UL << size) - 1;
        return size - BitOperations.PopCount(DataMask & mask);
    }
}
