using System.Net;
using System.Net.Sockets;
using Fleet.Agent.Backends.Kernel;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends.Mptcp;

/// <summary>What the MPTCP backend reads from the kernel to apply and to observe: addresses, endpoints, limits.</summary>
internal static class MptcpHostState
{
    /// <summary>The address a member's endpoint uses: the one its spec names (if the interface has it), else its first global IPv4, else global IPv6.</summary>
    public static IPAddress? ResolveAddress(MemberSpec member, IReadOnlyList<IpAddressEntry> addresses)
    {
        var own = addresses.Where(a => a.Interface == member.Interface).ToList();
        if (member.Address is not null)
        {
            return IPAddress.TryParse(member.Address, out var wanted) && own.Any(a => a.Address.Equals(wanted)) ? wanted : null;
        }

        return own.FirstOrDefault(a => a.Scope == "global" && a.Address.AddressFamily == AddressFamily.InterNetwork)?.Address
            ?? own.FirstOrDefault(a => a.Scope == "global")?.Address;
    }

    public static async Task<IReadOnlyList<IpAddressEntry>?> ReadAddressesAsync(KernelContext context, CancellationToken cancellationToken)
    {
        var result = await context.IpAsync(["-j", "addr", "show"], cancellationToken);
        return result.Succeeded ? IpAddressEntry.ParseList(result.StandardOutput) : null;
    }

    public static async Task<IReadOnlyList<MptcpEndpoint>?> ReadEndpointsAsync(KernelContext context, CancellationToken cancellationToken)
    {
        var result = await context.IpAsync(["-j", "mptcp", "endpoint", "show"], cancellationToken);
        return result.Succeeded ? MptcpEndpoint.ParseList(result.StandardOutput) : null;
    }

    public static async Task<MptcpLimits?> ReadLimitsAsync(KernelContext context, CancellationToken cancellationToken)
    {
        var result = await context.IpAsync(["mptcp", "limits", "show"], cancellationToken);
        return result.Succeeded ? MptcpLimits.Parse(result.StandardOutput) : null;
    }

    public static string Words(MptcpEndpointFlags flags) => string.Join(',', MptcpEndpoint.Words(flags));
}
