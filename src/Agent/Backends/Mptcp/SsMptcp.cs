using System.Globalization;
using System.Net;

namespace Fleet.Agent.Backends.Mptcp;

/// <summary>
/// MPTCP sockets from <c>ss -HMtin</c>: the MPTCP-level connections (<c>mptcp</c> rows) and their TCP subflows
/// (<c>tcp</c> rows whose info carries <c>tcp-ulp-mptcp</c>). ss prints a socket row, then its info on a line that
/// starts with a tab.
/// </summary>
public sealed record SsMptcpSnapshot(IReadOnlyList<MptcpSubflowSocket> Subflows, IReadOnlyList<MptcpConnectionSocket> Connections)
{
    /// <summary>Parses ss's text. Rows it cannot read (listeners with <c>*</c>, other protocols) are skipped.</summary>
    public static SsMptcpSnapshot Parse(string text)
    {
        var subflows = new List<MptcpSubflowSocket>();
        var connections = new List<MptcpConnectionSocket>();
        string[]? row = null;

        void Flush(string? info)
        {
            if (row is null)
            {
                return;
            }

            var current = row;
            row = null;
            if (current.Length < 6 || !SsEndpoint.TryParse(current[4], out var local) || !SsEndpoint.TryParse(current[5], out var remote))
            {
                return;
            }

            var fields = Fields(info ?? "");
            if (current[0] == "mptcp")
            {
                connections.Add(new MptcpConnectionSocket
                {
                    Local = local,
                    Remote = remote,
                    State = current[1],
                    Subflows = Int(fields, "subflows"),
                    AddAddrAccepted = Int(fields, "add_addr_accepted"),
                    SubflowsMax = Int(fields, "subflows_max"),
                    Token = fields.GetValueOrDefault("token"),
                });
            }
            else if (current[0] == "tcp" && fields.ContainsKey("tcp-ulp-mptcp"))
            {
                var flags = fields.GetValueOrDefault("flags") ?? "";
                var (token, localId) = LocalToken(fields.GetValueOrDefault("token"));
                subflows.Add(new MptcpSubflowSocket
                {
                    Local = local,
                    Remote = remote,
                    State = current[1],
                    RttMs = fields.TryGetValue("rtt", out var rtt) && double.TryParse(rtt.Split('/')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) ? ms : null,
                    BytesSent = Unsigned(fields, "bytes_sent"),
                    BytesAcked = Unsigned(fields, "bytes_acked"),
                    BytesReceived = Unsigned(fields, "bytes_received"),
                    BytesRetransmitted = Unsigned(fields, "bytes_retrans"),
                    Flags = flags,
                    ConnectionToken = token,
                    LocalId = localId,
                });
            }
        }

        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] is '\t' or ' ' && row is not null)
            {
                Flush(line);
                continue;
            }

            Flush(null);
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 6 && parts[0] is "tcp" or "mptcp")
            {
                row = parts;
            }
        }

        Flush(null);
        return new SsMptcpSnapshot(subflows, connections);
    }

    private static Dictionary<string, string> Fields(string info)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var token in info.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = token.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                fields.TryAdd(token, "");
                continue;
            }

            fields.TryAdd(token[..colon], token[(colon + 1)..]);
        }

        return fields;
    }

    // "0000(id:0)/ad8942c0(id:0)": the peer's token and id, then ours: the connection's token and the local id.
    private static (string? Token, int? LocalId) LocalToken(string? text)
    {
        if (text is null)
        {
            return (null, null);
        }

        var slash = text.LastIndexOf('/');
        var local = slash < 0 ? text : text[(slash + 1)..];
        var paren = local.IndexOf("(id:", StringComparison.Ordinal);
        if (paren < 0)
        {
            return (local, null);
        }

        var idText = local[(paren + 4)..].TrimEnd(')');
        return (local[..paren], int.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null);
    }

    private static int Int(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static ulong Unsigned(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var text) && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
}

