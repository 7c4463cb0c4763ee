using System.Security.Cryptography;

namespace Fleet.Striper.Crypto;

/// <summary>What the receive loop must do after a hello.</summary>
internal enum HelloOutcome
{
    /// <summary>Nothing (a repeat of the session in force).</summary>
    None,

    /// <summary>Answer with the reply (the peer is negotiating).</summary>
    Respond,

    /// <summary>A new session was established; answer so the peer can establish it too.</summary>
    Established,

    /// <summary>
    /// Refused: the hello is our own (its sender's random is ours), reflected back by someone on the path. Neither
    /// answered nor taken as a path's address.
    /// </summary>
    Reflected,

    /// <summary>Refused: it would have established a session, but its public key is not a point on the curve.</summary>
    InvalidKey,
}

/// <summary>What a hello says: the sender's random and ephemeral public key, and the echo of the peer's random (null before one was seen).</summary>
internal readonly record struct HelloContent(byte[] Random, byte[] PublicKey, byte[]? Echo);

/// <summary>The two sides of an established session: each one's random and ephemeral public key (the transcript the keys are bound to).</summary>
internal sealed record EstablishedSession(byte[] Mine, byte[] MinePublicKey, byte[] Peer, byte[] PeerPublicKey);

/// <summary>
/// The symmetric handshake (docs/striper-protocol.md, "Handshake"). Each side keeps a pending share — a fresh random
/// and an ephemeral ECDH key pair — it has never used for a session. A hello carries the sender's random and public key
/// and echoes the peer's random. A side establishes a session only from a hello that echoes its own pending random,
/// which proves the hello is fresh (an old hello replayed cannot echo a random that did not exist when it was recorded)
/// and, sealed with the hello key, that the peer holds the pre-shared key. Both sides then agree on the same ECDH
/// secret and derive the same keys from it, the pre-shared key and the transcript; a share, once used, is replaced and
/// its private key released, so no session's keys are ever derived twice nor recomputed later. Either side may start;
/// simultaneous starts converge. Not thread-safe: callers lock.
/// </summary>
/// <param name="randoms">
/// For a responder whose receive tag must meet a rule (an aggregator's lane): how it draws the random it answers each
/// peer random with. Null on a link: the pending share's random answers every hello.
/// </param>
internal sealed class Handshake(ResponderRandoms? randoms = null) : IDisposable
{
    private EphemeralShare? _pending;
    private byte[]? _drawKey;
    private DrawnRandom? _drawn;
    private byte[]? _lastPeerRandom;
    private byte[]? _lastPeerPublicKey;
    /// <summary>How many withdrawn sessions' peer randoms are remembered (a site redraws a few times at most in a row).</summary>
    private const int MaxWithdrawnPeers = 8;

    private readonly Queue<byte[]> _withdrawnPeers = new();
    private bool _sessionSinceWithdrawal;
    private byte[]? _sharedSecret;
    private EstablishedSession? _previous;
    private bool _previousConfirmed;
    private int _unconfirmed;

    /// <summary>The session in force, or null before the first.</summary>
    public EstablishedSession? Established { get; private set; }

    /// <summary>An authenticated packet of the session in force came from the peer, so it holds the keys too.</summary>
    public bool PeerConfirmed { get; private set; }

    /// <summary>Whether a share (an ephemeral key pair) waits for the next handshake; none until one is first needed.</summary>
    public bool HasPendingShare => _pending is not null;

    /// <summary>Whether periodic hellos are still needed.</summary>
    public bool NeedsHello => Established is null || !PeerConfirmed;

    /// <summary>
    /// The share the next handshake uses, made when first needed: a key pair costs a P-256 key generation, and an
    /// aggregator's sites mostly wait for their site's hello (issue 17).
    /// </summary>
    private EphemeralShare Pending => _pending ??= new EphemeralShare();

    /// <summary>The next hello: the session's before it is confirmed, else the pending share.</summary>
    public HelloContent HelloToSend => Established is { } session && !PeerConfirmed
        ? new HelloContent(session.Mine, session.MinePublicKey, session.Peer)
        : PendingHello;

