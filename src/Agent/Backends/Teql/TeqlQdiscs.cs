using Fleet.Agent.Backends.Kernel;
using Fleet.Contracts.Links;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Backends.Teql;

/// <summary>
/// The members' root qdiscs, which is how teql works (tc-teql(8)): a member carries the link's traffic exactly while
/// its root qdisc is the teql device. Reads them (<c>tc -s -j qdisc show</c>) and attaches or detaches members.
/// </summary>
internal sealed partial class TeqlQdiscs(KernelContext context, ILogger logger)
{
    /// <summary>Every device's root qdisc, by device.</summary>
    public async Task<Dictionary<string, TcQdisc>> ReadRootsAsync(CancellationToken cancellationToken)
    {
        var result = await context.RunAsync("tc", ["-s", "-j", "qdisc", "show"], cancellationToken: cancellationToken);
        var roots = new Dictionary<string, TcQdisc>(StringComparer.Ordinal);
        if (!result.Succeeded)
        {
            return roots;
        }

        foreach (var qdisc in TcQdisc.ParseList(result.StandardOutput))
        {
            if (qdisc.IsRoot)
            {
                roots[qdisc.Device] = qdisc;
            }
        }

        return roots;
    }

    /// <summary>Puts the teql qdisc on the carrying members and takes it off the others (and off members the spec dropped).</summary>
    public async Task<string?> AttachAsync(LinkSpec desired, LinkSpec? current, IReadOnlyList<string> carrying, CancellationToken cancellationToken)
    {
        var roots = await ReadRootsAsync(cancellationToken);
        var names = desired.Members.Select(m => m.Interface).Concat(current?.Members.Select(m => m.Interface) ?? []).Distinct(StringComparer.Ordinal);
        foreach (var member in names)
        {
            var attached = roots.TryGetValue(member, out var root) && root.Kind == desired.Name;
            var wanted = carrying.Contains(member);
            if (wanted && !attached)
            {
                if (await TcAsync(cancellationToken, "qdisc", "replace", "dev", member, "root", desired.Name) is { } attachError)
                {
                    return attachError;
                }

                LogAttached(desired.Name, member);
            }
            else if (!wanted && attached)
            {
                if (await DetachAsync(member, cancellationToken) is { } detachError)
                {
                    return detachError;
                }

                LogDetached(desired.Name, member);
            }
        }

        return null;
    }

    /// <summary>Deletes <paramref name="member"/>'s root qdisc (back to the kernel's default); null on success.</summary>
    public Task<string?> DetachAsync(string member, CancellationToken cancellationToken) =>
        TcAsync(cancellationToken, "qdisc", "del", "dev", member, "root");

    private async Task<string?> TcAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var result = await context.RunAsync("tc", arguments, cancellationToken: cancellationToken);
        return result.Succeeded ? null : $"tc {string.Join(' ', arguments)}: {result.Message}";
    }

    [LoggerMessage(EventId = 5202, Level = LogLevel.Information, Message = "Teql {Name}: {Member} now carries traffic")]
    private partial void LogAttached(string name, string member);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Warning, Message = "Teql {Name}: {Member} removed from the equalizer")]
    private partial void LogDetached(string name, string member);
}
