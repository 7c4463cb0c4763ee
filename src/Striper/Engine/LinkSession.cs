using System.Collections.Concurrent;
using System.Security.Cryptography;
using Fleet.Contracts.Links;
using Fleet.Striper.Crypto;

namespace Fleet.Striper.Engine;

/// <summary>
/// The link's session with its peer: the handshake that agrees on one (docs/striper-protocol.md, "Handshake"), the
/// keys in force, and old keys retired once no thread can still be using them. The receiving thread establishes and
/// confirms sessions, the control thread sends hellos and rekeys, the sending thread only reads <see cref="Current"/>.
/// </summary>
internal sealed class LinkSession : IDisposable
{
    private readonly StriperCipher _cipher;
    private readonly byte[] _prk;
    private readonly ConcurrentQueue<(long Due, IDisposable Item)> _retired = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SessionKeys? _current;
    private long _count;

    /// <param name="cipher">The AEAD both ends use.</param>
    /// <param name="base64Key">The link's pre-shared key.</param>
    /// <param name="tagFits">The rule this end's receive tags must meet (an aggregator's lane), or null.</param>
    public LinkSession(StriperCipher cipher, string base64Key, Func<uint, bool>? tagFits = null)
    {
        _cipher = cipher;
        var key = Convert.FromBase64String(base64Key);
        _prk = KeySchedule.ExtractPrk(key);
        CryptographicOperations.ZeroMemory(key);
        HelloKey = KeySchedule.HelloKey(_prk);
        Handshake = new Handshake(tagFits is null ? null : new ResponderRandoms(_prk, tagFits));
    }

    public byte[] HelloKey { get; }

    /// <summary>Guards <see cref="Handshake"/>, which the receiving and control threads both use.</summary>
    public Lock HandshakeLock { get; } = new();

    public Handshake Handshake { get; }

    /// <summary>The keys in force, or null before the first session.</summary>
    public SessionKeys? Current => Volatile.Read(ref _current);

    /// <summary>Sessions established so far.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Completes when the first session is established.</summary>
    public Task Ready => _ready.Task;

    /// <summary>
    /// Creates the keys of the handshake's new session and puts them in force. Caller holds <see cref="HandshakeLock"/>.
    /// When <paramref name="claim"/> refuses the keys (their receive tag is another session's), they are erased, the
    /// handshake withdraws the session and null is returned.
    /// </summary>
    public SessionKeys? Establish(Func<SessionKeys, bool>? claim = null)
    {
        var session = Handshake.Established!;
        var ecdh = Handshake.TakeSharedSecret();
        var secret = KeySchedule.SessionSecret(_prk, ecdh, session);
        CryptographicOperations.ZeroMemory(ecdh);
        SessionKeys keys;
        try
        {
            // One cipher per sending stream: the sending (0), control (1) and receiving (2) threads and a speed test's (3).
            keys = new SessionKeys(_cipher, secret, session.Mine, session.Peer, 4);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }

        if (claim is not null && !claim(keys))
        {
            keys.Dispose();
            Handshake.Withdraw();
            return null;
        }

        var old = Interlocked.Exchange(ref _current, keys);
        if (old is not null)
        {
            Retire(old, TimeSpan.FromSeconds(2));
        }

        Interlocked.Increment(ref _count);
        _ready.TrySetResult();
        return keys;
    }

    /// <summary>Disposes <paramref name="item"/> (old keys) after <paramref name="delay"/>, when no thread can still be using it.</summary>
    public void Retire(IDisposable item, TimeSpan delay) =>
        _retired.Enqueue((MonotonicClock.Now() + MonotonicClock.TicksFromSeconds(delay.TotalSeconds), item));

    /// <summary>Disposes what was retired before <paramref name="now"/> (the control thread calls this).</summary>
    public void DisposeRetired(long now)
    {
        while (_retired.TryPeek(out var head) && head.Due <= now && _retired.TryDequeue(out var item))
        {
            item.Item.Dispose();
        }
    }

    /// <summary>Call only after every thread stopped.</summary>
    public void Dispose()
    {
        Handshake.Dispose();
        _current?.Dispose();
        while (_retired.TryDequeue(out var item))
        {
            item.Item.Dispose();
        }

        CryptographicOperations.ZeroMemory(_prk);
        CryptographicOperations.ZeroMemory(HelloKey);
    }
}