    /// <summary>
    /// Handles an authenticated hello; <paramref name="reply"/> is what to answer with (for
    /// <see cref="HelloOutcome.Respond"/> and <see cref="HelloOutcome.Established"/>). With
    /// <paramref name="answering"/> false a <see cref="HelloOutcome.Respond"/> will not be sent (its answer is rate
    /// limited), so no random is drawn for it: a flood of replayed hellos costs no ECDH beyond the answers' rate.
    /// </summary>
    public HelloOutcome OnHello(ReadOnlySpan<byte> peerRandom, ReadOnlySpan<byte> peerPublicKey, ReadOnlySpan<byte> echo, out HelloContent reply, bool answering = true)
    {
        reply = default;

        // A hello names its sender (its random and key) and its addressee (the echo). One whose sender is us is one of
        // ours sent back: answering it would let a reflector make us answer ourselves, and then establish a session
        // with ourselves (the echo of our own pending random), replacing the real one.
        if (peerRandom.SequenceEqual(Pending.Random) || peerPublicKey.SequenceEqual(Pending.PublicKey)
            || (Established is { } own && (peerRandom.SequenceEqual(own.Mine) || peerPublicKey.SequenceEqual(own.MinePublicKey))))
        {
            return HelloOutcome.Reflected;
        }

        if (Established is { } session && peerRandom.SequenceEqual(session.Peer))
        {
            if (echo.SequenceEqual(session.Mine))
            {
                return HelloOutcome.None;
            }

            // The peer of our session, from before it heard our random (a delayed hello, or our answer was lost):
            // repeat the session's hello so it can complete. Answering with a new random would start a second
            // handshake and replace a working session.
            reply = new HelloContent(session.Mine, session.MinePublicKey, session.Peer);
            return HelloOutcome.Respond;
        }

        if (echo.SequenceEqual(Pending.Random) || (randoms is not null && ResponderRandoms.IsCandidate(DrawKey, echo, peerRandom)))
        {
            // The draw that answered this peer agreed the secret already (docs/striper-protocol.md, "Aggregator").
            if (!TakeDrawnSecret(peerRandom, peerPublicKey, out var secret) && !Agree(peerPublicKey, out secret))
            {
                return HelloOutcome.InvalidKey;
            }

            Forget(_sharedSecret);
            _sharedSecret = secret;
            _previous = Established;
            _previousConfirmed = PeerConfirmed;
            Established = new EstablishedSession(echo.ToArray(), Pending.PublicKey, peerRandom.ToArray(), peerPublicKey.ToArray());
            PeerConfirmed = false;
            _lastPeerRandom = Established.Peer;
            _lastPeerPublicKey = Established.PeerPublicKey;
            Pending.ReleasePrivateKey();
            _pending = null;
            ForgetDraws();
            _sessionSinceWithdrawal = true;
            reply = new HelloContent(Established.Mine, Established.MinePublicKey, Established.Peer);
            return HelloOutcome.Established;
        }

        if (IsWithdrawnPeer(peerRandom))
        {
            // The peer's random of a withdrawn session: that session's hellos, or the peer's first hello delayed on
            // another path. Until a session follows, the answer is the share the next handshake uses; after one they
            // are old news, and a fresh share would start yet another handshake and replace the working session.
            if (_sessionSinceWithdrawal)
            {
                return HelloOutcome.None;
            }

            reply = answering ? new HelloContent(RandomFor(peerRandom, peerPublicKey), Pending.PublicKey, peerRandom.ToArray()) : default;
            return HelloOutcome.Respond;
        }

        _lastPeerRandom = peerRandom.ToArray();
        _lastPeerPublicKey = peerPublicKey.ToArray();
        reply = answering ? new HelloContent(RandomFor(peerRandom, peerPublicKey), Pending.PublicKey, _lastPeerRandom) : default;
        return HelloOutcome.Respond;
    }

    /// <summary>ECDH agreements made so far (one per session established, the responder's draw included).</summary>
    public int Agreements { get; private set; }

    /// <summary>The ECDH secret of the session just established; the caller derives the keys and erases it. Once only.</summary>
    public byte[] TakeSharedSecret()
    {
        var secret = _sharedSecret ?? throw new InvalidOperationException("no new session to take a secret from");
        _sharedSecret = null;
        return secret;
    }

    /// <summary>
    /// Takes back the session just established (its keys could not be used: an aggregator found its receive tag taken,
    /// docs/striper-protocol.md, "Aggregator"); the session before it stays in force. The share it used is gone already,
    /// so the next hello carries a fresh one, and the handshake that follows derives other keys and another tag.
    /// </summary>
    public void Withdraw()
    {
        var withdrawn = Established ?? throw new InvalidOperationException("no session to withdraw");
        Forget(_sharedSecret);
        _sharedSecret = null;
        Established = _previous;
        PeerConfirmed = _previousConfirmed;
        _previous = null;
        _lastPeerRandom = withdrawn.Peer;
        _lastPeerPublicKey = withdrawn.PeerPublicKey;
        _sessionSinceWithdrawal = false;
        if (_withdrawnPeers.Count == MaxWithdrawnPeers)
        {
            _withdrawnPeers.Dequeue();
        }

        _withdrawnPeers.Enqueue(withdrawn.Peer);
    }

