using Fleet.Contracts.Links.Kinds;

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

    /// <summary>Largest cap: 1 EB, far beyond any carrier's plan, and well inside the sums the counting does.</summary>
    public const long MaxCapBytes = 1L << 60;

    /// <summary>Validates a spec; an empty list means valid.</summary>
    public static IReadOnlyList<ValidationError> Validate(LinkSpec? spec)
    {
        var errors = new SpecErrors();
        if (spec is null)
        {
            errors.Add("", "a link spec is required");
            return errors.Errors;
        }

        // An unknown kind leaves only the rules every kind shares: its own cannot be known.
        var descriptor = LinkKinds.TryGet(spec.Kind, out var known) ? known : null;
        if (descriptor is null)
        {
            errors.Add("kind", $"'{spec.Kind}' is not a known value");
        }

        errors.InterfaceName("name", spec.Name);
        ValidateMembers(spec, descriptor, errors);
        ValidateAddressing(spec, descriptor, errors);
        errors.Range("confirmTimeoutSeconds", spec.ConfirmTimeoutSeconds, MinConfirmTimeoutSeconds, MaxConfirmTimeoutSeconds, " seconds");
        ValidateKindOptions(spec, errors);
        if (descriptor is null)
        {
            return errors.Errors;
        }

        errors.AddRange(descriptor.Validate(spec));
        if (!descriptor.MemberFieldNames.Contains(MemberFields.Tier))
        {
            RefuseTiers(spec.Members ?? [], errors);
        }

        return errors.Errors;
    }

    /// <summary>True when the spec has no errors.</summary>
    public static bool IsValid(LinkSpec? spec) => Validate(spec).Count == 0;

    private static void ValidateMembers(LinkSpec spec, LinkKindDescriptor? kind, SpecErrors errors)
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
            ValidateCap(member.Cap, $"{path}.{MemberFields.Cap}", errors);
            if (kind is not null)
            {
                ValidateMemberFieldsForKind(kind, member, path, errors);
            }
        }

        if (!anyActive)
        {
            errors.Add("members", "at least one member must be active");
        }
    }

    private static void ValidateCap(DataCap? cap, string path, SpecErrors errors)
    {
        if (cap is null)
        {
            return;
        }

        errors.Range($"{path}.bytes", cap.Bytes, 1, MaxCapBytes, " bytes");
        errors.Range($"{path}.cycleStartDay", cap.CycleStartDay, 1, DataCap.MaxCycleStartDay);
    }

    private static void ValidateMemberFieldsForKind(LinkKindDescriptor kind, MemberSpec member, string path, SpecErrors errors)
    {
        RefuseUnless(kind, MemberFields.LocalPort, member.LocalPort is not null, "a local port", path, errors);
        RefuseUnless(kind, MemberFields.Peer, member.Peer is not null, "a peer endpoint", path, errors);
        RefuseUnless(kind, MemberFields.Weight, member.Weight is not null, "a weight", path, errors);
        RefuseUnless(kind, MemberFields.ProbeTarget, member.ProbeTarget is not null, "a probe target", path, errors);
        RefuseUnless(kind, MemberFields.MptcpFlags, member.MptcpFlags is { Count: > 0 }, "endpoint flags", path, errors);
        if (member.Address is not null && !kind.MemberFieldNames.Contains(MemberFields.Address))
        {
            errors.Add($"{path}.{MemberFields.Address}", $"{kind.WireName} members take no address; put addresses on the link");
        }
    }

    private static void RefuseUnless(LinkKindDescriptor kind, string field, bool isSet, string what, string path, SpecErrors errors)
    {
        if (isSet && !kind.MemberFieldNames.Contains(field))
        {
            errors.Add($"{path}.{field}", $"only {KindsWith(field)} members have {what}");
        }
    }

    /// <summary>The wire names of the kinds whose members may set <paramref name="field"/>, for messages.</summary>
    internal static string KindsWith(string field) =>
        string.Join(" and ", LinkKinds.All.Where(k => k.MemberFieldNames.Contains(field)).Select(k => k.WireName));

    private static void ValidateAddressing(LinkSpec spec, LinkKindDescriptor? kind, SpecErrors errors)
    {
        var addresses = spec.Addresses ?? [];
        var routes = spec.Routes ?? [];
        if (kind is { HasDevice: false })
        {
            if (addresses.Count > 0)
            {
                errors.Add("addresses", $"{kind.WireName} links have no device of their own; addresses belong to the members");
            }

            if (routes.Count > 0)
            {
                errors.Add("routes", $"{kind.WireName} links have no device of their own to route through");
            }

            if (spec.Mtu is not null)
            {
                errors.Add("mtu", $"{kind.WireName} links have no device of their own");
            }

            if (spec.Adopt)
            {
                errors.Add("adopt", $"{kind.WireName} links have no device of their own to adopt");
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

        if (kind is not null)
        {
            errors.Range("mtu", spec.Mtu, kind.MinMtu, kind.MaxMtu, " bytes");
        }
    }

    private static void ValidateKindOptions(LinkSpec spec, SpecErrors errors)
    {
        foreach (var other in LinkKinds.All)
        {
            if (other.Kind != spec.Kind && other.OptionsPath is { } path && other.OptionsOf(spec) is not null)
            {
                errors.Add(path, $"{other.WireName} options are only for kind {other.WireName}");
            }
        }
    }
}
