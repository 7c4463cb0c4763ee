using System.Globalization;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Web.Formatting;
using Fleet.Web.Policies.Kinds;

namespace Fleet.Web.Policies;

/// <summary>The facts of a spec an operator looks for first: the members, the kind's own (its <see cref="LinkKindEditor.Facts"/>), then the link's.</summary>
public static class SpecSummary
{
    /// <summary>Name/value pairs in reading order.</summary>
    public static IEnumerable<(string Name, string Value)> Facts(LinkSpec spec)
    {
        var members = spec.Members ?? [];
        yield return ("Members", string.Join(", ", members.Select(m => m.AdminState == MemberAdminState.Active
            ? m.Interface
            : $"{m.Interface} ({WireNames.Of(m.AdminState)})")));

        if (LinkKindEditors.TryGet(spec.Kind, out var editor))
        {
            foreach (var fact in editor.Facts(spec))
            {
                yield return fact;
            }
        }

        if (!LinkKinds.TryGet(spec.Kind, out var kind) || kind.HasDevice)
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
