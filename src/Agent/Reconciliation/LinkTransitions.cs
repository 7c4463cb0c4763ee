using Fleet.Agent.Backends;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Reconciliation;

/// <summary>
/// Moves the host from one spec of a link to another through the backends, across kinds if need be (the old kind's
/// backend removes, the new one's applies), and back again with the host state captured before the change
/// (<see cref="IHostState"/>). A backend that throws is a failed transition, never a dead agent.
/// </summary>
internal sealed partial class LinkTransitions(LinkBackends backends, IHostState host, ILogger logger, CancellationToken lifetime)
{
    /// <summary>
    /// Captures what a change between <paramref name="specs"/> can touch: their devices and members, and the routes;
    /// throws <see cref="HostStateException"/> when the host cannot be read.
    /// </summary>
    public Task<HostSnapshot> CaptureAsync(params LinkSpec?[] specs)
    {
        var interfaces = specs.OfType<LinkSpec>().SelectMany(s => s.Members.Select(m => m.Interface).Prepend(s.Name)).Distinct(StringComparer.Ordinal).ToList();
        return host.CaptureAsync(interfaces, lifetime);
    }

    /// <summary>
    /// Goes back from <paramref name="inForce"/> to <paramref name="target"/> (null: no link), then puts the host state of
    /// <paramref name="snapshot"/> back; fails with every error of either step.
    /// </summary>
    public async Task<ApplyResult> ReturnAsync(LinkSpec? inForce, LinkSpec? target, HostSnapshot? snapshot, IReadOnlyList<AdoptedDevice>? adopted = null)
    {
        var result = await TransitionAsync(inForce, target, adopted);
        if (snapshot is null)
        {
            return result;
        }

        var restored = await host.RestoreAsync(snapshot, lifetime);
        return restored is null
            ? result
            : ApplyResult.Failed(result.Succeeded ? $"restoring the host state: {restored}" : $"{result.Error}; restoring the host state: {restored}");
    }

    /// <summary>
    /// Moves the host from <paramref name="from"/> to <paramref name="to"/> (either may be null). When the link leaves
    /// a device it <paramref name="adopted"/> (removed, or another kind or name), the device is released, never removed.
    /// </summary>
    public async Task<ApplyResult> TransitionAsync(LinkSpec? from, LinkSpec? to, IReadOnlyList<AdoptedDevice>? adopted = null)
    {
        if (from is not null && adopted?.FirstOrDefault(a => a.Name == from.Name) is { } device && (to is null || to.Kind != from.Kind || to.Name != from.Name))
        {
            var released = await ReleaseAsync(from, device);
            if (!released.Succeeded || to is null)
            {
                return released;
            }

            from = null;
        }

        if (to is null)
        {
            return from is null ? ApplyResult.Ok : await InvokeBackendAsync(from.Kind, backend => backend.RemoveAsync(from, lifetime));
        }

        if (from is not null && from.Kind != to.Kind)
        {
            var removed = await InvokeBackendAsync(from.Kind, backend => backend.RemoveAsync(from, lifetime));
            if (!removed.Succeeded)
            {
                return removed;
            }

            from = null;
        }

        return await InvokeBackendAsync(to.Kind, backend => backend.ApplyAsync(from, to, lifetime));
    }

    /// <summary>
    /// Releases an adopted device: the backend stops driving it, then the device and the members are put back as they
    /// were before the adoption (addresses, MTU, up/down, master, their routes; today's default routes stay).
    /// </summary>
    private async Task<ApplyResult> ReleaseAsync(LinkSpec spec, AdoptedDevice adopted)
    {
        var released = await InvokeBackendAsync(spec.Kind, backend => backend.ReleaseAsync(spec, lifetime));
        var restored = await host.RestoreAsync(adopted.Before, lifetime);
        LogReleased(spec.Name);
        return restored is null
            ? released
            : ApplyResult.Failed(released.Succeeded ? $"putting the adopted {spec.Name} back as it was: {restored}" : $"{released.Error}; putting the adopted {spec.Name} back as it was: {restored}");
    }

    /// <summary>The kind's name as operators read it (<c>bond</c>, <c>teql</c>): its wire name when it is registered.</summary>
    public static string KindName(LinkKind kind) => LinkKinds.TryGet(kind, out var descriptor) ? descriptor.WireName : kind.ToString();

    private async Task<ApplyResult> InvokeBackendAsync(LinkKind kind, Func<ILinkBackend, Task<ApplyResult>> operation)
    {
        if (backends.For(kind) is not { } backend)
        {
            return ApplyResult.Failed($"this agent has no backend for {KindName(kind)} links");
        }

        try
        {
            return await operation(backend);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A backend bug must not take the agent down; it is a failed apply like any other.
            LogBackendThrew(kind, ex);
            return ApplyResult.Failed($"the {KindName(kind)} backend failed unexpectedly: {ex.Message}");
        }
    }

    [LoggerMessage(EventId = 416, Level = LogLevel.Information, Message = "{Device} released, not deleted: Fleet adopted it")]
    private partial void LogReleased(string device);

    [LoggerMessage(EventId = 412, Level = LogLevel.Error, Message = "The {Kind} backend threw")]
    private partial void LogBackendThrew(LinkKind kind, Exception exception);
}
