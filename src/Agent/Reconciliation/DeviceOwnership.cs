using Fleet.Agent.Backends;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Reconciliation;

/// <summary>
/// Whose a link's device is (issue 10): a device of the spec's name that exists before the link first takes the name
/// was not created by Fleet, and the agent touches it only when the spec says <see cref="LinkSpec.Adopt"/>. The
/// answer is kept in the link's record (<see cref="LinkRecord.Adopted"/>), so it outlives restarts: a device the link
/// created stays the link's, one it adopted stays adopted.
/// </summary>
internal static class DeviceOwnership
{
    /// <summary>
    /// Whether <paramref name="device"/>, as captured before the link takes the name <paramref name="spec"/> names, is
    /// someone else's device.
    /// </summary>
    public static bool IsForeign(LinkSpec spec, InterfaceSnapshot? device) => spec.Kind switch
    {
        LinkKind.Bond or LinkKind.Striper or LinkKind.Aggregator => device is { Exists: true },

        // sch_teql makes teql0..N itself when it loads, so a teql device that merely exists is free; one that is up or
        // has addresses is in use by someone.
        LinkKind.Teql => device is { Exists: true } && (device.Up || device.Addresses.Count > 0),

        // No device: the name only labels Fleet's own endpoint set.
        LinkKind.Mptcp => false,
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "unknown link kind"),
    };

    /// <summary>The Failed reason for a foreign device the spec does not adopt.</summary>
    public static string Refusal(LinkSpec spec) =>
        $"{spec.Name} already exists on this host and Fleet did not create it; nothing was changed. Set adopt: true in the spec to let "
        + "Fleet take it over (removing the link then releases the device and leaves it in place), or choose another name";

    /// <summary>What releasing the adopted device will put back: the device and the spec's members as captured now.</summary>
    public static AdoptedDevice Adopt(LinkSpec spec, HostSnapshot before) =>
        new(spec.Name, before.Of([.. spec.Members.Select(m => m.Interface).Prepend(spec.Name)]));
}
