using System.Text.Json;

namespace Fleet.Agent.Backends.Kernel;

/// <summary>One device from <c>ip -d -s -j link show</c> (iproute2's JSON output).</summary>
public sealed record IpLink
{
    /// <summary>Interface name (<c>ifname</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Interface index.</summary>
    public int Index { get; init; }

    /// <summary>Flags such as <c>UP</c>, <c>LOWER_UP</c>, <c>SLAVE</c>, <c>MASTER</c>, <c>NO-CARRIER</c>.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    /// <summary>MTU in bytes.</summary>
    public int Mtu { get; init; }

    /// <summary>Operational state (<c>UP</c>, <c>DOWN</c>, <c>UNKNOWN</c>, <c>LOWERLAYERDOWN</c>).</summary>
    public string? OperState { get; init; }

    /// <summary>The device this one is enslaved to, if any.</summary>
    public string? Master { get; init; }

    /// <summary>Hardware address.</summary>
    public string? Address { get; init; }

    /// <summary><c>linkinfo.info_kind</c>: <c>bond</c>, <c>veth</c>… (absent for devices without rtnl link ops, e.g. teql).</summary>
    public string? Kind { get; init; }

    /// <summary><c>linkinfo.info_slave_kind</c>: <c>bond</c> for a bond member.</summary>
    public string? SlaveKind { get; init; }

    /// <summary><c>linkinfo.info_data</c>, the kind's own attributes (bond options).</summary>
    public JsonElement? InfoData { get; init; }

    /// <summary><c>linkinfo.info_slave_data</c>, the member's attributes in its master (bond member state).</summary>
    public JsonElement? SlaveData { get; init; }

    /// <summary>Running counters (<c>stats64</c>, present with <c>-s</c>).</summary>
    public InterfaceStatistics? Statistics { get; init; }

    /// <summary>Administratively up.</summary>
    public bool IsUp => Flags.Contains("UP");

    /// <summary>The lower layer is up (carrier).</summary>
    public bool HasCarrier => Flags.Contains("LOWER_UP");

    /// <summary>Parses the JSON array iproute2 prints; devices without a name are skipped.</summary>
    /// <exception cref="JsonException">The text is not iproute2's JSON.</exception>
    public static IReadOnlyList<IpLink> ParseList(string json)
    {
        using var document = JsonDocument.Parse(json.Length == 0 ? "[]" : json);
        var links = new List<IpLink>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (Json.String(item, "ifname") is not { } name)
            {
                continue;
            }

            var flags = new List<string>();
            if (item.TryGetProperty("flags", out var flagArray) && flagArray.ValueKind == JsonValueKind.Array)
            {
                foreach (var flag in flagArray.EnumerateArray())
                {
                    if (flag.GetString() is { } text)
                    {
                        flags.Add(text);
                    }
                }
            }

            JsonElement? linkInfo = item.TryGetProperty("linkinfo", out var info) && info.ValueKind == JsonValueKind.Object ? info : null;
            links.Add(new IpLink
            {
                Name = name,
                Index = (int)(Json.Number(item, "ifindex") ?? 0),
                Flags = flags,
                Mtu = (int)(Json.Number(item, "mtu") ?? 0),
                OperState = Json.String(item, "operstate"),
                Master = Json.String(item, "master"),
                Address = Json.String(item, "address"),
                Kind = linkInfo is { } li1 ? Json.String(li1, "info_kind") : null,
                SlaveKind = linkInfo is { } li2 ? Json.String(li2, "info_slave_kind") : null,
                InfoData = linkInfo is { } li3 && li3.TryGetProperty("info_data", out var data) && data.ValueKind == JsonValueKind.Object ? data.Clone() : null,
                SlaveData = linkInfo is { } li4 && li4.TryGetProperty("info_slave_data", out var slave) && slave.ValueKind == JsonValueKind.Object ? slave.Clone() : null,
                Statistics = item.TryGetProperty("stats64", out var stats) ? InterfaceStatistics.Parse(stats) : null,
            });
        }

        return links;
    }
}

/// <summary>Interface counters from <c>stats64</c>.</summary>
public readonly record struct InterfaceStatistics(
    ulong RxBytes,
    ulong RxPackets,
    ulong RxErrors,
    ulong RxDropped,
    ulong TxBytes,
    ulong TxPackets,
    ulong TxErrors,
    ulong TxDropped)
{
    /// <summary>The counters as a member's running totals.</summary>
    public MemberCounters ToMemberCounters() =>
        new(TxBytes, RxBytes, TxPackets, RxPackets, TxDropped, RxDropped, RxErrors + TxErrors);

    internal static InterfaceStatistics? Parse(JsonElement stats)
    {
        if (stats.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        stats.TryGetProperty("rx", out var rx);
        stats.TryGetProperty("tx", out var tx);
        return new InterfaceStatistics(
            Json.Unsigned(rx, "bytes"),
            Json.Unsigned(rx, "packets"),
            Json.Unsigned(rx, "errors"),
            Json.Unsigned(rx, "dropped"),
            Json.Unsigned(tx, "bytes"),
            Json.Unsigned(tx, "packets"),
            Json.Unsigned(tx, "errors"),
            Json.Unsigned(tx, "dropped"));
    }
}

/// <summary>Small tolerant readers for iproute2's JSON (fields come and go between versions and kinds).</summary>
internal static class Json
{
    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static long? Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : null;

    public static ulong Unsigned(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var number)
            ? number
            : 0;

    public static bool Flag(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    public static IReadOnlyList<string> Strings(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var list = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && item.GetString() is { } text)
            {
                list.Add(text);
            }
        }

        return list;
    }
}
