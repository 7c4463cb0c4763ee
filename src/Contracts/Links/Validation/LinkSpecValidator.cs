namespace Fleet.Contracts.Links.Validation;

/// <summary>
/// The one validator of <see cref="LinkSpec"/>, used by the Api (REST and policy editor) and by the agent before it
/// applies anything. It reports every error at once, each with the JSON path of its field, and never throws:
/// a spec deserialized from hostile JSON may carry nulls where the type says there are none.
/// Kind-specific rules live in the partial files next to this one.
/// </summary>
public static partial class LinkSpecValidator
{
    /// <summary>Most members one link may have.</summary>
    public const int MaxMembers = 16;

    /// <summary>Shortest and longest commit-confirm timeout.</summary>
    public const int MinConfirmTimeoutSeconds = 5;

    /// <summary>Longest commit-confirm timeout.</summary>
    public const int MaxConfirmTimeoutSeconds = 3600;

    /// <summary>Validates a spec; an empty list means valid.</summary>
    public static IReadOnlyList<ValidationError> Validate(LinkSpec? spec)
    {
        var errors = new SpecErrors();
        if (spec is null)
        {
            errors.Add("", "a link spec is required");
            return errors.Errors;
        }

        errors.Defined("kind", (LinkKind?)spec.Kind);
        errors.InterfaceName("name", spec.Name);
        ValidateMembers(spec, errors);
        ValidateAddressing(spec, errors);
        errors.Range("confirmTimeoutSeconds", spec.ConfirmTimeoutSeconds, MinConfirmTimeoutSeconds, MaxConfirmTimeoutSeconds, " seconds");
        ValidateKindOptions(spec, errors);

        switch (spec.Kind)
        {
            case LinkKind.Bond:
                ValidateBond(spec, errors);
                break;
            case LinkKind.Teql:
                ValidateTeql(spec, errors);
                break;
            case LinkKind.Mptcp:
                ValidateMptcp(spec, errors);
                break;
            case LinkKind.Striper:
                ValidateStriper(spec, errors);
                break;
        }

        if (spec.Kind != LinkKind.Striper)
        {
            RefuseTiers(spec.Members ?? [], errors);
        }

        return errors.Errors;
    }

    /// <summary>True when the spec has no errors.</summary>
    public static bool IsValid(LinkSpec? spec) => Validate(spec).Count == 0;

