using Fleet.Striper.Crypto;
using Fleet.Striper.Paths;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine.Receiving;

/// <summary>
/// What the receiving thread knows of the session in force: its keys, one replay window per sending stream, one over
/// global sequences (to find redundant copies), and whether the peer has proved it holds the keys. Also what an
/// authentic, fresh datagram teaches: the peer's epoch, that the peer is confirmed, and (on a listening path) where
/// the peer is now.
/// </summary>
internal sealed class ReceiveSession
{
    private readonly StriperEngine _engine;
    private readonly ReplayWindow[] _replay = new ReplayWindow[WireFormat.MaxStreams];
    private bool _confirmed;
    private int _confirmedAt;

    /// <param name="engine">The engine whose handshake learns that the peer is confirmed.</param>
    /// <param name="depth">Replay window depth: at least as deep as the reorder buffer (every slot may be held), as the design requires.</param>
    public ReceiveSession(StriperEngine engine, int depth)
    {
        _engine = engine;
        for (var i = 0; i < _replay.Length; i++)
        {
            _replay[i] = new ReplayWindow(depth);
        }

        Globals = new ReplayWindow(depth);
    }

    /// <summary>The keys the receiving state belongs to (null before the first session).</summary>
    public SessionKeys? Keys { get; private set; }

    /// <summary>Global sequences taken so far: a second copy of one is a duplicate.</summary>
    public ReplayWindow Globals { get; }

    public ReplayWindow Window(uint stream) => _replay[stream];

    /// <summary>Starts over for <paramref name="keys"/>: a new session numbers everything from the start.</summary>
    public void Start(SessionKeys keys)
    {
        Keys = keys;
        _confirmed = false;
        foreach (var window in _replay)
        {
            window.Reset();
        }

        Globals.Reset();
    }

    /// <summary>A datagram of <paramref name="keys"/> on <paramref name="stream"/> authenticated and passed its replay check.</summary>
    public void Authenticated(SessionKeys keys, uint stream, ulong counter, int epoch, PathRuntime path, in RawSocketAddress source)
    {
        _replay[stream].Commit(counter);
        keys.RxAuthenticated(epoch);
        if (!_confirmed || _confirmedAt != _engine.Sessions.Handshake.Unconfirmed)
        {
            // Once per session, and again after the control thread took the confirmation back (Handshake.OnPeerSilent).
            _confirmed = true;
            _confirmedAt = _engine.Sessions.Handshake.Unconfirmed;
            lock (_engine.Sessions.HandshakeLock)
            {
                if (ReferenceEquals(_engine.Session, keys))
                {
                    _engine.Sessions.Handshake.OnSessionTraffic();
                }
            }
        }

        // The listening end follows the peer's address (NAT rebinding, a new address): only on packets that are
        // authentic and fresh, so neither a forgery nor a replay from elsewhere can redirect the path.
        if (path.Listens && !source.IsEmpty && (path.Peer is not { } peer || !peer.Address.Equals(source)))
        {
            if (path.Peer is not null)
            {
                path.Rx.AddressChanges++;
            }

            path.Peer = new PeerAddress(source);
        }
    }
}
