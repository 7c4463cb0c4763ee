using Fleet.Contracts.Links;
using Fleet.Striper.Classes;
using Fleet.Striper.Engine;
using Fleet.Striper.Scheduling;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Fec;

/// <summary>
/// The sending side of one FEC class: groups its packets into blocks, places each packet on a path
/// (<see cref="FecPlanner.Place"/>), accumulates the parity of the block as packets go out, and says when a block is
/// due: full, or open for the class's delay bound. A block's size follows the class's packet rate (as many packets as
/// it sends within the delay bound, 1–32), its parity count the paths' loss when it opens. Used by the sending thread
/// only; allocation-free after construction.
/// </summary>
internal sealed class FecEncoder
{
    private readonly FecPlanner _planner = new();
    private readonly byte[][] _parity;
    private readonly int[] _counts = new int[32];
    private readonly double _maxDelaySeconds;
    private readonly long _maxDelayTicks;
    private readonly double _targetLoss;
    private readonly double _maxOverhead;
    private readonly ClassTxCounters _counters;
    private readonly FecBlockNumbers _numbers;
    private double _intervalSeconds;
    private double _lastPacketSeconds = double.NaN;
    private bool _open;
    private uint _block;
    private int _plannedData;
    private int _plannedParity;
    private int _data;
    private int _symbolLength;
    private long _openedTicks;

    /// <param name="options">The class's FEC options.</param>
    /// <param name="tunMtu">Largest packet: parity buffers hold a symbol of it plus the metadata in front.</param>
    /// <param name="counters">Where the class's FEC counters go.</param>
    /// <param name="numbers">Where block numbers come from (the link's, kept across policy changes); its own when null.</param>
    public FecEncoder(FecClassOptions options, int tunMtu, ClassTxCounters counters, FecBlockNumbers? numbers = null)
    {
        _numbers = numbers ?? new FecBlockNumbers();
        _maxDelaySeconds = options.MaxDelayMs / 1000.0;
        _maxDelayTicks = MonotonicClock.TicksFromSeconds(_maxDelaySeconds);
        _targetLoss = options.TargetLossPercent / 100;
        _maxOverhead = options.MaxOverheadPercent / 100;
        _counters = counters;
        MaxPacketLength = tunMtu - FecSymbol.PrefixLength;
        _intervalSeconds = _maxDelaySeconds / 4;
        _parity = new byte[CauchyCode.MaxParity][];
        for (var j = 0; j < _parity.Length; j++)
        {
            _parity[j] = new byte[WireFormat.DataMetaLength + tunMtu];
        }
    }

    /// <summary>Longest packet a block can protect.</summary>
    public int MaxPacketLength { get; }

    /// <summary>When the open block is due (ticks), or <see cref="long.MaxValue"/> when none is open.</summary>
    public long DueTicks => _open ? _openedTicks + _maxDelayTicks : long.MaxValue;

    /// <summary>Parity packets the open block will get when it closes (0: none, or no block open).</summary>
    public int ParityDue => _open ? _plannedParity : 0;

    /// <summary>
    /// Chooses the path of the next protected packet (opening a block when none is open) and fills its FEC fields;
    /// -1 when no path is eligible.
    /// </summary>
    public int PlaceData(PathSet paths, uint eligible, double nowSeconds, long nowTicks, ref DataFields fields)
    {
        if (!double.IsNaN(_lastPacketSeconds))
        {
            var gap = nowSeconds - _lastPacketSeconds;
            if (gap < 1)
            {
                // The class's packet interval (a pause of a second or more is a new talk spurt, not a rate).
                _intervalSeconds += 0.2 * (gap - _intervalSeconds);
            }
        }

        _lastPacketSeconds = nowSeconds;
        if (!_open)
        {
            Open(paths, eligible, nowTicks);
        }

        var path = FecPlanner.Place(paths, eligible, _counts);
        if (path < 0)
        {
            return -1;
        }

        _counts[path]++;
        fields.FecData = (byte)_plannedData;
        fields.FecParity = (byte)_plannedParity;
        fields.FecIndex = (byte)_data;
        fields.FecBlock = _block;
        return path;
    }

