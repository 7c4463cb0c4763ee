using System.Net;
using System.Text.Json;
using Fleet.Agent.Backends.Kernel;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends.Mptcp;

/// <summary>Endpoint flags of the in-kernel path manager (<c>ip-mptcp(8)</c>).</summary>
[Flags]
public enum MptcpEndpointFlags
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>Announce the address (ADD_ADDR).</summary>
    Signal = 1,

    /// <summary>Open subflows from the address.</summary>
    Subflow = 2,

    /// <summary>Subflows over the address are backup subflows.</summary>
    Backup = 4,

    /// <summary>Open a subflow from the address to every address the peer announced.</summary>
    Fullmesh = 8,
}

/// <summary>One endpoint from <c>ip -j mptcp endpoint show</c>.</summary>
/// <param name="Id">The kernel's endpoint id.</param>
/// <param name="Address">The local address.</param>
/// <param name="Device">The device the endpoint is bound to, if any.</param>
/// <param name="Flags">Its flags.</param>
/// <param name="Port">A port, for signal endpoints that announce one.</param>
public sealed record MptcpEndpoint(int Id, IPAddress Address, string? Device, MptcpEndpointFlags Flags, int? Port = null)
{
    /// <summary>The spec's flags for a member as the kernel's, with <c>backup</c> added for a backup member.</summary>
    public static MptcpEndpointFlags FlagsFor(MemberSpec member)
    {
        var flags = MptcpEndpointFlags.None;
        foreach (var flag in member.MptcpFlags)
        {
            flags |= flag switch
            {
                MptcpEndpointFlag.Signal => MptcpEndpointFlags.Signal,
                MptcpEndpointFlag.Subflow => MptcpEndpointFlags.Subflow,
                MptcpEndpointFlag.Backup => MptcpEndpointFlags.Backup,
                MptcpEndpointFlag.Fullmesh => MptcpEndpointFlags.Fullmesh,
                _ => MptcpEndpointFlags.None,
            };
        }

        if (member.AdminState == MemberAdminState.Backup)
        {
            flags |= MptcpEndpointFlags.Backup;
        }

        return flags;
    }

    /// <summary>The flags as <c>ip mptcp endpoint add</c> words.</summary>
    public static IReadOnlyList<string> Words(MptcpEndpointFlags flags)
    {
        var words = new List<string>();
        foreach (var (flag, word) in new[]
        {
            (MptcpEndpointFlags.Signal, "signal"),
            (MptcpEndpointFlags.Subflow, "subflow"),
            (MptcpEndpointFlags.Backup, "backup"),
            (MptcpEndpointFlags.Fullmesh, "fullmesh"),
        })
        {
            if ((flags & flag) != 0)
            {
                words.Add(word);
            }
        }

        return words;
    }

    /// <summary>Parses iproute2's JSON (flags as booleans, or as a <c>flags</c> array in other versions).</summary>
    public static IReadOnlyList<MptcpEndpoint> ParseList(string json)
    {
        using var document = JsonDocument.Parse(json.Length == 0 ? "[]" : json);
        var endpoints = new List<MptcpEndpoint>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (Json.String(item, "address") is not { } text || !IPAddress.TryParse(text, out var address) || Json.Number(item, "id") is not { } id)
            {
                continue;
            }

            var flags = MptcpEndpointFlags.None;
            var words = new HashSet<string>(Json.Strings(item, "flags"), StringComparer.Ordinal);
            foreach (var (flag, word) in new[]
            {
                (MptcpEndpointFlags.Signal, "signal"),
                (MptcpEndpointFlags.Subflow, "subflow"),
                (MptcpEndpointFlags.Backup, "backup"),
                (MptcpEndpointFlags.Fullmesh, "fullmesh"),
            })
            {
                if (Json.Flag(item, word) || words.Contains(word))
                {
                    flags |= flag;
                }
            }

            endpoints.Add(new MptcpEndpoint((int)id, address, Json.String(item, "dev"), flags, (int?)Json.Number(item, "port")));
        }

        return endpoints;
    }
}

/// <summary>The path manager's limits (<c>ip mptcp limits show</c>).</summary>
/// <param name="Subflows">Additional subflows per connection.</param>
/// <param name="AddAddrAccepted">ADD_ADDR announcements accepted per connection.</param>
public sealed record MptcpLimits(int Subflows, int AddAddrAccepted)
{
    /// <summary>
    /// Parses the limits: iproute2 6.1 prints them as text (<c>add_addr_accepted 2 subflows 2</c>) even with <c>-j</c>;
    /// later versions print a JSON object. Both are accepted.
    /// </summary>
    public static MptcpLimits Parse(string output)
    {
        var text = output.Trim();
        if (text.StartsWith('{'))
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            return new MptcpLimits((int)(Json.Number(root, "subflows") ?? 0), (int)(Json.Number(root, "add_addr_accepted") ?? 0));
        }

        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        int subflows = 0, accepted = 0;
        for (var i = 0; i + 1 < words.Length; i++)
        {
            if (words[i] == "subflows" && int.TryParse(words[i + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s))
            {
                subflows = s;
            }
            else if (words[i] == "add_addr_accepted" && int.TryParse(words[i + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var a))
            {
                accepted = a;
            }
        }

        return new MptcpLimits(subflows, accepted);
    }
}
