using System.Collections.Concurrent;

namespace Fleet.Agent.Backends.Kernel;

/// <summary>
/// What the running kernel can do for the kernel link kinds, read from files only (no process, so
/// <see cref="ILinkBackend.CheckAvailability"/> stays cheap and synchronous): loaded modules under
/// <c>/sys/module</c>, installable or built-in ones in <c>/lib/modules/RELEASE/modules.{dep,builtin}</c>, and MPTCP's
/// sysctls. Module state is global to the host, so the answer is the same in every network namespace.
/// </summary>
public sealed class KernelFeatures
{
    private readonly string _root;
    private readonly ConcurrentDictionary<string, bool> _installed = new(StringComparer.Ordinal);

    /// <summary>Reads the running system.</summary>
    public KernelFeatures()
        : this("/")
    {
    }

    /// <summary>Reads a system tree rooted at <paramref name="root"/> (tests give a fake tree).</summary>
    public KernelFeatures(string root)
    {
        _root = root.EndsWith('/') ? root : root + "/";
    }

    /// <summary>The kernel release (<c>uname -r</c>), e.g. <c>6.1.0-56-amd64</c>.</summary>
    public string Release => ReadTrimmed("proc/sys/kernel/osrelease") ?? "unknown";

    /// <summary>
    /// True when the module is loaded and initialised, or built in with parameters (both appear in /sys/module). A
    /// loadable module's directory appears before its init ran (<c>initstate</c> <c>coming</c>): a backend that saw only
    /// the directory while another loaded the module found no bond link type or no teql devices yet. Such a module
    /// counts as not loaded, and the backend's own modprobe waits for the load in progress.
    /// </summary>
    public bool IsModuleLoaded(string module)
    {
        var directory = Path.Combine(_root, "sys/module", module);
        if (!Directory.Exists(directory))
        {
            return false;
        }

        // Built-in modules have no initstate.
        var state = Path.Combine(directory, "initstate");
        return !File.Exists(state) || ReadTrimmed(Path.Combine("sys/module", module, "initstate")) == "live";
    }

    /// <summary>True when the module is loaded, built in, or installed for this kernel so modprobe can load it.</summary>
    public bool IsModuleAvailable(string module) =>
        IsModuleLoaded(module) || _installed.GetOrAdd($"{Release}/{module}", _ => IsInstalled(module));

    /// <summary>Whether kernel bonding can be used.</summary>
    public BackendAvailability Bonding() => IsModuleAvailable("bonding")
        ? BackendAvailability.Yes
        : BackendAvailability.No($"bonding driver not available in kernel {Release}");

    /// <summary>Whether the trivial link equalizer (teql) can be used.</summary>
    public BackendAvailability Teql() => IsModuleAvailable("sch_teql")
        ? BackendAvailability.Yes
        : BackendAvailability.No($"teql (sch_teql) not available in kernel {Release}");

    /// <summary>Whether MPTCP can be used: the kernel has the <c>net.mptcp</c> sysctls only when it is compiled in.</summary>
    public BackendAvailability Mptcp() => File.Exists(Path.Combine(_root, "proc/sys/net/mptcp/enabled"))
        ? BackendAvailability.Yes
        : BackendAvailability.No($"MPTCP not available in kernel {Release} (no net.mptcp sysctls)");

    private bool IsInstalled(string module)
    {
        var directory = Path.Combine(_root, "lib/modules", Release);
        var file = $"/{module}.ko";
        return ListsModule(Path.Combine(directory, "modules.builtin"), file, builtin: true)
            || ListsModule(Path.Combine(directory, "modules.dep"), file, builtin: false);
    }

    private static bool ListsModule(string path, string file, bool builtin)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        foreach (var line in File.ReadLines(path))
        {
            // modules.builtin: "kernel/drivers/net/bonding/bonding.ko"
            // modules.dep:     "kernel/drivers/net/bonding/bonding.ko: kernel/net/tls/tls.ko" (maybe .ko.xz / .ko.zst)
            var name = builtin ? line.TrimEnd() : line[..Math.Max(0, line.IndexOf(':', StringComparison.Ordinal))];
            if (name.EndsWith(file, StringComparison.Ordinal)
                || name.EndsWith(file + ".xz", StringComparison.Ordinal)
                || name.EndsWith(file + ".zst", StringComparison.Ordinal)
                || name.EndsWith(file + ".gz", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private string? ReadTrimmed(string relative)
    {
        try
        {
            return File.ReadAllText(Path.Combine(_root, relative)).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
