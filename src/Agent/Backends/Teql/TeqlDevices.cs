using System.Globalization;
using Fleet.Agent.Backends.Kernel;

namespace Fleet.Agent.Backends.Teql;

/// <summary>
/// The teql devices themselves: <c>sch_teql</c> creates <c>teql0..teql(max_equalizers-1)</c> when it loads, in the
/// initial namespace, and no device can be added later; a link takes one of them into its context.
/// </summary>
internal sealed class TeqlDevices(KernelContext context, KernelFeatures features)
{
    /// <summary><c>max_equalizers</c> when the agent loads <c>sch_teql</c> (more if a spec names a higher device).</summary>
    public const int DefaultMaxEqualizers = 16;

    /// <summary>Makes teqlN exist in this context: loads the module if needed, adopts the device from the initial namespace.</summary>
    public async Task<string?> ProvideAsync(string name, CancellationToken cancellationToken)
    {
        TryIndex(name, out var index);
        if (!features.IsModuleLoaded("sch_teql"))
        {
            // teql devices exist only as created at module load; ask for enough of them.
            var count = Math.Max(DefaultMaxEqualizers, index + 1);
            var load = await context.RunAsync("modprobe", ["sch_teql", $"max_equalizers={count.ToString(CultureInfo.InvariantCulture)}"], cancellationToken: cancellationToken);
            if (!load.Succeeded)
            {
                return $"modprobe sch_teql: {load.Message}";
            }
        }

        var adopt = await context.AdoptFromInitialNamespaceAsync(name, cancellationToken);
        var (links, readError) = await KernelLinks.ReadAllAsync(context, cancellationToken);
        if (links is null)
        {
            return readError;
        }

        if (links.ContainsKey(name))
        {
            return null;
        }

        var why = adopt.Succeeded ? "" : $" ({adopt.Message})";
        return $"{name} does not exist{why}: sch_teql creates teql0..teql(max_equalizers-1) when it loads and was loaded with "
            + $"fewer, or {name} is in use in another namespace; unload sch_teql (which removes every teql device) to get more";
    }

    /// <summary>The N of <c>teqlN</c>; false for any other name.</summary>
    public static bool TryIndex(string name, out int index)
    {
        index = -1;
        return name.StartsWith("teql", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }
}
