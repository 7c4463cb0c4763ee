using System.Text.Json;

namespace Fleet.Agent.Backends.Kernel;

/// <summary>A queueing discipline from <c>tc -s -j qdisc show</c>.</summary>
public sealed record TcQdisc
{
    /// <summary>Kind (<c>noqueue</c>, <c>tbf</c>; for a teql member the master's name, <c>teql0</c>).</summary>
    public required string Kind { get; init; }

    /// <summary>The device it is attached to.</summary>
    public required string Device { get; init; }

    /// <summary>Handle, <c>8001:</c>.</summary>
    public string? Handle { get; init; }

    /// <summary>It is the device's root qdisc.</summary>
    public bool IsRoot { get; init; }

    /// <summary>Bytes sent through it.</summary>
    public ulong Bytes { get; init; }

    /// <summary>Packets sent through it.</summary>
    public ulong Packets { get; init; }

    /// <summary>Packets it dropped.</summary>
    public ulong Drops { get; init; }

    /// <summary>Overlimits.</summary>
    public ulong Overlimits { get; init; }

    /// <summary>Requeues.</summary>
    public ulong Requeues { get; init; }

    /// <summary>Parses tc's JSON array.</summary>
    public static IReadOnlyList<TcQdisc> ParseList(string json)
    {
        using var document = JsonDocument.Parse(json.Length == 0 ? "[]" : json);
        var list = new List<TcQdisc>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (Json.String(item, "kind") is not { } kind || Json.String(item, "dev") is not { } device)
            {
                continue;
            }

            list.Add(new TcQdisc
            {
                Kind = kind,
                Device = device,
                Handle = Json.String(item, "handle"),
                IsRoot = Json.Flag(item, "root"),
                Bytes = Json.Unsigned(item, "bytes"),
                Packets = Json.Unsigned(item, "packets"),
                Drops = Json.Unsigned(item, "drops"),
                Overlimits = Json.Unsigned(item, "overlimits"),
                Requeues = Json.Unsigned(item, "requeues"),
            });
        }

        return list;
    }
}
