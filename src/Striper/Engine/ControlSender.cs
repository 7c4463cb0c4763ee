using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Fleet.Striper.Crypto;
using Fleet.Striper.Paths;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine;

/// <summary>
/// Seals and sends control messages (hello, probe, probe-ack, report) for one thread: its own buffer, its own stream
/// id and counter (the AEAD nonce), so threads never share a cipher or a nonce sequence.
/// </summary>
internal sealed unsafe class ControlSender : IDisposable
{
    private const int DefaultBufferLength = 256;
    private readonly uint _stream;
    private readonly int _bufferLength;
    private readonly byte* _buffer;
    private long _sessionId;
    private ulong _counter;

    /// <param name="stream">The thread's stream id.</param>
    /// <param name="bufferLength">The largest datagram it sends (a speed test's load is as large as data).</param>
    public ControlSender(uint stream, int bufferLength = DefaultBufferLength)
    {
        _stream = stream;
        _bufferLength = bufferLength;
        _buffer = (byte*)NativeMemory.AlignedAlloc((nuint)bufferLength, 64);
    }

    /// <summary>Sends a session message of <paramref name="type"/> with <paramref name="body"/> on <paramref name="path"/>.</summary>
    public SendResult Send(SessionKeys keys, PathRuntime path, MessageType type, ReadOnlySpan<byte> body, in RawSocketAddress to)
    {
        if (keys.Id != _sessionId)
        {
            _sessionId = keys.Id;
            _counter = 0;
        }

        var tx = keys.CurrentTx;
        var datagram = new Span<byte>(_buffer, _bufferLength)[..(WireFormat.HeaderLength + body.Length + WireFormat.TagLength)];
        WireFormat.WriteHeader(datagram, type, 0, (byte)tx.Epoch, (byte)path.Index, keys.TxTag, _stream, ++_counter);
        var header = datagram[..WireFormat.HeaderLength];
        var sealedBody = datagram.Slice(WireFormat.HeaderLength, body.Length);
        tx.Ciphers[_stream].Seal(header[WireFormat.NonceOffset..], body, sealedBody, datagram[(WireFormat.HeaderLength + body.Length)..], header);
        return Count(path, path.Socket.Send(_buffer, datagram.Length, to), datagram.Length);
    }

    /// <summary>Sends a hello sealed with the hello key and a random nonce; its tag field carries <paramref name="siteId"/>.</summary>
    public SendResult SendHello(AeadCipher helloCipher, PathRuntime path, byte cipherId, uint siteId, in HelloContent hello, in RawSocketAddress to)
    {
        Span<byte> body = stackalloc byte[HelloMessage.Length];
        HelloMessage.Write(body, cipherId, hello.Random, hello.PublicKey, hello.Echo, MonotonicClock.Micros(MonotonicClock.Now()));
        var datagram = new Span<byte>(_buffer, WireFormat.HeaderLength + HelloMessage.Length + WireFormat.TagLength);
        WireFormat.WriteHeader(datagram, MessageType.Hello, 0, 0, (byte)path.Index, siteId, 0, 0);
        RandomNumberGenerator.Fill(datagram.Slice(WireFormat.NonceOffset, WireFormat.NonceLength));
        var header = datagram[..WireFormat.HeaderLength];
        helloCipher.Seal(header[WireFormat.NonceOffset..], body, datagram.Slice(WireFormat.HeaderLength, body.Length), datagram[(WireFormat.HeaderLength + body.Length)..], header);
        return Count(path, path.Socket.Send(_buffer, datagram.Length, to), datagram.Length);
    }

    public void Dispose() => NativeMemory.AlignedFree(_buffer);

    private static SendResult Count(PathRuntime path, SendResult result, int length)
    {
        if (result == SendResult.Sent)
        {
            Interlocked.Increment(ref path.Tx.Packets);
            Interlocked.Add(ref path.Tx.Bytes, length);
        }
        else if (result == SendResult.LinkDown)
        {
            path.LinkDownSeen = true;
        }

        return result;
    }
}
