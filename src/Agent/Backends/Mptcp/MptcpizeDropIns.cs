using System.Text;
using Fleet.Agent.Processes;

namespace Fleet.Agent.Backends.Mptcp;

/// <summary>
/// Runs named systemd services under mptcpize through a runtime drop-in per service
/// (<c>/run/systemd/system/NAME.service.d/50-fleet-mptcpize.conf</c>): under <c>/run</c> so the agent's unit needs no
/// write access to <c>/etc</c>; a reboot clears them and the agent writes them again when it restores its links. Only
/// services named <c>fleet-NAME.service</c> can be named (the shared validator's rule). The drop-in sets what <c>mptcpize run</c> sets
/// (and what <c>mptcpize enable</c> writes into a unit): <c>LD_PRELOAD</c> of mptcpize's wrapper library, which opens
/// the service's TCP sockets as MPTCP. After a change systemd reloads and restarts the services that run
/// (<c>try-restart</c>); where systemd is not running (containers) only the files are written.
/// </summary>
public sealed class MptcpizeDropIns
{
    /// <summary>The drop-in's file name.</summary>
    public const string FileName = "50-fleet-mptcpize.conf";

    /// <summary>Where systemd looks for runtime units and drop-ins (systemd.unit(5)).</summary>
    public const string DefaultUnitDirectory = "/run/systemd/system";

    private static readonly string[] s_libraryCandidates =
    [
        "/usr/lib/x86_64-linux-gnu/mptcpize/libmptcpwrap.so.0",
        "/usr/lib/aarch64-linux-gnu/mptcpize/libmptcpwrap.so.0",
        "/usr/lib64/mptcpize/libmptcpwrap.so.0",
        "/usr/lib/mptcpize/libmptcpwrap.so.0",
    ];

    private readonly ICommandRunner _runner;
    private readonly string _unitDirectory;
    private readonly string? _library;
    private readonly bool _systemdRunning;

    /// <summary>Drop-ins in <see cref="DefaultUnitDirectory"/> for the running system.</summary>
    public MptcpizeDropIns(ICommandRunner runner)
        : this(runner, DefaultUnitDirectory, FindLibrary(), Directory.Exists("/run/systemd/system"))
    {
    }

    /// <summary>Drop-ins in <paramref name="unitDirectory"/> preloading <paramref name="library"/> (tests).</summary>
    public MptcpizeDropIns(ICommandRunner runner, string unitDirectory, string? library, bool systemdRunning)
    {
        _runner = runner;
        _unitDirectory = unitDirectory;
        _library = library;
        _systemdRunning = systemdRunning;
    }

    /// <summary>mptcpize's wrapper library, if installed.</summary>
    public static string? FindLibrary() => s_libraryCandidates.FirstOrDefault(File.Exists);

    /// <summary>The drop-in file of <paramref name="service"/>.</summary>
    public string PathOf(string service) => Path.Combine(_unitDirectory, service + ".d", FileName);

    /// <summary>The drop-in's text for a service of link <paramref name="linkName"/>.</summary>
    public string Render(string linkName) => new StringBuilder()
        .Append("# Written by fleet-agent for the MPTCP link ").Append(linkName).Append(": the service's TCP sockets are opened as\n")
        .Append("# MPTCP, as under `mptcpize run`. Removed with the link; do not edit.\n")
        .Append("[Service]\n")
        .Append("Environment=LD_PRELOAD=").Append(_library).Append('\n')
        .ToString();

    /// <summary>Writes drop-ins for <paramref name="desired"/>, removes those of <paramref name="previous"/> no longer desired; null on success.</summary>
    public async Task<string?> ApplyAsync(string linkName, IReadOnlyList<string> desired, IReadOnlyList<string> previous, CancellationToken cancellationToken)
    {
        if (desired.Count > 0 && _library is null)
        {
            return "mptcpize is not installed (its wrapper library libmptcpwrap.so.0 was not found): install the mptcpize package";
        }

        var changed = new List<string>();
        try
        {
            foreach (var service in desired)
            {
                var path = PathOf(service);
                var text = Render(linkName);
                if (File.Exists(path) && await File.ReadAllTextAsync(path, cancellationToken) == text)
                {
                    continue;
                }

                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, text, cancellationToken);
                changed.Add(service);
            }

            foreach (var service in previous.Except(desired, StringComparer.Ordinal))
            {
                if (Delete(service))
                {
                    changed.Add(service);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"writing systemd drop-ins under {_unitDirectory}: {ex.Message}";
        }

        return await ReloadAsync(changed, cancellationToken);
    }

    /// <summary>Removes the drop-ins of <paramref name="services"/>; null on success.</summary>
    public Task<string?> RemoveAsync(IReadOnlyList<string> services, CancellationToken cancellationToken) =>
        ApplyAsync("", [], services, cancellationToken);

    private bool Delete(string service)
    {
        var path = PathOf(service);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.EnumerateFileSystemEntries(directory).Any())
        {
            Directory.Delete(directory);
        }

        return true;
    }

    private async Task<string?> ReloadAsync(List<string> changed, CancellationToken cancellationToken)
    {
        if (changed.Count == 0 || !_systemdRunning)
        {
            return null;
        }

        var reload = await _runner.RunAsync("systemctl", ["daemon-reload"], cancellationToken: cancellationToken);
        if (!reload.Succeeded)
        {
            return $"systemctl daemon-reload: {reload.Message}";
        }

        // try-restart: a service that is not running stays stopped and picks the drop-in up when it starts.
        var restart = await _runner.RunAsync("systemctl", ["try-restart", .. changed], TimeSpan.FromSeconds(90), cancellationToken: cancellationToken);
        return restart.Succeeded ? null : $"systemctl try-restart {string.Join(' ', changed)}: {restart.Message}";
    }
}
