using System.Security.Cryptography;
using Fleet.Contracts.Links;

namespace Fleet.Striper.Crypto;

/// <summary>The sending keys of one epoch: one cipher per sending stream, because a cipher is not thread-safe.</summary>
internal sealed class TxEpoch : IDisposable
{
    public TxEpoch(int epoch, AeadCipher[] ciphers)
    {
        Epoch = epoch;
        Ciphers = ciphers;
    }

    public int Epoch { get; }

    public AeadCipher[] Ciphers { get; }

    public void Dispose()
    {
        foreach (var cipher in Ciphers)
        {
            cipher.Dispose();
        }
    }
}

/// <summary>
/// The keys of one established session (see <see cref="KeySchedule"/>). Sending threads read
/// <see cref="CurrentTx"/>; the control loop rekeys by ratcheting the sending secret; the receive loop alone uses the
/// receiving side, which follows the peer's epochs (current, previous and next, derived when first seen).
/// </summary>
internal sealed class SessionKeys : IDisposable
{
    private static long s_nextId;
    private readonly StriperCipher _cipher;
    private readonly int _streams;
    private byte[] _txSecret;
    private TxEpoch _currentTx;
    private byte[] _rxSecret;
    private int _rxEpoch;
    private AeadCipher _rxCurrent;
    private AeadCipher? _rxPrevious;
    private AeadCipher? _rxNext;
    private byte[]? _rxNextSecret;
    private long _newestAnsweredProbeMicros = -1;

    /// <summary>Derives a session's keys from its <paramref name="sessionSecret"/> (<see cref="KeySchedule.SessionSecret"/>), which the caller erases.</summary>
    public SessionKeys(StriperCipher cipher, ReadOnlySpan<byte> sessionSecret, byte[] myRandom, byte[] peerRandom, int streams)
    {
        _cipher = cipher;
        _streams = streams;
        Id = Interlocked.Increment(ref s_nextId);
        MyRandom = myRandom;
        PeerRandom = peerRandom;
        RxTag = KeySchedule.Tag(sessionSecret, myRandom);
        TxTag = KeySchedule.Tag(sessionSecret, peerRandom);
        _txSecret = KeySchedule.Traffic(sessionSecret, myRandom);
        _rxSecret = KeySchedule.Traffic(sessionSecret, peerRandom);
        _currentTx = CreateTx(0, _txSecret);
        _rxCurrent = CreateCipher(_rxSecret);
    }

    /// <summary>Process-unique id of this session (for logs and for loops noticing a new session).</summary>
    public long Id { get; }

    public byte[] MyRandom { get; }

    public byte[] PeerRandom { get; }

    /// <summary>The tag the peer puts on packets to us.</summary>
    public uint RxTag { get; }

    /// <summary>The tag we put on packets to the peer.</summary>
    public uint TxTag { get; }

    /// <summary>The sending keys in force.</summary>
    public TxEpoch CurrentTx => Volatile.Read(ref _currentTx);

    /// <summary>The peer's epoch the receive side is at.</summary>
    public int RxEpoch => _rxEpoch;

    /// <summary>
    /// Send time (µs, monotonic clock) of the newest of our probes the peer answered in this session, −1 before the
    /// first: a probe sealed in an epoch and answered proves the peer holds that epoch's key.
    /// </summary>
    public long NewestAnsweredProbeMicros => Volatile.Read(ref _newestAnsweredProbeMicros);

    /// <summary>The peer answered a probe we sent at <paramref name="sendMicros"/> (the receiving thread alone calls this).</summary>
    public void OnProbeAnswered(ulong sendMicros)
    {
        if ((long)sendMicros > _newestAnsweredProbeMicros)
        {
            Volatile.Write(ref _newestAnsweredProbeMicros, (long)sendMicros);
        }
    }

    /// <summary>Moves sending to the next epoch; returns the previous keys, which the caller disposes once no thread can still be using them.</summary>
    public TxEpoch Rekey()
    {
        var next = KeySchedule.Ratchet(_txSecret);
        CryptographicOperations.ZeroMemory(_txSecret);
        _txSecret = next;
        var old = _currentTx;
        Volatile.Write(ref _currentTx, CreateTx(old.Epoch + 1, _txSecret));
        return old;
    }

    /// <summary>The receiving cipher for a datagram whose header carries <paramref name="wireEpoch"/>; null when out of range.</summary>
    public AeadCipher? RxCipher(byte wireEpoch, out int epoch)
    {
        if (wireEpoch == (byte)_rxEpoch)
        {
            epoch = _rxEpoch;
            return _rxCurrent;
        }

        if (wireEpoch == (byte)(_rxEpoch + 1))
        {
            epoch = _rxEpoch + 1;
            if (_rxNext is null)
            {
                _rxNextSecret = KeySchedule.Ratchet(_rxSecret);
                _rxNext = CreateCipher(_rxNextSecret);
            }

            return _rxNext;
        }

        if (_rxPrevious is not null && wireEpoch == (byte)(_rxEpoch - 1))
        {
            epoch = _rxEpoch - 1;
            return _rxPrevious;
        }

        epoch = -1;
        return null;
    }

    /// <summary>A datagram of <paramref name="epoch"/> authenticated: when it is the next epoch, the peer has rekeyed; follow it.</summary>
    public void RxAuthenticated(int epoch)
    {
        if (epoch != _rxEpoch + 1 || _rxNext is null || _rxNextSecret is null)
        {
            return;
        }

        _rxPrevious?.Dispose();
        _rxPrevious = _rxCurrent;
        _rxCurrent = _rxNext;
        CryptographicOperations.ZeroMemory(_rxSecret);
        _rxSecret = _rxNextSecret;
        _rxNext = null;
        _rxNextSecret = null;
        _rxEpoch++;
    }

    public void Dispose()
    {
        _currentTx.Dispose();
        _rxCurrent.Dispose();
        _rxPrevious?.Dispose();
        _rxNext?.Dispose();
        CryptographicOperations.ZeroMemory(_txSecret);
        CryptographicOperations.ZeroMemory(_rxSecret);
    }

    private TxEpoch CreateTx(int epoch, byte[] secret)
    {
        var ciphers = new AeadCipher[_streams];
        for (var i = 0; i < ciphers.Length; i++)
        {
            ciphers[i] = CreateCipher(secret);
        }

        return new TxEpoch(epoch, ciphers);
    }

    private AeadCipher CreateCipher(byte[] secret)
    {
        var key = KeySchedule.Key(secret);
        try
        {
            return new AeadCipher(_cipher, key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
