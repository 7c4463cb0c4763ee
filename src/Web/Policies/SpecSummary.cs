using System.Globalization;
using Fleet.Contracts.Links;
using Fleet.Web.Formatting;

namespace Fleet.Web.Policies;

/// <summary>The facts of a spec an operator looks for first, kind by kind.</summary>
public static class SpecSummary
{
    /// <summary>Name/value pairs in reading order.</summary>
    public static IEnumerable<(string Name, string Value)> Facts(LinkSpec spec)
    {
        var members = spec.Members ?? [];
        yield return ("Members", string.Join(", ", members.Select(m => m.AdminState == MemberAdminState.Active
            ? m.Interface
            : $"{m.Interface} ({WireNames.Of(m.AdminState)})")));

        switch (spec.Kind)
        {
            case LinkKind.Bond when spec.Bond is { } bond:
                yield return ("Mode", WireNames.Of(bond.Mode));
                yield return ("Monitor", bond.MiimonMs is { } miimon
                    ? $"miimon every {miimon} ms"
                    : bond.ArpIntervalMs is { } arp ? $"arp every {arp} ms to {string.Join(", ", bond.ArpIpTargets)}" : "none");
                if (bond.Primary is not null)
                {
                    yield return ("Primary", bond.Primary);
                }

                if (bond.XmitHashPolicy is { } hash)
                {
                    yield return ("Transmit hash", WireNames.Of(hash));
                }

                if (bond.LacpRate is { } lacp)
                {
                    yield return ("LACP rate", WireNames.Of(lacp));
                }

                break;
            case LinkKind.Teql:
                var teql = spec.Teql ?? new TeqlOptions();
                yield return ("Probes", $"every {teql.ProbeIntervalMs} ms, down after {teql.DownAfterFailedProbes} misses");
                break;
            case LinkKind.Mptcp:
                var mptcp = spec.Mptcp ?? new MptcpOptions();
                yield return ("Limits", $"{mptcp.SubflowsLimit} subflows, {mptcp.AddAddrAcceptedLimit} ADD_ADDR accepted");
                yield return ("Endpoints", string.Join(", ", members.Select(m =>
                    $"{m.Interface}: {(m.MptcpFlags.Count == 0 ? "no flags" : string.Join("+", m.MptcpFlags.Select(WireNames.Of)))}")));
                if (mptcp.MptcpizeServices.Count > 0)
                {
                    yield return ("mptcpize", string.Join(", ", mptcp.MptcpizeServices));
                }

                break;
            case LinkKind.Striper when spec.Striper is { } striper:
                yield return ("Scheduler", WireNames.Of(striper.Scheduler));
                if (members.Any(m => m.Weight is not null))
                {
                    yield return ("Weights", string.Join(", ", members.Select(m =>
                        $"{m.Interface} {m.Weight?.ToString("0.###", CultureInfo.InvariantCulture) ?? "–"}")));
                }

                yield return ("Cipher", WireNames.Of(striper.Cipher));
                yield return ("Probes / hold", $"every {striper.ProbeIntervalMs} ms / at most {striper.MaxHoldMs} ms");
                break;
        }

        if (spec.Kind != LinkKind.Mptcp)
        {
            yield return ("Addresses", spec.Addresses.Count == 0 ? "none" : string.Join(", ", spec.Addresses));
            if (spec.Routes.Count > 0)
            {
                yield return ("Routes", string.Join(", ", spec.Routes.Select(r => r.Via is null ? r.Destination : $"{r.Destination} via {r.Via}")));
            }

            if (spec.Mtu is { } mtu)
            {
                yield return ("MTU", mtu.ToString(CultureInfo.InvariantCulture));
            }
        }

        yield return ("Confirm timeout", $"{spec.ConfirmTimeoutSeconds} s");
        yield return ("Repair drift", spec.RepairDrift ? "yes" : "no");
        if (spec.Adopt)
        {
            yield return ("Device", "adopted (Fleet did not create it; removal leaves it in place)");
        }
    }
}
