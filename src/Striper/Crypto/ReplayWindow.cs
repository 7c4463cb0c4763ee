namespace Fleet.Striper.Crypto;

/// <summary>
/// Sliding anti-replay window over 64-bit counters (the bitmap scheme of RFC 6479): a counter is fresh when it is
/// above the highest seen, or within the window below it and not yet seen. <see cref="Check"/> is cheap and done
/// before decryption; <see cref="Commit"/> only after the datagram authenticated, so a forgery can never advance the
/// window. Also used to find duplicate global sequence numbers (redundant copies). The bitmap is made at the first
/// commit: an aggregator's site without a session, or a stream the peer never uses, holds none (issue 17).
/// </summary>
internal sealed class ReplayWindow
{
    private const int WordBits = 64;
    private readonly int _wordMask;
    private ulong[]? _words;
    private ulong _highest;
    private bool _any;

    /// <summary>Creates a window of at least <paramref name="depth"/> counters below the highest.</summary>
    public ReplayWindow(int depth)
    {
        var words = 2;
        while ((words - 1) * WordBits < depth)
        {
            words *= 2;
        }

        _wordMask = words - 1;
        Depth = (words - 1) * WordBits;
    }

    /// <summary>How far below the highest counter a counter is still accepted.</summary>
    public int Depth { get; }

    /// <summary>The highest counter committed.</summary>
    public ulong Highest => _highest;

    /// <summary>Result of a check.</summary>
    public enum Verdict
    {
        /// <summary>Not seen and inside (or above) the window.</summary>
        Fresh,

        /// <summary>Seen before.</summary>
        Replayed,

        /// <summary>Too far below the highest counter to tell.</summary>
        TooOld,
    }

    public Verdict Check(ulong counter)
    {
        if (!_any || counter > _highest)
        {
            return Verdict.Fresh;
        }

        if (_highest - counter >= (ulong)Depth)
        {
            return Verdict.TooOld;
        }

        var word = (int)((counter / WordBits) & (ulong)_wordMask);
        var bit = 1UL << (int)(counter % WordBits);
        return (_words![word] & bit) != 0 ? Verdict.Replayed : Verdict.Fresh;
    }

    /// <summary>Marks <paramref name="counter"/> seen; returns false when it was not fresh.</summary>
    public bool Commit(ulong counter)
    {
        if (Check(counter) != Verdict.Fresh)
        {
            return false;
        }

        if (!_any)
        {
            _any = true;
            _highest = counter;
            if (_words is null)
            {
                _words = new ulong[_wordMask + 1];
            }
            else
            {
                Array.Clear(_words);
            }
        }
        else if (counter > _highest)
        {
            var oldTop = _highest / WordBits;
            var newTop = counter / WordBits;
            var clear = Math.Min(newTop - oldTop, (ulong)_words!.Length);
            for (ulong i = 1; i <= clear; i++)
            {
                _words[(int)((oldTop + i) & (ulong)_wordMask)] = 0;
            }

            _highest = counter;
        }

        _words![(int)((counter / WordBits) & (ulong)_wordMask)] |= 1UL << (int)(counter % WordBits);
        return true;
    }

    public void Reset()
    {
        _any = false;
        _highest = 0;
        if (_words is not null)
        {
            Array.Clear(_words);
        }
    }
}
