using System.Security.Cryptography;

namespace Fleet.Striper.Crypto;

/// <summary>What the receive loop must do after a hello.</summary>
internal enum HelloOutcome
{
    /// <summary>Nothing (a repeat of the session in force).</summary>
    None,

    /// <summary>Answer with <see cref="Handshake.HelloToSend"/> (the peer is negotiating).</summary>
    Respond,

    /// <summary>A new session was established; answer so the peer can establish it too.</summary>
    Established,

    /// <summary>
    /// Refused: the hello is our own (its sender's random is ours), reflected back by someone on the path. Neither
    /// answered nor taken as a path's address.
    /// </summary>
    Reflected,
}

/// <summary>
/// The symmetric handshake (docs/striper-protocol.md, "Handshake"). Each side keeps a fresh random it has never used
/// for a session (pending). A hello carries the sender's random and echoes the peer's. A side establishes a session
/// only from a hello that echoes its own pending random, which proves the hello is fresh (an old hello replayed
/// cannot echo a random that did not exist when it was recorded) and that the peer holds the pre-shared key. Both
/// sides then derive the same keys from the two randoms; a random, once used, is replaced, so no session keys are
/// ever derived twice. Either side may start; simultaneous starts converge. Not thread-safe: callers lock.
/// </summary>
internal sealed class Handshake
{
    private readonly Func<byte[]> _newRandom;
    private byte[] _pending;
    private byte[]? _lastPeerRandom;

    public Handshake(Func<byte[]>? newRandom = null)
    {
        _newRandom = newRandom ?? (() => RandomNumberGenerator.GetBytes(32));
        _pending = _newRandom();
    }

    /// <summary>The randoms of the session in force, or null before the first.</summary>
    public (byte[] Mine, byte[] Peer)? Established { get; private set; }

    /// <summary>An authenticated packet of the session in force came from the peer, so it holds the keys too.</summary>
    public bool PeerConfirmed { get; private set; }

    /// <summary>Whether periodic hellos are still needed.</summary>
    public bool NeedsHello => Established is null || !PeerConfirmed;

    /// <summary>The random to announce and the random to echo in the next hello.</summary>
    public (byte[] Random, byte[]? Echo) HelloToSend => Established is { } session && !PeerConfirmed
        ? (session.Mine, session.Peer)
        : (_pending, _lastPeerRandom);

    /// <summary>
    /// Handles an authenticated hello; <paramref name="reply"/> is what to answer with (for
    /// <see cref="HelloOutcome.Respond"/> and <see cref="HelloOutcome.Established"/>).
    /// </summary>
    public HelloOutcome OnHello(ReadOnlySpan<byte> peerRandom, ReadOnlySpan<byte> echo, out (byte[] Random, byte[]? Echo) reply)
    {
        // A hello names its sender (its random) and its addressee (the echo). One whose sender is us is one of ours
        // sent back: answering it would let a reflector make us answer ourselves, and then establish a session with
        // ourselves (the echo of our own pending random), replacing the real one.
        if (peerRandom.SequenceEqual(_pending) || (Established is { } own && peerRandom.SequenceEqual(own.Mine)))
        {
            reply = default;
            return HelloOutcome.Reflected;
        }

        if (Established is { } session && peerRandom.SequenceEqual(session.Peer))
        {
            if (echo.SequenceEqual(session.Mine))
            {
                reply = default;
                return HelloOutcome.None;
            }

            // The peer of our session, from before it heard our random (a delayed hello, or our answer was lost):
            // repeat the session's randoms so it can complete. Answering with a new random would start a second
            // handshake and replace a working session.
            reply = (session.Mine, session.Peer);
            return HelloOutcome.Respond;
        }

        if (echo.SequenceEqual(_pending))
        {
            Established = (_pending, peerRandom.ToArray());
            PeerConfirmed = false;
            _lastPeerRandom = Established.Value.Peer;
            _pending = _newRandom();
            reply = (Established.Value.Mine, Established.Value.Peer);
            return HelloOutcome.Established;
        }

        _lastPeerRandom = peerRandom.ToArray();
        reply = (_pending, _lastPeerRandom);
        return HelloOutcome.Respond;
    }

    /// <summary>A packet sealed with the session's keys authenticated.</summary>
    public void OnSessionTraffic() => PeerConfirmed = true;
}