    private static void ValidateMembers(LinkSpec spec, SpecErrors errors)
    {
        var members = spec.Members;
        if (members is null || members.Count == 0)
        {
            errors.Add("members", "a link needs at least one member");
            return;
        }

        if (members.Count > MaxMembers)
        {
            errors.Add("members", $"a link has at most {MaxMembers} members");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var anyActive = false;
        for (var i = 0; i < members.Count; i++)
        {
            var path = $"members[{i}]";
            var member = members[i];
            if (member is null)
            {
                errors.Add(path, "a member is required");
                continue;
            }

            errors.InterfaceName($"{path}.interface", member.Interface);
            if (member.Interface is not null)
            {
                if (!seen.Add(member.Interface))
                {
                    errors.Add($"{path}.interface", $"'{member.Interface}' is listed more than once");
                }

                if (string.Equals(member.Interface, spec.Name, StringComparison.Ordinal))
                {
                    errors.Add($"{path}.interface", "a member cannot be the bonded device itself");
                }
            }

            errors.Defined($"{path}.adminState", (MemberAdminState?)member.AdminState);
            anyActive |= member.AdminState == MemberAdminState.Active;
            errors.Range($"{path}.weight", member.Weight, 0, 1_000_000);
            errors.Range($"{path}.rateBitsPerSecond", member.RateBitsPerSecond, 1, 1_000_000_000_000, " bit/s");
            errors.Range($"{path}.lagMilliseconds", member.LagMilliseconds, 0, 60_000, " ms");
            errors.IpAddress($"{path}.address", member.Address);
            ValidateMemberFieldsForKind(spec.Kind, member, path, errors);
        }

        if (!anyActive)
        {
            errors.Add("members", "at least one member must be active");
        }
    }

    private static void ValidateMemberFieldsForKind(LinkKind kind, MemberSpec member, string path, SpecErrors errors)
    {
        if (kind != LinkKind.Striper)
        {
            if (member.LocalPort is not null)
            {
                errors.Add($"{path}.localPort", "only striper members have a local port");
            }

            if (member.Peer is not null)
            {
                errors.Add($"{path}.peer", "only striper members have a peer endpoint");
            }

            if (member.Weight is not null)
            {
                errors.Add($"{path}.weight", "only striper members have a weight");
            }
        }

        if (kind != LinkKind.Teql && member.ProbeTarget is not null)
        {
            errors.Add($"{path}.probeTarget", "only teql members have a probe target");
        }

        if (kind != LinkKind.Mptcp && member.MptcpFlags is { Count: > 0 })
        {
            errors.Add($"{path}.mptcpFlags", "only mptcp members have endpoint flags");
        }

        if (kind is LinkKind.Bond or LinkKind.Teql && member.Address is not null)
        {
            errors.Add($"{path}.address", $"{kind.ToString().ToLowerInvariant()} members take no address; put addresses on the link");
        }
    }

    private static void ValidateAddressing(LinkSpec spec, SpecErrors errors)
    {
        var addresses = spec.Addresses ?? [];
        var routes = spec.Routes ?? [];
        if (spec.Kind == LinkKind.Mptcp)
        {
            if (addresses.Count > 0)
            {
                errors.Add("addresses", "mptcp links have no device of their own; addresses belong to the members");
            }

            if (routes.Count > 0)
            {
                errors.Add("routes", "mptcp links have no device of their own to route through");
            }

            if (spec.Mtu is not null)
            {
                errors.Add("mtu", "mptcp links have no device of their own");
            }

            if (spec.Adopt)
            {
                errors.Add("adopt", "mptcp links have no device of their own to adopt");
            }

            return;
        }

        if (addresses.Count > 32)
        {
            errors.Add("addresses", "at most 32 addresses");
        }

        for (var i = 0; i < addresses.Count; i++)
        {
            errors.Cidr($"addresses[{i}]", addresses[i]);
        }

        if (routes.Count > 64)
        {
            errors.Add("routes", "at most 64 routes");
        }

        for (var i = 0; i < routes.Count; i++)
        {
            var route = routes[i];
            var path = $"routes[{i}]";
            if (route is null)
            {
                errors.Add(path, "a route is required");
                continue;
            }

            if (route.Destination != "default")
            {
                errors.Cidr($"{path}.destination", route.Destination);
            }

            errors.IpAddress($"{path}.via", route.Via);
            errors.Range($"{path}.metric", route.Metric, 0, int.MaxValue);
        }

        var minMtu = spec.Kind == LinkKind.Striper ? 576 : 68;
        var maxMtu = spec.Kind == LinkKind.Striper ? 9000 : 65535;
        errors.Range("mtu", spec.Mtu, minMtu, maxMtu, " bytes");
    }

    private static void ValidateKindOptions(LinkSpec spec, SpecErrors errors)
    {
        if (spec.Kind != LinkKind.Bond && spec.Bond is not null)
        {
            errors.Add("bond", "bond options are only for kind bond");
        }

        if (spec.Kind != LinkKind.Teql && spec.Teql is not null)
        {
            errors.Add("teql", "teql options are only for kind teql");
        }

        if (spec.Kind != LinkKind.Mptcp && spec.Mptcp is not null)
        {
            errors.Add("mptcp", "mptcp options are only for kind mptcp");
        }

        if (spec.Kind != LinkKind.Striper && spec.Striper is not null)
        {
            errors.Add("striper", "striper options are only for kind striper");
        }
    }
}
