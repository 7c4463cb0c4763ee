using Fleet.Striper.Crypto;
using Fleet.Striper.Paths;
using Fleet.Striper.Reordering;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine.Receiving;

/// <summary>
/// Every datagram goes through here, in the order docs/striper-protocol.md ("Receiving") gives: header shape, then
/// hello or session tag, epoch and replay window — all before a decryption is spent on it — then the message's
/// handler. Control messages are opened here; data is opened by <see cref="DataReceiver"/> straight into a packet
/// slot. Every refusal is counted on the path and the datagram dropped; nothing here can throw on bad input.
/// </summary>
internal sealed class DatagramDispatcher
{
    private readonly StriperEngine _engine;
    private readonly ReceiveSession _session;
    private readonly Resequencer _resequencer;
    private readonly DelayTracker _delays;
    private readonly DataReceiver _data;
    private readonly HelloResponder _hellos;
    private readonly ProbeResponder _probes;
    private readonly SilenceReports _reports;
    private readonly SpeedTestResponder _speedTests;
    private readonly ReceiveCounters _counters;
    private bool _versionMismatchLogged;

    public DatagramDispatcher(StriperEngine engine, ReceiveSession session, Resequencer resequencer, DelayTracker delays, DataReceiver data,
        HelloResponder hellos, ProbeResponder probes, SilenceReports reports, SpeedTestResponder speedTests, ReceiveCounters counters)
    {
        _engine = engine;
        _session = session;
        _resequencer = resequencer;
        _delays = delays;
        _data = data;
        _hellos = hellos;
        _probes = probes;
        _reports = reports;
        _speedTests = speedTests;
        _counters = counters;
    }

    public void OnDatagram(PathRuntime path, Span<byte> datagram, in RawSocketAddress source, long now)
    {
        if (!WireHeader.TryParse(datagram, out var header))
        {
            path.Rx.Malformed++;
            if (WireHeader.IsHelloOfOtherVersion(datagram, out var version))
            {
                path.Rx.VersionMismatch++;
                if (!_versionMismatchLogged)
                {
                    // Once per engine: a peer of another version repeats its hello every probe interval.
                    _versionMismatchLogged = true;
                    _engine.LogVersionMismatch(path.Member.Interface, version);
                }
            }

            return;
        }

        if (header.Type == MessageType.Hello)
        {
            _hellos.OnHello(path, datagram, header, source, now);
            return;
        }

        var keys = _engine.Session;
        if (keys is null || header.SessionTag != keys.RxTag)
        {
            path.Rx.UnknownSession++;
            return;
        }

        if (!ReferenceEquals(keys, _session.Keys))
        {
            OnNewSession(keys);
        }

        var cipher = keys.RxCipher(header.Epoch, out var epoch);
        if (cipher is null)
        {
            _counters.BadEpoch++;
            path.Rx.AuthFailures++;
            return;
        }

        if (_session.Window(header.Stream).Check(header.Counter) != ReplayWindow.Verdict.Fresh)
        {
            path.Rx.Replays++;
            return;
        }

        if (header.Type == MessageType.Data)
        {
            _data.OnData(path, datagram, header, cipher, epoch, keys, source, now);
            return;
        }

        // A speed test's load is as large as data; every other control body is small.
        Span<byte> body = header.Type == MessageType.SpeedTest
            ? _speedTests.Buffer
            : stackalloc byte[Math.Max(Math.Max(ProbeAckMessage.Length, SpeedTestAckMessage.Length), ReportMessage.MaxLength)];
        var bodyLength = datagram.Length - WireFormat.HeaderLength - WireFormat.TagLength;
        if (bodyLength > body.Length)
        {
            path.Rx.Malformed++;
            return;
        }

        body = body[..bodyLength];
        var aad = datagram[..WireFormat.HeaderLength];
        if (!cipher.Open(aad.Slice(WireFormat.NonceOffset, WireFormat.NonceLength), datagram.Slice(WireFormat.HeaderLength, bodyLength),
                datagram.Slice(WireFormat.HeaderLength + bodyLength, WireFormat.TagLength), body, aad))
        {
            path.Rx.AuthFailures++;
            return;
        }

        // Authentic is not yet accepted: only a body that reads as its type's may confirm the session, move the epoch,
        // burn its counter or teach a listening path an address. A peer's broken or unknown body is counted and dropped
        // like a malformed datagram, with no effect (docs/striper-protocol.md, "Receiving", step 5).
        Span<(byte PathId, uint LastSendMicros)> silent = stackalloc (byte, uint)[ReportMessage.MaxEntries];
        switch (header.Type)
        {
            case MessageType.Probe when ProbeMessage.TryRead(body, out var probe):
                _session.Authenticated(keys, header.Stream, header.Counter, epoch, path, source);
                _probes.OnProbe(path, header, probe, keys, source, now);
                break;
            case MessageType.ProbeAck when ProbeAckMessage.TryRead(body, out var ack):
                _session.Authenticated(keys, header.Stream, header.Counter, epoch, path, source);
                _probes.OnProbeAck(path, ack, keys, now);
                break;
            case MessageType.Report when ReportMessage.TryRead(body, out var newest, out var threshold, silent, out var count):
                _session.Authenticated(keys, header.Stream, header.Counter, epoch, path, source);
                _reports.OnReport(newest, threshold, silent[..count]);
                break;
            case MessageType.SpeedTest when SpeedTestMessage.TryRead(body, out var load):
                _session.Authenticated(keys, header.Stream, header.Counter, epoch, path, source);
                _speedTests.OnLoad(path, load, datagram.Length, keys, source, now);
                break;
            case MessageType.SpeedTestAck when SpeedTestAckMessage.TryRead(body, out var answer):
                _session.Authenticated(keys, header.Stream, header.Counter, epoch, path, source);
                if (answer.TestId == SpeedTestMessage.MtuProbeTestId)
                {
                    path.MtuProbe.OnAnswer(answer.Sequence, large: answer.Step == SpeedTestMessage.MtuProbeLargeStep);
                }
                else
                {
                    _engine.OnSpeedTestAck(path, answer, now);
                }

                break;
            default:
                path.Rx.Malformed++;
                break;
        }
    }

    /// <summary>
    /// The first datagram of a new session: everything numbered in the old one starts over, and health learned from the
    /// previous peer process does not carry over (a listener's path may point at its old address): every path is
    /// Unknown until it answers in this session.
    /// </summary>
    private void OnNewSession(SessionKeys keys)
    {
        _session.Start(keys);
        _resequencer.Reset();
        _data.Fec.Reset();
        _delays.Reset();
        _speedTests.Reset();
        foreach (var path in _engine.Paths)
        {
            path.MtuProbe.Reset();
        }

        var seconds = MonotonicClock.Seconds(MonotonicClock.Now());
        foreach (var path in _engine.Paths)
        {
            lock (path.HealthLock)
            {
                path.Loss.Reset();
                path.LossBursts.Reset();
                path.Health.OnNewSession(seconds);
            }
        }
    }
}
