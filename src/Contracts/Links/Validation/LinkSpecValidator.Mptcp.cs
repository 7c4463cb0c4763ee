using System.Text.RegularExpressions;
using Fleet.Contracts.Links.Kinds;

namespace Fleet.Contracts.Links.Validation;

public static partial class LinkSpecValidator
{
    /// <summary>The kernel's MPTCP_PM_ADDR_MAX: most endpoints and the highest limit values.</summary>
    public const int MaxMptcpLimit = 8;

    internal static void ValidateMptcp(LinkSpec spec, SpecErrors errors)
    {
        var members = spec.Members ?? [];
        if (members.Count > MaxMptcpLimit)
        {
            errors.Add("members", $"the in-kernel path manager handles at most {MaxMptcpLimit} endpoints");
        }

        for (var i = 0; i < members.Count; i++)
        {
            if (members[i] is not { } member)
            {
                continue;
            }

            var path = $"members[{i}].mptcpFlags";
            var flags = member.MptcpFlags ?? [];
            foreach (var flag in flags)
            {
                errors.Defined(path, (MptcpEndpointFlag?)flag);
            }

            if (flags.Distinct().Count() != flags.Count)
            {
                errors.Add(path, "a flag is listed more than once");
            }

            var signal = flags.Contains(MptcpEndpointFlag.Signal);
            var subflow = flags.Contains(MptcpEndpointFlag.Subflow);
            if (signal && flags.Contains(MptcpEndpointFlag.Fullmesh))
            {
                errors.Add(path, "signal and fullmesh are exclusive");
            }

            if (flags.Contains(MptcpEndpointFlag.Fullmesh) && !subflow)
            {
                errors.Add(path, "fullmesh needs subflow");
            }

            if (!signal && !subflow)
            {
                errors.Add(path, "an endpoint needs signal (announce the address) or subflow (open subflows from it)");
            }
        }

        if (spec.Mptcp is { } mptcp)
        {
            errors.Range(MptcpFields.SubflowsLimit, mptcp.SubflowsLimit, 0, MaxMptcpLimit);
            errors.Range(MptcpFields.AddAddrAcceptedLimit, mptcp.AddAddrAcceptedLimit, 0, MaxMptcpLimit);
            var services = mptcp.MptcpizeServices ?? [];
            for (var i = 0; i < services.Count; i++)
            {
                // The agent writes a drop-in for each service and restarts it: only services meant for it (fleet-NAME.service)
                // may be named, never sshd or another system service, and never an option-looking name.
                if (services[i] is null || !ServiceName().IsMatch(services[i]))
                {
                    errors.Add($"mptcp.mptcpizeServices[{i}]", $"'{services[i]}' is not a service the agent may run under mptcpize: the name must be fleet-NAME.service (letters, digits, _ . @ : -)");
                }
            }
        }
    }

    [GeneratedRegex(@"^fleet-[A-Za-z0-9_.@:\-]{1,200}\.service$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ServiceName();
}
