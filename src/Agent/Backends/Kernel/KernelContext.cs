using System.Text.RegularExpressions;
using Fleet.Agent.Processes;

namespace Fleet.Agent.Backends.Kernel;

/// <summary>
/// Where the kernel backends act: the agent's own network namespace (production: the host's) or a named namespace
/// (tests, and agents that manage a namespace). It answers the two questions a backend asks, "run this tool" and
/// "read this kernel file", the same way in both cases, so production and tests share one code path.
/// <para>
/// A process sees <c>/proc/net</c> and <c>/sys/class/net</c> of its own namespace. In a named namespace every command
/// is wrapped in <c>ip netns exec NAME</c> (<c>ip -n NAME</c> and <c>tc -n NAME</c> for iproute2's own tools), which
/// enters the namespace and remounts <c>/sys</c> for it; files are read with <c>cat</c> and written with <c>tee</c>
/// through the same wrapper, so a path means the same thing either way.
/// </para>
/// </summary>
public sealed partial class KernelContext
{
    private static readonly TimeSpan s_fileTimeout = TimeSpan.FromSeconds(10);
    private readonly ICommandRunner _runner;
    private readonly ICommandStreamer _streamer;

    private KernelContext(ICommandRunner runner, ICommandStreamer streamer, string? namespaceName)
    {
        _runner = runner;
        _streamer = streamer;
        Namespace = namespaceName;
    }

    /// <summary>The namespace name, or null for the agent's own namespace.</summary>
    public string? Namespace { get; }

    /// <summary>"host" or "netns NAME", for messages.</summary>
    public string Description => Namespace is null ? "host" : $"netns {Namespace}";

    /// <summary>The agent's own network namespace.</summary>
    public static KernelContext Host(ICommandRunner runner, ICommandStreamer streamer) => new(runner, streamer, null);

    /// <summary>A named network namespace (<c>/run/netns/NAME</c>).</summary>
    /// <exception cref="ArgumentException">The name is not a safe namespace name.</exception>
    public static KernelContext InNamespace(string name, ICommandRunner runner, ICommandStreamer streamer)
    {
        if (!IsValidNamespaceName(name))
        {
            throw new ArgumentException($"'{name}' is not a network namespace name (letters, digits, '.', '_', '-', not starting with '-' or '.'; at most 64)", nameof(name));
        }

        return new(runner, streamer, name);
    }

    /// <summary>True for names <c>ip netns</c> accepts and that are safe as a path component.</summary>
    public static bool IsValidNamespaceName(string? name) => name is not null && NamespaceNamePattern().IsMatch(name) && name is not ("." or "..");

    /// <summary>Runs <paramref name="tool"/> (found on PATH) in this context.</summary>
    public Task<CommandResult> RunAsync(string tool, IReadOnlyList<string> arguments, TimeSpan? timeout = null, string? standardInput = null, CancellationToken cancellationToken = default)
    {
        var (fileName, fullArguments) = Wrap(tool, arguments);
        return _runner.RunAsync(fileName, fullArguments, timeout, standardInput, cancellationToken);
    }

    /// <summary>Runs <c>ip</c> with <paramref name="arguments"/> in this context.</summary>
    public Task<CommandResult> IpAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        RunAsync("ip", arguments, cancellationToken: cancellationToken);

    /// <summary>Reads a kernel file (<c>/proc/net/bonding/bond0</c>, <c>/proc/sys/net/mptcp/enabled</c>); null when it does not exist or cannot be read.</summary>
    public async Task<string?> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        CheckPath(path);
        if (Namespace is null)
        {
            try
            {
                return await File.ReadAllTextAsync(path, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        var result = await RunAsync("cat", ["--", path], s_fileTimeout, cancellationToken: cancellationToken);
        return result.Succeeded ? result.StandardOutput : null;
    }

    /// <summary>Writes <paramref name="content"/> to an existing kernel file (a sysfs or procfs attribute).</summary>
    public async Task<CommandResult> WriteFileAsync(string path, string content, CancellationToken cancellationToken)
    {
        CheckPath(path);
        if (Namespace is null)
        {
            try
            {
                // FileMode.Open: attributes exist; never create a regular file by mistake.
                await using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
                var bytes = System.Text.Encoding.ASCII.GetBytes(content);
                await stream.WriteAsync(bytes, cancellationToken);
                await stream.FlushAsync(cancellationToken);
                return new CommandResult(0, "", "");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return new CommandResult(1, "", $"{path}: {ex.Message}");
            }
        }

        return await RunAsync("tee", ["--", path], s_fileTimeout, content, cancellationToken);
    }

    /// <summary>
    /// Brings a device that the kernel created in the initial namespace (teql devices appear there when
    /// <c>sch_teql</c> loads) into this context. Nothing to do for the agent's own namespace.
    /// </summary>
    public Task<CommandResult> AdoptFromInitialNamespaceAsync(string device, CancellationToken cancellationToken)
    {
        if (Namespace is null)
        {
            return Task.FromResult(new CommandResult(0, "", ""));
        }

        // Not wrapped: this runs in the agent's (initial) namespace and moves the device into ours.
        return _runner.RunAsync("ip", ["link", "set", "dev", device, "netns", Namespace], cancellationToken: cancellationToken);
    }

    /// <summary>Gives a device adopted with <see cref="AdoptFromInitialNamespaceAsync"/> back to the initial namespace.</summary>
    public Task<CommandResult> ReturnToInitialNamespaceAsync(string device, CancellationToken cancellationToken)
    {
        if (Namespace is null)
        {
            return Task.FromResult(new CommandResult(0, "", ""));
        }

        // "netns 1": the namespace of PID 1, the initial one (ip netns exec does not change the PID namespace).
        return RunAsync("ip", ["link", "set", "dev", device, "netns", "1"], cancellationToken: cancellationToken);
    }

    /// <summary>Starts a long-running tool (a monitor) in this context.</summary>
    public ICommandStream StartStream(string tool, IReadOnlyList<string> arguments)
    {
        var (fileName, fullArguments) = Wrap(tool, arguments);
        return _streamer.Start(fileName, fullArguments);
    }

    private (string FileName, IReadOnlyList<string> Arguments) Wrap(string tool, IReadOnlyList<string> arguments)
    {
        if (Namespace is null)
        {
            return (tool, arguments);
        }

        // ip and tc enter a namespace themselves (-n, the same setns and /sys remount as ip netns exec): one process
        // instead of two, which counts where processes are expensive (the kernel VM runs under emulation).
        List<string> wrapped = tool is "ip" or "tc"
            ? new(arguments.Count + 2) { "-n", Namespace }
            : new(arguments.Count + 4) { "netns", "exec", Namespace, tool };
        wrapped.AddRange(arguments);
        return (tool is "tc" ? "tc" : "ip", wrapped);
    }

    private static void CheckPath(string path)
    {
        if (!path.StartsWith("/proc/", StringComparison.Ordinal) && !path.StartsWith("/sys/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{path}' is not a kernel file under /proc or /sys", nameof(path));
        }

        if (path.Contains("/../", StringComparison.Ordinal) || path.EndsWith("/..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{path}' climbs out of its directory", nameof(path));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex NamespaceNamePattern();
}