    private bool IsWithdrawnPeer(ReadOnlySpan<byte> peerRandom)
    {
        foreach (var withdrawn in _withdrawnPeers)
        {
            if (peerRandom.SequenceEqual(withdrawn))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A hello with the pending share, echoing the peer's random last seen (the answer after <see cref="Withdraw"/>).</summary>
    public HelloContent PendingHello => _lastPeerRandom is { } peer && _lastPeerPublicKey is { } peerKey
        ? new(RandomFor(peer, peerKey), Pending.PublicKey, peer)
        : new(Pending.Random, Pending.PublicKey, _lastPeerRandom);

    /// <summary>The key candidates are drawn with, new with every pending share.</summary>
    private byte[] DrawKey => _drawKey ??= RandomNumberGenerator.GetBytes(KeySchedule.SecretLength);

    /// <summary>
    /// The random to answer <paramref name="peerRandom"/> with: the pending share's, or with <c>randoms</c> one drawn
    /// for this peer random (the last draw is kept: a peer repeats its hello on every path until it hears back).
    /// </summary>
    private byte[] RandomFor(ReadOnlySpan<byte> peerRandom, ReadOnlySpan<byte> peerPublicKey)
    {
        if (randoms is null)
        {
            return Pending.Random;
        }

        if (_drawn is { } drawn && peerRandom.SequenceEqual(drawn.Peer))
        {
            return drawn.Random;
        }

        // The secret is agreed once here and kept with the draw for the session it leads to: one draw at a time, so a
        // flood of hellos of other peer randoms holds no more than one secret, and at worst makes the session agree
        // its own again. No candidate fits, or the key is off the curve: the pending random, which the tag rule may refuse.
        Forget(_drawn?.Secret);
        var agreed = Agree(peerPublicKey, out var secret);
        var random = agreed ? randoms.Draw(Pending, DrawKey, peerRandom, peerPublicKey, secret) : null;
        _drawn = new DrawnRandom(peerRandom.ToArray(), peerPublicKey.ToArray(), random ?? Pending.Random, agreed ? secret : null);
        return _drawn.Random;
    }

    /// <summary>The secret the last draw agreed with the pending share, when that draw answered this peer random and key.</summary>
    private bool TakeDrawnSecret(ReadOnlySpan<byte> peerRandom, ReadOnlySpan<byte> peerPublicKey, out byte[] secret)
    {
        secret = [];
        if (_drawn is not { Secret: { } kept } drawn || !peerRandom.SequenceEqual(drawn.Peer) || !peerPublicKey.SequenceEqual(drawn.PeerPublicKey))
        {
            return false;
        }

        secret = kept;
        drawn.Secret = null;
        return true;
    }

    private bool Agree(ReadOnlySpan<byte> peerPublicKey, out byte[] secret)
    {
        if (!Pending.TryAgree(peerPublicKey, out secret))
        {
            return false;
        }

        Agreements++;
        return true;
    }

    private void ForgetDraws()
    {
        Forget(_drawKey);
        _drawKey = null;
        Forget(_drawn?.Secret);
        _drawn = null;
    }

    /// <summary>A packet sealed with the session's keys authenticated.</summary>
    public void OnSessionTraffic() => PeerConfirmed = true;

    /// <summary>Times <see cref="OnPeerSilent"/> took back the peer's confirmation (the receiving side confirms again after each).</summary>
    public int Unconfirmed => Volatile.Read(ref _unconfirmed);

    /// <summary>
    /// Nothing of the session came back on any path for a while: the peer may have restarted and lost the session (a
    /// listening end that restarts does not know where to send its hellos, so only this end can start the handshake).
    /// The session stays in force, but hellos go out again, the session's own: a peer that still holds the session
    /// ignores them (a repeat), a restarted one answers with a fresh share and the handshake makes a new session.
    /// </summary>
    public void OnPeerSilent()
    {
        if (Established is not null && PeerConfirmed)
        {
            PeerConfirmed = false;
            Interlocked.Increment(ref _unconfirmed);
        }
    }

    public void Dispose()
    {
        _pending?.Dispose();
        ForgetDraws();
        Forget(_sharedSecret);
        _sharedSecret = null;
    }

    private static void Forget(byte[]? secret)
    {
        if (secret is not null)
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>
    /// The random drawn for one peer random and key, and the ECDH secret the pending share agreed with that key (null
    /// once taken, or when none was agreed).
    /// </summary>
    private sealed class DrawnRandom(byte[] peer, byte[] peerPublicKey, byte[] random, byte[]? secret)
    {
        public byte[] Peer { get; } = peer;

        public byte[] PeerPublicKey { get; } = peerPublicKey;

        public byte[] Random { get; } = random;

        public byte[]? Secret { get; set; } = secret;
    }
}
