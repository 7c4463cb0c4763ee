using System.Globalization;
using Fleet.Agent.Backends.Kernel;
using Fleet.Contracts.Links;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Backends.Bonding;

/// <summary>
/// Kernel bonding (<c>Documentation/networking/bonding.rst</c>) driven with <c>ip link … type bond</c>. The bond
/// device is the link's; its members are the interfaces the spec names. Members are enslaved while down (the driver
/// brings them up), released members are brought back up, and a mode change empties and downs the bond first, as
/// the driver requires. Observed per member: MII status, link failures, speed/duplex, LACP actor/partner state and
/// aggregator (from <c>ip -d -j link</c> and <c>/proc/net/bonding/BOND</c>), and interface counters.
/// </summary>
public sealed partial class BondBackend(KernelContext context, KernelFeatures features, TimeProvider timeProvider, ILogger<BondBackend> logger)
    : ILinkBackend, ILinkEventSource, IDisposable
{
    private readonly DeviceAddressing _addressing = new(context);
    private readonly MemberHealthTracker _tracker = new(timeProvider);
    private readonly Dictionary<string, string?> _lastActive = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <inheritdoc />
    public LinkKind Kind => LinkKind.Bond;

    /// <inheritdoc />
    public BackendAvailability CheckAvailability() => features.Bonding();

    /// <inheritdoc />
    public async Task<ApplyResult> ApplyAsync(LinkSpec? current, LinkSpec desired, CancellationToken cancellationToken)
    {
        if (desired.Kind != LinkKind.Bond || desired.Bond is null)
        {
            return ApplyResult.Failed($"{desired.Name}: not a bond spec");
        }

        var availability = CheckAvailability();
        if (!availability.Available)
        {
            return ApplyResult.Failed(availability.Reason ?? "bonding is not available");
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var error = await ApplyCoreAsync(desired, current, cancellationToken);
            if (error is not null)
            {
                LogApplyFailed(desired.Name, error);
                return ApplyResult.Failed(error);
            }

            LogApplied(desired.Name, LinkSpecValidatorMode(desired), context.Description);
            return ApplyResult.Ok;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public Task<ApplyResult> RemoveAsync(LinkSpec current, CancellationToken cancellationToken) => LeaveAsync(current, keepDevice: false, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Releases the members the spec names from the bond and leaves the bond (its mode and options as Fleet set them:
    /// the driver refuses most option changes on a bond with members, and which the owner had is not Fleet's to guess).
    /// Members the bond had before it was adopted are enslaved again by the reconciler's restore.
    /// </remarks>
    public Task<ApplyResult> ReleaseAsync(LinkSpec current, CancellationToken cancellationToken) => LeaveAsync(current, keepDevice: true, cancellationToken);

    private async Task<ApplyResult> LeaveAsync(LinkSpec current, bool keepDevice, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var (links, readError) = await KernelLinks.ReadAllAsync(context, cancellationToken);
            if (links is null)
            {
                return ApplyResult.Failed(readError!);
            }

            if (!links.TryGetValue(current.Name, out var bond) || bond.Kind != "bond")
            {
                // Nothing of ours is left (a device of another kind with that name was never ours).
                Forget(current.Name);
                return ApplyResult.Ok;
            }

            // A bond that goes loses every member; one that stays (adopted) keeps those that are not the spec's.
            foreach (var member in links.Values.Where(l => l.Master == current.Name && (!keepDevice || current.Members.Any(m => m.Interface == l.Name))))
            {
                if (await ReleaseAsync(member.Name, cancellationToken) is { } releaseError)
                {
                    return ApplyResult.Failed(releaseError);
                }
            }

            if (!keepDevice && await context.IpAsync(cancellationToken, "link", "del", "dev", current.Name) is { } deleteError)
            {
                return ApplyResult.Failed(deleteError);
            }

            Forget(current.Name);
            if (keepDevice)
            {
                LogReleased(current.Name, context.Description);
            }
            else
            {
                LogRemoved(current.Name, context.Description);
            }

            return ApplyResult.Ok;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<LinkObservation> ObserveAsync(LinkSpec applied, CancellationToken cancellationToken) =>
        (await ObserveBondAsync(applied, cancellationToken)).Link;

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    /// <inheritdoc />
    public IReadOnlyList<LinkEvent> TakeEvents(LinkSpec applied) => _tracker.Take(applied.Name);

    private async Task<string?> ApplyCoreAsync(LinkSpec desired, LinkSpec? current, CancellationToken cancellationToken)
    {
        var name = desired.Name;
        var settings = BondSettings.From(desired);
        var (links, readError) = await KernelLinks.ReadAllAsync(context, cancellationToken);
        if (links is null)
        {
            return readError;
        }

        // Everything that can be checked is checked before anything changes, so a refused spec changes nothing.
        if (links.TryGetValue(name, out var existing) && existing.Kind != "bond")
        {
            return $"{name} exists and is a {existing.Kind ?? "non-bond"} device, not a bond";
        }

        foreach (var member in desired.Members)
        {
            if (!links.TryGetValue(member.Interface, out var link))
            {
                return $"member {member.Interface} does not exist";
            }

            if (link.Master is not null && link.Master != name)
            {
                return $"member {member.Interface} is already enslaved to {link.Master}";
            }

            if (link.Kind == "bond" && link.Name != name)
            {
                return $"member {member.Interface} is itself a bond";
            }
        }

        var created = false;
        if (existing is null)
        {
            // Debian's modprobe.d sets max_bonds=0, other distributions create a bond0 on load: ask for none here too.
            if (!features.IsModuleLoaded("bonding"))
            {
                var load = await context.RunAsync("modprobe", ["bonding", "max_bonds=0"], cancellationToken: cancellationToken);
                if (!load.Succeeded)
                {
                    return $"modprobe bonding: {load.Message}";
                }
            }

            if (await context.IpAsync(cancellationToken, [.. settings.CreateArguments(name)]) is { } createError)
            {
                return createError;
            }

            created = true;
        }

        var error = await ConfigureAsync(desired, current, settings, created, cancellationToken);
        if (error is not null && created)
        {
            // A bond this call created is not left half-configured.
            var undo = await context.IpAsync(cancellationToken, "link", "del", "dev", name);
            if (undo is not null)
            {
                error += $" (and removing the new bond failed: {undo})";
            }
        }

        return error;
    }

    private async Task<string?> ConfigureAsync(LinkSpec desired, LinkSpec? current, BondSettings settings, bool created, CancellationToken cancellationToken)
    {
        var name = desired.Name;
        var (links, readError) = await KernelLinks.ReadAllAsync(context, cancellationToken);
        if (links is null)
        {
            return readError;
        }

        var bond = links[name];
        var info = BondLinkInfo.From(bond) ?? throw new InvalidOperationException($"{name} is a bond without bond attributes");

        if (info.Mode != settings.Mode)
        {
            // The driver changes modes only on a bond that is down and has no members (BOND_OPTFLAG_NOSLAVES | IFDOWN).
            foreach (var member in links.Values.Where(l => l.Master == name))
            {
                if (await ReleaseAsync(member.Name, cancellationToken) is { } releaseError)
                {
                    return releaseError;
                }
            }

            if (await context.IpAsync(cancellationToken, "link", "set", "dev", name, "down") is { } downError)
            {
                return downError;
            }

            if (await context.IpAsync(cancellationToken, "link", "set", "dev", name, "type", "bond", "mode", settings.Mode) is { } modeError)
            {
                return modeError;
            }

            LogModeChanged(name, info.Mode, settings.Mode);
            (links, readError) = await KernelLinks.ReadAllAsync(context, cancellationToken);
            if (links is null)
            {
                return readError;
            }

            bond = links[name];
            info = BondLinkInfo.From(bond)!;
        }

        var change = settings.ChangesFrom(info);
        if (change.Preparation.Count > 0
            && await context.IpAsync(cancellationToken, ["link", "set", "dev", name, "type", "bond", .. change.Preparation]) is { } prepareError)
        {
            return prepareError;
        }

        if (change.Main.Count > 0)
        {
            var wasUp = bond.IsUp;
            if (change.NeedsBondDown && wasUp && await context.IpAsync(cancellationToken, "link", "set", "dev", name, "down") is { } downError)
            {
                return downError;
            }

            if (await context.IpAsync(cancellationToken, ["link", "set", "dev", name, "type", "bond", .. change.Main]) is { } optionError)
            {
                return optionError;
            }
        }

        // Members: release what the spec no longer wants, then enslave in spec order (the first is the default active one).
        var wanted = desired.Members.Where(m => m.AdminState != MemberAdminState.Disabled).Select(m => m.Interface).ToList();
        foreach (var member in links.Values.Where(l => l.Master == name && !wanted.Contains(l.Name)))
        {
            if (await ReleaseAsync(member.Name, cancellationToken) is { } releaseError)
            {
                return releaseError;
            }
        }

        // The driver keeps a primary's name while that member is not enslaved and shows it again once it is (it reports
        // only an enslaved primary), so a primary the spec dropped is cleared before members join, and whenever one shows.
        // ip link can only name a primary (by ifindex): clearing is a sysfs write of an empty line.
        var enslaving = wanted.Any(m => links[m].Master != name);
        if (settings.UsesPrimary && settings.Primary is null && (change.ClearPrimary || enslaving))
        {
            var clear = await context.WriteFileAsync($"/sys/class/net/{name}/bonding/primary", "\n", cancellationToken);
            if (!clear.Succeeded)
            {
                return $"clearing the primary of {name}: {clear.Message}";
            }
        }

        foreach (var member in wanted)
        {
            if (links[member].Master == name)
            {
                continue;
            }

            // The driver wants a member down when it is enslaved, and brings it up itself.
            if (await context.IpAsync(cancellationToken, "link", "set", "dev", member, "down") is { } downError)
            {
                return downError;
            }

            if (await context.IpAsync(cancellationToken, "link", "set", "dev", member, "master", name) is { } enslaveError)
            {
                return enslaveError;
            }
        }

        if (settings.MacAddress is { } mac && !string.Equals(bond.Address, mac, StringComparison.OrdinalIgnoreCase)
            && await context.IpAsync(cancellationToken, "link", "set", "dev", name, "address", mac) is { } macError)
        {
            return macError;
        }

        if (desired.Mtu is { } mtu && bond.Mtu != mtu
            && await context.IpAsync(cancellationToken, "link", "set", "dev", name, "mtu", mtu.ToString(CultureInfo.InvariantCulture)) is { } mtuError)
        {
            return mtuError;
        }

        if (await context.IpAsync(cancellationToken, "link", "set", "dev", name, "up") is { } upError)
        {
            return upError;
        }

        if (await _addressing.ApplyAsync(name, desired, created ? null : current, cancellationToken) is { } addressError)
        {
            return addressError;
        }

        // Read back: the kernel silently adjusts some options (delays rounded to miimon); say so instead of pretending.
        (links, readError) = await KernelLinks.ReadAllAsync(context, cancellationToken);
        if (links is null)
        {
            return readError;
        }

        var differences = BondLinkInfo.From(links[name]) is { } final ? settings.Differences(final) : ["bond attributes unreadable"];
        return differences.Count == 0 ? null : $"{name} did not take its options: {string.Join("; ", differences)}";
    }

    private async Task<string?> ReleaseAsync(string member, CancellationToken cancellationToken)
    {
        if (await context.IpAsync(cancellationToken, "link", "set", "dev", member, "nomaster") is { } releaseError)
        {
            return releaseError;
        }

        // The driver closes a released member; an uplink is normally up, so it goes back up.
        return await context.IpAsync(cancellationToken, "link", "set", "dev", member, "up");
    }

    private void Forget(string name)
    {
        _tracker.Forget(name);
        lock (_lastActive)
        {
            _lastActive.Remove(name);
        }
    }

    private static string LinkSpecValidatorMode(LinkSpec spec) => BondSettings.From(spec).Mode;

    [LoggerMessage(EventId = 5100, Level = LogLevel.Information, Message = "Bond {Name} applied in mode {Mode} ({Context})")]
    private partial void LogApplied(string name, string mode, string context);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Bond {Name} not applied: {Error}")]
    private partial void LogApplyFailed(string name, string error);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "Bond {Name} changed mode from {From} to {To}")]
    private partial void LogModeChanged(string name, string from, string to);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information, Message = "Bond {Name} removed ({Context})")]
    private partial void LogRemoved(string name, string context);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Information, Message = "Bond {Name} released, not deleted: Fleet adopted it ({Context})")]
    private partial void LogReleased(string name, string context);
}