/// <summary>An address and port as ss prints them: <c>10.0.0.1:80</c>, <c>10.0.0.1%eth0:80</c>, <c>[2001:db8::1]:80</c>.</summary>
/// <param name="Address">The address.</param>
/// <param name="Port">The port.</param>
/// <param name="Device">The device the socket is bound to (after <c>%</c>), if any.</param>
public sealed record SsEndpoint(IPAddress Address, int Port, string? Device)
{
    /// <summary>Parses ss's notation; false for <c>*</c> and other non-addresses.</summary>
    public static bool TryParse(string text, out SsEndpoint address)
    {
        address = new SsEndpoint(IPAddress.None, 0, null);
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return false;
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        string? device = null;
        var percent = host.IndexOf('%', StringComparison.Ordinal);
        if (percent >= 0)
        {
            device = host[(percent + 1)..];
            host = host[..percent];
        }

        if (!IPAddress.TryParse(host, out var ip))
        {
            return false;
        }

        // ss shows IPv4 peers of dual-stack sockets as ::ffff:a.b.c.d.
        address = new SsEndpoint(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip, port, device);
        return true;
    }
}

/// <summary>One TCP subflow of an MPTCP connection.</summary>
public sealed record MptcpSubflowSocket
{
    /// <summary>Local address and port.</summary>
    public required SsEndpoint Local { get; init; }

    /// <summary>Remote address and port.</summary>
    public required SsEndpoint Remote { get; init; }

    /// <summary>TCP state (<c>ESTAB</c>).</summary>
    public required string State { get; init; }

    /// <summary>Smoothed RTT in ms.</summary>
    public double? RttMs { get; init; }

    /// <summary>Bytes sent, retransmissions included.</summary>
    public ulong BytesSent { get; init; }

    /// <summary>Bytes the peer acknowledged.</summary>
    public ulong BytesAcked { get; init; }

    /// <summary>Bytes received.</summary>
    public ulong BytesReceived { get; init; }

    /// <summary>Bytes retransmitted.</summary>
    public ulong BytesRetransmitted { get; init; }

    /// <summary>ss's subflow flags (<c>M</c>/<c>m</c> MP_CAPABLE, <c>J</c>/<c>j</c> MP_JOIN, <c>B</c>/<c>b</c> backup requested by the peer/us, <c>e</c> fully established, <c>c</c> connected).</summary>
    public string Flags { get; init; } = "";

    /// <summary>The MPTCP connection's (local) token.</summary>
    public string? ConnectionToken { get; init; }

    /// <summary>The local address id (0: the initial subflow's address).</summary>
    public int? LocalId { get; init; }

    /// <summary>We asked for this subflow to be a backup (<c>b</c>).</summary>
    public bool LocalBackup => Flags.Contains('b', StringComparison.Ordinal);

    /// <summary>The peer asked for this subflow to be a backup (<c>B</c>).</summary>
    public bool RemoteBackup => Flags.Contains('B', StringComparison.Ordinal);

    /// <summary>The subflow is established.</summary>
    public bool IsEstablished => State == "ESTAB";
}

/// <summary>One MPTCP connection (the <c>mptcp</c> socket).</summary>
public sealed record MptcpConnectionSocket
{
    /// <summary>Local address and port.</summary>
    public required SsEndpoint Local { get; init; }

    /// <summary>Remote address and port.</summary>
    public required SsEndpoint Remote { get; init; }

    /// <summary>State.</summary>
    public required string State { get; init; }

    /// <summary>Additional subflows in use.</summary>
    public int Subflows { get; init; }

    /// <summary>ADD_ADDR announcements accepted.</summary>
    public int AddAddrAccepted { get; init; }

    /// <summary>The connection's subflow limit.</summary>
    public int SubflowsMax { get; init; }

    /// <summary>The connection's token.</summary>
    public string? Token { get; init; }
}
