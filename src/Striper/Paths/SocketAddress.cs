using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Fleet.Striper.Interop;

namespace Fleet.Striper.Paths;

/// <summary>
/// A <c>sockaddr_in</c> or <c>sockaddr_in6</c> in kernel layout, stored inline (no allocation), so the data path can
/// hand it to <c>sendmsg</c> and compare a packet's source with the path's peer cheaply.
/// </summary>
[InlineArray(MaxLength)]
internal struct SocketAddressBytes
{
    public const int MaxLength = 28;
    private byte _first;
}

/// <summary>An IPv4 or IPv6 socket address in kernel layout.</summary>
internal struct RawSocketAddress : IEquatable<RawSocketAddress>
{
    public SocketAddressBytes Bytes;
    public int Length;

    public readonly bool IsEmpty => Length == 0;

    public static RawSocketAddress From(IPEndPoint endpoint)
    {
        var result = default(RawSocketAddress);
        Span<byte> bytes = result.Bytes;
        if (endpoint.AddressFamily == AddressFamily.InterNetwork)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes, Native.AF_INET);
            BinaryPrimitives.WriteUInt16BigEndian(bytes[2..], (ushort)endpoint.Port);
            endpoint.Address.TryWriteBytes(bytes[4..8], out _);
            result.Length = 16;
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes, Native.AF_INET6);
            BinaryPrimitives.WriteUInt16BigEndian(bytes[2..], (ushort)endpoint.Port);
            endpoint.Address.TryWriteBytes(bytes[8..24], out _);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes[24..], (uint)endpoint.Address.ScopeId);
            result.Length = 28;
        }

        return result;
    }

    /// <summary>Reads what the kernel wrote into a msg_name buffer; empty when the family is unknown.</summary>
    public static RawSocketAddress FromKernel(ReadOnlySpan<byte> name, int length)
    {
        var result = default(RawSocketAddress);
        if (length < 2)
        {
            return result;
        }

        var family = BinaryPrimitives.ReadUInt16LittleEndian(name);
        var expected = family == Native.AF_INET ? 16 : family == Native.AF_INET6 ? 28 : 0;
        if (expected == 0 || length < expected)
        {
            return result;
        }

        name[..expected].CopyTo(result.Bytes);
        if (family == Native.AF_INET)
        {
            // sin_zero is padding; clear it so equal addresses compare equal.
            ((Span<byte>)result.Bytes)[8..16].Clear();
        }

        result.Length = expected;
        return result;
    }

    public readonly IPEndPoint? ToEndPoint()
    {
        ReadOnlySpan<byte> bytes = Bytes;
        if (Length == 16)
        {
            return new IPEndPoint(new IPAddress(bytes[4..8]), BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]));
        }

        if (Length == 28)
        {
            var address = new IPAddress(bytes[8..24], BinaryPrimitives.ReadUInt32LittleEndian(bytes[24..]));
            return new IPEndPoint(address, BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]));
        }

        return null;
    }

    public readonly bool Equals(RawSocketAddress other)
    {
        ReadOnlySpan<byte> a = Bytes;
        ReadOnlySpan<byte> b = other.Bytes;
        return Length == other.Length && a[..Length].SequenceEqual(b[..Length]);
    }

    public override readonly bool Equals(object? obj) => obj is RawSocketAddress other && Equals(other);

    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        ReadOnlySpan<byte> bytes = Bytes;
        hash.AddBytes(bytes[..Length]);
        return hash.ToHashCode();
    }

    public override readonly string ToString() => ToEndPoint()?.ToString() ?? "(none)";
}
