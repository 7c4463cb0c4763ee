using System.Buffers;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Fleet.Agent.Hub;

/// <summary>
/// Writes <typeparamref name="T"/> as SignalR's contractless resolver does (a map keyed by property name) but without
/// the entries whose value is nil. A name-keyed reader, which every Api is (contractless, the default of
/// <c>AddMessagePackProtocol</c>), leaves an absent property at its default, null, so it reads the map as it read the
/// one with nils, and this formatter reads either form the same way. What it saves: a <see cref="Contracts.Agents.MemberSample"/>
/// carries its unmeasured optional counters as a name and a nil each, 68 bytes a sample on most members
/// (docs/scaling.md, "Where the CPU goes").
/// </summary>
/// <typeparam name="T">A type the contractless resolver writes as a map.</typeparam>
public sealed class NilOmittingFormatter<T> : IMessagePackFormatter<T?>
{
    // The contractless formatter of T itself: asking the options' resolver would return this formatter again.
    private static readonly IMessagePackFormatter<T?> s_contractless = ContractlessStandardResolver.Instance.GetFormatterWithVerify<T?>();

    // The map with its nils, written first and then copied without them; one per thread (serialising is synchronous).
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_full;

    /// <inheritdoc/>
    public void Serialize(ref MessagePackWriter writer, T? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        var full = t_full ??= new ArrayBufferWriter<byte>();
        full.ResetWrittenCount();
        var inner = new MessagePackWriter(full);
        s_contractless.Serialize(ref inner, value, options);
        inner.Flush();

        var map = new MessagePackReader(full.WrittenMemory);
        var entries = map.ReadMapHeader();
        var kept = 0;
        var counting = map;
        for (var i = 0; i < entries; i++)
        {
            counting.Skip();
            if (!counting.TryReadNil())
            {
                counting.Skip();
                kept++;
            }
        }

        writer.WriteMapHeader(kept);
        for (var i = 0; i < entries; i++)
        {
            var key = map.ReadRaw();
            if (!map.TryReadNil())
            {
                writer.WriteRaw(key);
                writer.WriteRaw(map.ReadRaw());
            }
        }
    }

    /// <inheritdoc/>
    public T? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        s_contractless.Deserialize(ref reader, options);
}
