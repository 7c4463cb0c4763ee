using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Fleet.Striper.Engine;

namespace Fleet.Striper.Tests.Integration;

/// <summary>What a paced UDP flow through the tunnel delivered: every sequence number counted, one-way delays measured.</summary>
internal sealed record UdpFlowResult(int Sent, int Received, int Distinct, double[] DelaysMs, long ReceiveBufferDrops = 0)
{
    /// <summary>Datagrams delivered more than once.</summary>
    public int Duplicates => Received - Distinct;

    public double LossPercent => Sent == 0 ? 0 : 100.0 * (Sent - Distinct) / Sent;

    public double Percentile(double p)
    {
        if (DelaysMs.Length == 0)
        {
            return double.NaN;
        }

        var sorted = DelaysMs.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(p / 100 * sorted.Length))];
    }

    public override string ToString() =>
        $"sent {Sent}, received {Received} ({Distinct} distinct), loss {LossPercent:F2} %, delay p50 {Percentile(50):F1} ms p99 {Percentile(99):F1} ms, " +
        $"dropped by the receiving socket's full buffer {ReceiveBufferDrops}";
}

/// <summary>
/// A paced UDP flow from A to B through the tunnel, both sockets in this process (created inside the namespaces), so
/// each datagram's sequence number and send time (this process's clock) tell exactly what arrived, how often, and
/// how late. Like a VoIP stream: a fixed number of datagrams a second, of a fixed size, optionally with a DSCP.
/// </summary>
internal sealed class UdpFlow : IDisposable
{
    private readonly Socket _sender;
    private readonly Socket _receiver;
    private readonly IPEndPoint _target;
    private readonly string _receiverNamespace;

    private UdpFlow(Socket sender, Socket receiver, IPEndPoint target, string receiverNamespace)
    {
        _sender = sender;
        _receiver = receiver;
        _target = target;
        _receiverNamespace = receiverNamespace;
    }

    /// <summary>Opens the flow to <paramref name="destination"/>:<paramref name="port"/> (an address of B's tunnel device).</summary>
    public static UdpFlow Open(NamespaceTopology topology, string destination, int port, int dscp = 0)
    {
        var target = new IPEndPoint(IPAddress.Parse(destination), port);
        var receiver = NetworkNamespace.Run(NamespaceTopology.NamespacePath(topology.B), () =>
        {
            var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);

            // Forced past net.core.rmem_max (212,992 bytes on a fresh machine, ~180 of these datagrams): a receiving
            // thread starved that long on a loaded machine must not lose what the tunnel delivered.
            const int SocketLevel = 1, ReceiveBufferForce = 33;
            socket.SetRawSocketOption(SocketLevel, ReceiveBufferForce, BitConverter.GetBytes(4 << 20));
            socket.Bind(target);
            return socket;
        });
        var sender = NetworkNamespace.Run(NamespaceTopology.NamespacePath(topology.A), () =>
        {
            var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            if (target.AddressFamily == AddressFamily.InterNetwork)
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.TypeOfService, dscp << 2);
            }
            else if (dscp != 0)
            {
                throw new NotSupportedException("a DSCP on an IPv6 flow is not needed by any test yet");
            }

            return socket;
        });
        return new UdpFlow(sender, receiver, target, NamespaceTopology.NamespacePath(topology.B));
    }

    /// <summary>Sends <paramref name="packets"/> datagrams of <paramref name="bytes"/> bytes, <paramref name="perSecond"/> a second, and collects what arrives.</summary>
    public Task<UdpFlowResult> RunAsync(int packets, int perSecond, int bytes = 160) => Task.Run(() =>
    {
        var dropsBefore = ReceiveBufferDrops();
        var received = new List<(int Sequence, double DelayMs)>();
        var done = false;
        var receiving = new Thread(() =>
        {
            var buffer = new byte[2048];
            _receiver.ReceiveTimeout = 200;
            while (true)
            {
                int n;
                try
                {
                    n = _receiver.Receive(buffer);
                }
                catch (SocketException)
                {
                    if (Volatile.Read(ref done))
                    {
                        return;
                    }

                    continue;
                }

                if (n >= 12)
                {
                    var sequence = BinaryPrimitives.ReadInt32BigEndian(buffer);
                    var sent = BinaryPrimitives.ReadInt64BigEndian(buffer.AsSpan(4));
                    received.Add((sequence, Stopwatch.GetElapsedTime(sent).TotalMilliseconds));
                }
            }
        })
        { IsBackground = true, Name = "udp-flow-rx" };
        receiving.Start();

        var payload = new byte[Math.Max(12, bytes)];
        var clock = Stopwatch.StartNew();
        var interval = 1.0 / perSecond;
        for (var i = 0; i < packets; i++)
        {
            // Paced on the clock, not on sleeps: a late wake-up sends the datagrams that are due at once.
            var due = i * interval;
            while (clock.Elapsed.TotalSeconds < due)
            {
                var left = due - clock.Elapsed.TotalSeconds;
                if (left > 0.002)
                {
                    Thread.Sleep(1);
                }
            }

            BinaryPrimitives.WriteInt32BigEndian(payload, i);
            BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(4), Stopwatch.GetTimestamp());
            _sender.SendTo(payload, _target);
        }

        // Late and recovered datagrams come within the hold time and the FEC delay bound.
        Thread.Sleep(1000);
        Volatile.Write(ref done, true);
        receiving.Join();
        return new UdpFlowResult(packets, received.Count, received.Select(r => r.Sequence).Distinct().Count(), received.Select(r => r.DelayMs).ToArray(),
            ReceiveBufferDrops() - dropsBefore);
    });

    /// <summary>
    /// The receiving namespace's UDP datagrams dropped for a full socket buffer (IPv4 and IPv6 together), so a loss the
    /// tunnel did not cause shows as such. Read through /proc/thread-self: the thread is in that namespace, the process is not.
    /// </summary>
    private long ReceiveBufferDrops() => NetworkNamespace.Run(_receiverNamespace, () =>
    {
        var v4 = File.ReadAllLines("/proc/thread-self/net/snmp").Where(l => l.StartsWith("Udp: ", StringComparison.Ordinal)).ToArray();
        var names = v4[0].Split(' ');
        var values = v4[1].Split(' ');
        var ipv4 = long.Parse(values[Array.IndexOf(names, "RcvbufErrors")], System.Globalization.CultureInfo.InvariantCulture);
        var ipv6 = File.ReadAllLines("/proc/thread-self/net/snmp6").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Single(f => f[0] == "Udp6RcvbufErrors")[1];
        return ipv4 + long.Parse(ipv6, System.Globalization.CultureInfo.InvariantCulture);
    });

    public void Dispose()
    {
        _sender.Dispose();
        _receiver.Dispose();
    }
}
