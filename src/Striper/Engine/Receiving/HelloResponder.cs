using Fleet.Striper.Crypto;
using Fleet.Striper.Paths;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine.Receiving;

/// <summary>
/// The handshake on the receiving thread: opens hellos with the hello key, runs the handshake (docs/striper-protocol.md,
/// "Handshake"), puts a new session in force, learns a path's address from a hello where that is safe, and answers —
/// at most every 20 ms per path, so replayed hellos cannot make this end a traffic source.
/// </summary>
internal sealed class HelloResponder : IDisposable
{
    private static readonly long s_replyIntervalTicks = MonotonicClock.TicksFromSeconds(0.02);
    private readonly StriperEngine _engine;
    private readonly ControlSender _control;
    private readonly ReceiveCounters _counters;
    private readonly AeadCipher _helloCipher;
    private readonly long[] _lastHelloReply;

    public HelloResponder(StriperEngine engine, ControlSender control, ReceiveCounters counters)
    {
        _engine = engine;
        _control = control;
        _counters = counters;
        _helloCipher = new AeadCipher(engine.Cipher, engine.Sessions.HelloKey);
        _lastHelloReply = new long[engine.Paths.Length];
    }

    public void OnHello(PathRuntime path, Span<byte> datagram, in WireHeader header, in RawSocketAddress source, long now)
    {
        _counters.Hellos++;
        // The tag field of a hello carries the site id (0 on a point-to-point link), bound by the associated data.
        if (header.SessionTag != _engine.SiteId || datagram.Length != WireFormat.HeaderLength + HelloMessage.Length + WireFormat.TagLength)
        {
            path.Rx.Malformed++;
            return;
        }

        Span<byte> body = stackalloc byte[HelloMessage.Length];
        var aad = datagram[..WireFormat.HeaderLength];
        if (!_helloCipher.Open(aad.Slice(WireFormat.NonceOffset, WireFormat.NonceLength), datagram.Slice(WireFormat.HeaderLength, HelloMessage.Length),
                datagram.Slice(WireFormat.HeaderLength + HelloMessage.Length, WireFormat.TagLength), body, aad))
        {
            path.Rx.AuthFailures++;
            return;
        }

        if (!HelloMessage.TryRead(body, _engine.CipherId, out var random, out var publicKey, out var echo))
        {
            path.Rx.Malformed++;
            return;
        }

        HelloOutcome outcome;
        HelloContent reply;
        var answering = now - _lastHelloReply[path.Index] >= s_replyIntervalTicks;
        lock (_engine.Sessions.HandshakeLock)
        {
            outcome = _engine.Sessions.Handshake.OnHello(random, publicKey, echo, out reply, answering);
            if (outcome == HelloOutcome.Established && !_engine.TryEstablishSession())
            {
                outcome = HelloOutcome.Respond;
                reply = _engine.Sessions.Handshake.PendingHello;
            }
        }

        switch (outcome)
        {
            case HelloOutcome.Reflected:
                _counters.ReflectedHellos++;
                return;
            case HelloOutcome.InvalidKey:
                path.Rx.Malformed++;
                return;
            case HelloOutcome.None:
            case HelloOutcome.Respond:
            case HelloOutcome.Established:
                break;
        }

        // A hello proves only that the sender knows the key (it may be replayed); the path's address is taken from
        // it when none is known yet, or when it completed the handshake (it echoed our fresh random, so it is live).
        if (!source.IsEmpty && (path.Peer is null || (outcome == HelloOutcome.Established && path.Listens)))
        {
            path.Peer = new PeerAddress(source);
        }

        if (outcome == HelloOutcome.None || (outcome == HelloOutcome.Respond && !answering))
        {
            return;
        }

        _lastHelloReply[path.Index] = now;
        _counters.HelloReplies++;
        _control.SendHello(_helloCipher, path, _engine.CipherId, _engine.SiteId, reply, source);
    }

    public void Dispose() => _helloCipher.Dispose();
}
