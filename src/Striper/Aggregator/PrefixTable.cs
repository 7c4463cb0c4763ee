using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Fleet.Striper.Aggregator;

/// <summary>
/// Longest-prefix match of IPv4 and IPv6 addresses to an owner, built once and then only read: per family, one hash
/// map per prefix length in use, tried from the longest. A lookup costs one hash probe per distinct length, allocates
/// nothing and takes no lock, so the sending and receiving workers share one table (docs/striper-protocol.md, "Aggregator").
/// </summary>
internal sealed class PrefixTable<T>
    where T : class
{
    private readonly (int Length, Dictionary<uint, T> Owners)[] _v4;
    private readonly (int Length, Dictionary<UInt128, T> Owners)[] _v6;

    private PrefixTable((int, Dictionary<uint, T>)[] v4, (int, Dictionary<UInt128, T>)[] v6)
    {
        _v4 = v4;
        _v6 = v6;
    }

    public static PrefixTable<T> Empty { get; } = Build([]);

    /// <summary>The table of <paramref name="entries"/>; the same prefix twice keeps the last owner (the spec's validator refuses overlaps).</summary>
    public static PrefixTable<T> Build(IEnumerable<(IPNetwork Prefix, T Owner)> entries)
    {
        var v4 = new SortedDictionary<int, Dictionary<uint, T>>(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        var v6 = new SortedDictionary<int, Dictionary<UInt128, T>>(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        Span<byte> bytes = stackalloc byte[16];
        foreach (var (prefix, owner) in entries)
        {
            prefix.BaseAddress.TryWriteBytes(bytes, out var written);
            var length = prefix.PrefixLength;
            if (prefix.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
            {
                Owners(v4, length)[BinaryPrimitives.ReadUInt32BigEndian(bytes) & Mask4(length)] = owner;
            }
            else if (written == 16)
            {
                Owners(v6, length)[BinaryPrimitives.ReadUInt128BigEndian(bytes) & Mask6(length)] = owner;
            }
        }

        return new PrefixTable<T>([.. v4.Select(kv => (kv.Key, kv.Value))], [.. v6.Select(kv => (kv.Key, kv.Value))]);
    }

    /// <summary>The owner of the longest prefix holding the IPv4 address <paramref name="address"/> (host order), or null.</summary>
    public T? Find(uint address)
    {
        foreach (var (length, owners) in _v4)
        {
            if (owners.TryGetValue(address & Mask4(length), out var owner))
            {
                return owner;
            }
        }

        return null;
    }

    /// <summary>The owner of the longest prefix holding the IPv6 address <paramref name="address"/>, or null.</summary>
    public T? Find(UInt128 address)
    {
        foreach (var (length, owners) in _v6)
        {
            if (owners.TryGetValue(address & Mask6(length), out var owner))
            {
                return owner;
            }
        }

        return null;
    }

    /// <summary>The owner of an IP packet's destination (<paramref name="source"/> false) or source address; null for none or no IP packet.</summary>
    public T? FindOf(ReadOnlySpan<byte> packet, bool source)
    {
        if (packet.IsEmpty)
        {
            return null;
        }

        switch (packet[0] >> 4)
        {
            case 4 when packet.Length >= 20:
                return Find(BinaryPrimitives.ReadUInt32BigEndian(packet[(source ? 12 : 16)..]));
            case 6 when packet.Length >= 40:
                return Find(BinaryPrimitives.ReadUInt128BigEndian(packet[(source ? 8 : 24)..]));
            default:
                return null;
        }
    }

    private static uint Mask4(int length) => length == 0 ? 0 : uint.MaxValue << (32 - length);

    private static UInt128 Mask6(int length) => length == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - length);

    private static Dictionary<TKey, T> Owners<TKey>(SortedDictionary<int, Dictionary<TKey, T>> byLength, int length)
        where TKey : notnull
    {
        if (!byLength.TryGetValue(length, out var owners))
        {
            owners = [];
            byLength[length] = owners;
        }

        return owners;
    }
}
