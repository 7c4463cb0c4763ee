using System.Globalization;
using System.Net;

namespace Fleet.Agent.Backends.Mptcp;

/// <summary>
/// One line of <c>ip mptcp monitor</c>: <c>[SF_ESTABLISHED] token=… remid=1 locid=1 saddr4=10.0.2.1 daddr4=10.0.2.2
/// sport=… dport=… backup=0</c>. Types: CREATED, ESTABLISHED, CLOSED, ANNOUNCED, REMOVED, SF_ESTABLISHED, SF_CLOSED,
/// SF_PRIO, LISTENER_CREATED, LISTENER_CLOSED.
/// </summary>
public sealed record MptcpEvent
{
    /// <summary>When the agent read it.</summary>
    public DateTimeOffset Time { get; init; }

    /// <summary>The event type as printed (<c>SF_CLOSED</c>).</summary>
    public required string Type { get; init; }

    /// <summary>The connection's token.</summary>
    public string? Token { get; init; }

    /// <summary>Local address (saddr4/saddr6).</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>Remote address (daddr4/daddr6).</summary>
    public IPAddress? RemoteAddress { get; init; }

    /// <summary>Local address id.</summary>
    public int? LocalId { get; init; }

    /// <summary>Remote address id.</summary>
    public int? RemoteId { get; init; }

    /// <summary>Local port.</summary>
    public int? LocalPort { get; init; }

    /// <summary>Remote port.</summary>
    public int? RemotePort { get; init; }

    /// <summary>The subflow is a backup.</summary>
    public bool? Backup { get; init; }

    /// <summary>Socket error of a closed subflow (errno), when the kernel gives one.</summary>
    public int? Error { get; init; }

    /// <summary>The line as printed.</summary>
    public required string Text { get; init; }

    /// <summary>A subflow event (SF_ESTABLISHED, SF_CLOSED, SF_PRIO).</summary>
    public bool IsSubflowEvent => Type.StartsWith("SF_", StringComparison.Ordinal);

    /// <summary>Parses one monitor line; null for anything else (headers, blank lines).</summary>
    public static MptcpEvent? Parse(string line, DateTimeOffset time)
    {
        var trimmed = line.Trim();
        if (!trimmed.StartsWith('['))
        {
            return null;
        }

        var close = trimmed.IndexOf(']', StringComparison.Ordinal);
        if (close < 0)
        {
            return null;
        }

        var type = trimmed[1..close].Trim();
        if (type.Length == 0)
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var token in trimmed[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                fields[token[..equals]] = token[(equals + 1)..];
            }
        }

        return new MptcpEvent
        {
            Time = time,
            Type = type,
            Token = fields.GetValueOrDefault("token"),
            LocalAddress = Address(fields, "saddr4") ?? Address(fields, "saddr6"),
            RemoteAddress = Address(fields, "daddr4") ?? Address(fields, "daddr6"),
            LocalId = Int(fields, "locid"),
            RemoteId = Int(fields, "remid"),
            LocalPort = Int(fields, "sport"),
            RemotePort = Int(fields, "dport"),
            Backup = Int(fields, "backup") is { } backup ? backup != 0 : null,
            Error = Int(fields, "error"),
            Text = trimmed,
        };
    }

    private static IPAddress? Address(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var text) && IPAddress.TryParse(text, out var address) ? address : null;

    private static int? Int(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
