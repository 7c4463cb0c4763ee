using System.Numerics;
using System.Runtime.InteropServices;

namespace Fleet.Striper.Fec;

/// <summary>
/// Arithmetic in GF(2⁸) with the primitive polynomial x⁸ + x⁴ + x³ + x² + 1 (0x11d, the field of most Reed–Solomon
/// codes): addition is XOR, multiplication goes through a full 256 × 256 product table (64 KiB, built once), so
/// multiplying a buffer by a constant is one table row lookup per byte.
/// </summary>
internal static class GaloisField
{
    private const int Polynomial = 0x11d;
    private static readonly byte[] s_exp = new byte[512];
    private static readonly byte[] s_log = new byte[256];
    private static readonly byte[] s_products = new byte[256 * 256];

    static GaloisField()
    {
        var x = 1;
        for (var i = 0; i < 255; i++)
        {
            s_exp[i] = (byte)x;
            s_log[x] = (byte)i;
            x <<= 1;
            if (x >= 256)
            {
                x ^= Polynomial;
            }
        }

        for (var i = 255; i < s_exp.Length; i++)
        {
            s_exp[i] = s_exp[i - 255];
        }

        for (var a = 1; a < 256; a++)
        {
            for (var b = 1; b < 256; b++)
            {
                s_products[(a << 8) | b] = s_exp[s_log[a] + s_log[b]];
            }
        }
    }

    public static byte Multiply(byte a, byte b) => s_products[(a << 8) | b];

    /// <summary>The multiplicative inverse of a non-zero element.</summary>
    public static byte Inverse(byte a) =>
        a == 0 ? throw new DivideByZeroException("0 has no inverse in GF(256)") : s_exp[255 - s_log[a]];

    public static byte Divide(byte a, byte b) => Multiply(a, Inverse(b));

    /// <summary><paramref name="destination"/> += <paramref name="coefficient"/> × <paramref name="source"/>, byte by byte (+ is XOR).</summary>
    public static void MultiplyAdd(Span<byte> destination, ReadOnlySpan<byte> source, byte coefficient)
    {
        if (source.Length > destination.Length)
        {
            throw new ArgumentException("the destination is shorter than the source", nameof(destination));
        }

        if (coefficient == 0)
        {
            return;
        }

        if (coefficient == 1)
        {
            Xor(destination, source);
            return;
        }

        var row = new ReadOnlySpan<byte>(s_products, coefficient << 8, 256);
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] ^= row[source[i]];
        }
    }

    private static void Xor(Span<byte> destination, ReadOnlySpan<byte> source)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && source.Length >= Vector<byte>.Count)
        {
            var d = MemoryMarshal.Cast<byte, Vector<byte>>(destination[..source.Length]);
            var s = MemoryMarshal.Cast<byte, Vector<byte>>(source);
            for (var v = 0; v < s.Length; v++)
            {
                d[v] ^= s[v];
            }

            i = s.Length * Vector<byte>.Count;
        }

        for (; i < source.Length; i++)
        {
            destination[i] ^= source[i];
        }
    }
}