    /// <summary>Adds a packet that went out (its symbol) to the block's parity; true when the block is now full.</summary>
    public bool Accumulate(ReadOnlySpan<byte> packet, in DataFields fields)
    {
        if (_plannedParity > 0)
        {
            Span<byte> prefix = stackalloc byte[FecSymbol.PrefixLength];
            FecSymbol.WritePrefix(prefix, packet.Length, fields.Flags, fields.FlowClass, fields.ClassSequence, fields.Global);
            for (var j = 0; j < _plannedParity; j++)
            {
                var symbol = _parity[j].AsSpan(WireFormat.DataMetaLength);
                CauchyCode.Accumulate(symbol, j, _data, prefix);
                CauchyCode.Accumulate(symbol[FecSymbol.PrefixLength..], j, _data, packet);
            }

            _symbolLength = Math.Max(_symbolLength, FecSymbol.PrefixLength + packet.Length);
        }

        _data++;
        return _data >= _plannedData;
    }

    /// <summary>The path of the closing block's next parity packet; -1 when none is eligible.</summary>
    public int PlaceParity(PathSet paths, uint eligible)
    {
        var path = FecPlanner.Place(paths, eligible, _counts);
        if (path >= 0)
        {
            _counts[path]++;
        }

        return path;
    }

    /// <summary>
    /// Parity <paramref name="index"/> of the closing block: metadata room (<see cref="WireFormat.DataMetaLength"/> bytes)
    /// followed by the parity symbol, and its FEC fields.
    /// </summary>
    public Span<byte> Parity(int index, ref DataFields fields)
    {
        fields.Flags = WireFormat.DataFlagParity;
        fields.FecData = (byte)_data;
        fields.FecParity = (byte)_plannedParity;
        fields.FecIndex = (byte)index;
        fields.FecBlock = _block;
        return _parity[index].AsSpan(0, WireFormat.DataMetaLength + _symbolLength);
    }

    /// <summary>
    /// Drops the open block without its parity: its data went out under a session the peer no longer has (the peer
    /// forgot its blocks with it), so parity sent now could only rebuild packets of the old session.
    /// </summary>
    public void Abandon()
    {
        if (_open)
        {
            ClearParity();
            _open = false;
        }
    }

    /// <summary>Ends the block once its parity (if any) went out: counts it and clears the parity for the next.</summary>
    public void Close()
    {
        if (!_open)
        {
            return;
        }

        _counters.FecBlocks++;
        ClearParity();
        _open = false;
    }

    private void ClearParity()
    {
        for (var j = 0; j < _plannedParity; j++)
        {
            _parity[j].AsSpan(WireFormat.DataMetaLength, _symbolLength).Clear();
        }
    }

    private void Open(PathSet paths, uint eligible, long nowTicks)
    {
        _open = true;
        _block = _numbers.Next();
        _data = 0;
        _symbolLength = 0;
        _openedTicks = nowTicks;
        Array.Clear(_counts);
        // Packets sent at 0, i, 2i, … fit the bound while (k − 1)·i < D; rounding D ÷ i keeps half an interval of room
        // for jitter. (Flooring it, a class sending exactly every D ÷ 2 flipped between blocks of 1 and 2 with the
        // smoothed interval's jitter, and a block of 1 is lost whole when its one parity packet is.)
        _plannedData = (int)Math.Clamp(Math.Round(_maxDelaySeconds / Math.Max(_intervalSeconds, 1e-6)), 1, CauchyCode.MaxData);
        var maxParity = (int)Math.Floor(_plannedData * _maxOverhead);
        _plannedParity = _planner.Parity(paths, eligible, _plannedData, maxParity, _targetLoss);
        _counters.FecPlannedData = _plannedData;
        _counters.FecPlannedParity = _plannedParity;
    }
}
