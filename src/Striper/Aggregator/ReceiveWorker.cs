using Fleet.Striper.Engine.Receiving;
using Fleet.Striper.Engine;
using Fleet.Striper.Interop;
using Fleet.Striper.Paths;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Aggregator;

/// <summary>
/// One of the aggregator's receiving threads: drains its lane's socket with recvmmsg and routes each datagram to its
/// site with one lookup — a hello by the site id in its tag field, anything else by its session tag — then lets each
/// site's receive loop (replay windows, resequencing, FEC, health) take it as a point-to-point engine's would; after
/// each batch every site of the lane releases what is due. The kernel steers every datagram of a site to the site's
/// lane (<see cref="WorkerSteering"/>), so a site's receive loop runs on one thread. What belongs to no site, or to a
/// site of another lane, is counted and dropped without an answer.
/// </summary>
internal sealed unsafe class ReceiveWorker : IDisposable
{
    private readonly StriperAggregator _owner;
    private readonly AggregatorLane _lane;
    private readonly WakeSignal _wake = new();
    private readonly ReceiveRing _ring;

    public ReceiveWorker(StriperAggregator owner, AggregatorLane lane)
    {
        _owner = owner;
        _lane = lane;
        var (messages, length) = ReceiveLoop.RingShape(lane.Socket, owner.TunMtu + WireFormat.DataOverhead);
        _ring = new ReceiveRing(messages, length);
    }

    /// <summary>The generation of the sites this worker last started an iteration with.</summary>
    public long SeenGeneration;

    public void Run()
    {
        var poll = stackalloc PollFd[2];
        var socket = _lane.Socket;
        poll[0].Fd = socket.Fd.Number;
        poll[0].Events = Native.POLLIN;
        poll[1].Fd = _wake.Fd.Number;
        poll[1].Events = Native.POLLIN;
        var counters = _lane.Counters;
        while (!_owner.Stopping)
        {
            var sites = _owner.Sites;
            Volatile.Write(ref SeenGeneration, sites.Generation);
            _ring.Prepare();
            var n = SystemCalls.RecvMmsg(socket.Fd, _ring.Messages, _ring.Count, out _);
            var now = MonotonicClock.Now();
            for (var i = 0; i < n; i++)
            {
                ref var message = ref _ring.Messages[i];
                var length = (int)message.Length;
                if ((message.Header.Flags & Native.MSG_TRUNC) != 0)
                {
                    counters.Truncated++;
                    continue;
                }

                var source = RawSocketAddress.FromKernel(new ReadOnlySpan<byte>(message.Header.Name, (int)message.Header.NameLength), (int)message.Header.NameLength);
                var segment = ReceiveRing.SegmentSize(ref message.Header, length);
                var data = _ring.Buffer(i);
                for (var offset = 0; offset < length; offset += segment)
                {
                    Dispatch(sites, new Span<byte>(data + offset, Math.Min(segment, length - offset)), source, now);
                }
            }

            var caughtUp = n < _ring.Count;
            var deadline = long.MaxValue;
            foreach (var site in sites.ByWorker[_lane.Index])
            {
                var receiver = site.Engine.Receiver;
                receiver.Service(now, caughtUp);
                deadline = Math.Min(deadline, receiver.NextDeadline());
            }

            if (n <= 0)
            {
                var wait = deadline == long.MaxValue ? -1 : Math.Max(0, MonotonicClock.TicksToNanoseconds(deadline - MonotonicClock.Now()));
                SystemCalls.Poll(poll, 2, wait);
                if ((poll[1].Revents & Native.POLLIN) != 0)
                {
                    _wake.Clear();
                }
            }
        }
    }

    /// <summary>Wakes the worker from its poll (a change of sites, a stop).</summary>
    public void Wake() => _wake.Set();

    public void Dispose()
    {
        _wake.Dispose();
        DisposeBuffers();
    }

    private void DisposeBuffers() => _ring.Dispose();

    private void Dispatch(AggregatorSites sites, Span<byte> datagram, in RawSocketAddress source, long now)
    {
        var counters = _lane.Counters;
        counters.Datagrams++;
        if (!WireHeader.TryParse(datagram, out var header))
        {
            counters.Malformed++;
            if (WireHeader.IsHelloOfOtherVersion(datagram, out _))
            {
                counters.VersionMismatch++;
            }

            return;
        }

        AggregatorSite? site;
        if (header.Type == MessageType.Hello)
        {
            // Unknown sites cost this lookup and nothing else: no decryption, no answer.
            if (!sites.ById.TryGetValue(header.SessionTag, out site))
            {
                counters.UnknownSite++;
                return;
            }
        }
        else if ((site = _owner.Tags.Find(header.SessionTag)) is null)
        {
            counters.UnknownSession++;
            return;
        }

        if (site.Worker != _lane.Index)
        {
            counters.Misrouted++;
            return;
        }

        var paths = site.Engine.Paths;
        if (header.PathId >= paths.Length)
        {
            counters.BadPathId++;
            return;
        }

        site.Engine.Receiver.OnDatagram(paths[header.PathId], datagram, source, now);
    }
}
