using System.Runtime.InteropServices;
using Fleet.Striper.Engine;
using Fleet.Striper.Interop;
using Fleet.Striper.Tun;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Aggregator;

/// <summary>
/// One of the aggregator's sending threads: reads its lane's queue of the TUN device, finds the site that owns each
/// packet's destination (longest prefix) and hands the packet to that site's sending loop (classes, schedulers, FEC,
/// sealing with the site's keys), flushing the sites it fed every few reads and whenever the queue is read empty. A
/// packet for no site is counted and dropped. The kernel picks a queue per flow, not per site, so any worker may feed
/// any site: it holds the site's <see cref="AggregatorSite.TransmitLock"/> while it does (docs/striper-protocol.md, "Aggregator").
/// </summary>
internal sealed unsafe class TransmitWorker : IDisposable
{
    private const int ReadBufferLength = 128 * 1024;

    /// <summary>Room in front of what is read for the first segment's metadata (as in the point-to-point engine).</summary>
    private const int ReadHeadroom = WireFormat.DataMetaLength;
    private const int ReadsPerFlush = 16;

    private readonly StriperAggregator _owner;
    private readonly AggregatorLane _lane;
    private readonly WakeSignal _wake = new();
    private readonly byte* _buffer;
    private readonly HashSet<AggregatorSite> _pending = new(64);

    public TransmitWorker(StriperAggregator owner, AggregatorLane lane)
    {
        _owner = owner;
        _lane = lane;
        _buffer = (byte*)NativeMemory.AlignedAlloc(ReadBufferLength, 64);
    }

    /// <inheritdoc cref="ReceiveWorker.SeenGeneration"/>
    public long SeenGeneration;

    public void Run()
    {
        var tun = _lane.Queue;
        var vnet = tun.Features.VnetHeader;
        var poll = stackalloc PollFd[2];
        poll[0].Fd = tun.Queue.Number;
        poll[0].Events = Native.POLLIN;
        poll[1].Fd = _wake.Fd.Number;
        poll[1].Events = Native.POLLIN;
        var reads = 0;
        var counters = _lane.Counters;
        while (!_owner.Stopping)
        {
            var sites = _owner.Sites;
            if (Volatile.Read(ref SeenGeneration) != sites.Generation)
            {
                // Sites fed under the old table are flushed first: a removed one is disposed once this is published.
                FlushPending();
                Volatile.Write(ref SeenGeneration, sites.Generation);
            }

            var n = tun.Read(_buffer + ReadHeadroom, ReadBufferLength - ReadHeadroom, out var error);
            if (n < 0)
            {
                FlushPending();
                reads = 0;
                if (error == Errno.EAGAIN)
                {
                    Sleep(sites, poll);
                }
                else if (error is not Errno.EINTR)
                {
                    // EBADF during shutdown, or a device that vanished: back off rather than spin.
                    Thread.Sleep(10);
                }

                continue;
            }

            counters.TunPackets++;
            var read = new Span<byte>(_buffer + ReadHeadroom, n);
            var site = sites.Prefixes.FindOf(vnet && n > VirtioNetHeader.Length ? read[VirtioNetHeader.Length..] : read, source: false);
            if (site is null)
            {
                counters.NoRoute++;
                continue;
            }

            lock (site.TransmitLock)
            {
                site.Engine.Transmitter.Send(read, vnet);
            }

            _pending.Add(site);

            if (++reads >= ReadsPerFlush)
            {
                FlushPending();
                reads = 0;
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

    private void DisposeBuffers() => NativeMemory.AlignedFree(_buffer);

    private void FlushPending()
    {
        foreach (var site in _pending)
        {
            lock (site.TransmitLock)
            {
                site.Engine.Transmitter.FlushDue();
            }
        }

        _pending.Clear();
    }

    /// <summary>
    /// Waits for a packet, or until an FEC block's parity is due (its parity must go out even when its class falls
    /// silent). Every worker watches every site: the worker that fed a site last may be another lane's.
    /// </summary>
    private void Sleep(AggregatorSites sites, PollFd* poll)
    {
        var due = long.MaxValue;
        foreach (var site in sites.All)
        {
            long next;
            lock (site.TransmitLock)
            {
                var transmitter = site.Engine.Transmitter;
                next = transmitter.NextBlockDue();
                if (next <= MonotonicClock.Now())
                {
                    transmitter.FlushDue();
                    next = transmitter.NextBlockDue();
                }
            }

            due = Math.Min(due, next);
        }

        var wait = due == long.MaxValue ? -1 : Math.Max(0, MonotonicClock.TicksToNanoseconds(due - MonotonicClock.Now()));
        SystemCalls.Poll(poll, 2, wait);
        if ((poll[1].Revents & Native.POLLIN) != 0)
        {
            _wake.Clear();
        }
    }
}
