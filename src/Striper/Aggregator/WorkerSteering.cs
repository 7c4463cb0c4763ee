using Fleet.Striper.Interop;

namespace Fleet.Striper.Aggregator;

/// <summary>
/// Which of an aggregator's workers receives a datagram: the one whose index is the header's 32-bit tag field
/// (bytes 4–7, big-endian) modulo the number of workers. A hello carries its site id there and every other message its
/// session tag, so a site's hellos land on worker <c>id % workers</c>, and the aggregator accepts a session only when
/// its receive tag lands there too (docs/striper-protocol.md, "Aggregator"). The kernel applies the rule before any
/// socket sees the datagram: a classic BPF program on the workers' SO_REUSEPORT group.
/// </summary>
internal static class WorkerSteering
{
    /// <summary>The header's offset of the tag field.</summary>
    private const uint TagOffset = 4;

    /// <summary>The worker that receives datagrams whose tag field is <paramref name="tag"/>.</summary>
    public static int WorkerOf(uint tag, int workers) => (int)(tag % (uint)workers);

    /// <summary>
    /// The program: <c>A = load32be(payload + 4); A %= workers; return A</c>. A datagram shorter than 8 bytes fails the
    /// load, which makes the program return 0: worker 0 counts it as malformed.
    /// </summary>
    public static SocketFilterInstruction[] Program(int workers) =>
    [
        new() { Code = Native.BPF_LD_W_ABS, K = TagOffset },
        new() { Code = Native.BPF_ALU_MOD_K, K = (uint)workers },
        new() { Code = Native.BPF_RET_A },
    ];
}
