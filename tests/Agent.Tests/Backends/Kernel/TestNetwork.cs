using System.Security.Cryptography;
using Fleet.Agent.Backends.Kernel;
using Fleet.Agent.Processes;

namespace Fleet.Agent.Tests.Backends.Kernel;

/// <summary>
/// Network namespaces and veth pairs for one test, named <c>fl&lt;kind&gt;&lt;6 hex&gt;&lt;role&gt;</c> (docs/architecture.md) so
/// parallel tests and other engineers' runs never collide; everything is deleted on dispose. Interfaces are created
/// directly inside the namespaces, so their short names need only be unique there.
/// </summary>
internal sealed class TestNetwork : IAsyncDisposable
{
    private readonly List<string> _namespaces = [];

    private TestNetwork(string kind)
    {
        Prefix = $"fl{kind}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
    }

    /// <summary>The per-run prefix of every namespace.</summary>
    public string Prefix { get; }

    public CommandRunner Runner { get; } = new();

    public ProcessCommandStreamer Streamer { get; } = new();

    public static TestNetwork Create(string kind) => new(kind);

    /// <summary>Creates namespace PREFIX+role with loopback up and reverse-path filtering off (members and the bonded device share subnets in these tests).</summary>
    public async Task<string> AddNamespaceAsync(string role)
    {
        var name = Prefix + role;
        await MustAsync("ip", "netns", "add", name);
        _namespaces.Add(name);
        await MustAsync("ip", "-n", name, "link", "set", "lo", "up");
        foreach (var key in new[] { "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.default.rp_filter" })
        {
            await MustAsync("ip", "netns", "exec", name, "sysctl", "-qw", $"{key}=0");
        }

        return name;
    }

    /// <summary>A veth pair from <paramref name="leftName"/> in <paramref name="left"/> to <paramref name="rightName"/> in <paramref name="right"/>, both up.</summary>
    public async Task AddVethAsync(string left, string leftName, string right, string rightName)
    {
        await MustAsync("ip", "link", "add", leftName, "netns", left, "type", "veth", "peer", "name", rightName, "netns", right);
        await MustAsync("ip", "-n", left, "link", "set", leftName, "up");
        await MustAsync("ip", "-n", right, "link", "set", rightName, "up");
    }

    /// <summary>Adds an address to a device in a namespace.</summary>
    public Task AddAddressAsync(string ns, string device, string cidr) => MustAsync("ip", "-n", ns, "addr", "add", cidr, "dev", device);

    /// <summary>The backends' execution context for a namespace.</summary>
    public KernelContext Context(string ns) => KernelContext.InNamespace(ns, Runner, Streamer);

    /// <summary>Runs a command inside a namespace; fails the test when it fails.</summary>
    public Task<CommandResult> InAsync(string ns, params string[] command) => MustAsync(["ip", "netns", "exec", ns, .. command]);

    /// <summary>Runs a command; fails the test when it fails.</summary>
    public async Task<CommandResult> MustAsync(params string[] command)
    {
        var result = await Runner.RunAsync(command[0], command[1..], TimeSpan.FromSeconds(60));
        Assert.True(result.Succeeded, $"{string.Join(' ', command)} failed ({result.ExitCode}): {result.Message}");
        return result;
    }

    /// <summary>Pings <paramref name="target"/> from <paramref name="ns"/>; returns the packet loss in percent.</summary>
    public async Task<int> PingLossAsync(string ns, string target, int count = 8, string interval = "0.1")
    {
        var result = await Runner.RunAsync("ip", ["netns", "exec", ns, "ping", "-n", "-q", "-c", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", interval, "-W", "1", target], TimeSpan.FromSeconds(60));
        var loss = ParseLoss(result.StandardOutput);
        Assert.True(loss is not null, $"ping printed no loss figure: {result.StandardOutput} {result.StandardError}");
        return loss.Value;
    }

    /// <summary>
    /// Pings <paramref name="target"/> from <paramref name="ns"/> and fails unless every packet is answered; the failure
    /// shows ping's own lines (which sequence numbers went missing) and <paramref name="state"/>, the caller's account of
    /// the link at that moment. A reply may take up to 3 s (a loaded emulated guest), but none may be lost.
    /// </summary>
    public async Task AssertNoPingLossAsync(string ns, string target, Func<Task<string>> state, int count = 8, string interval = "0.1")
    {
        var result = await Runner.RunAsync("ip", ["netns", "exec", ns, "ping", "-n", "-c", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", interval, "-W", "3", target], TimeSpan.FromSeconds(60));
        var loss = ParseLoss(result.StandardOutput);
        if (loss != 0)
        {
            Assert.Fail($"ping {target} from {ns}: {(loss is null ? "no loss figure" : $"{loss} % loss")} (exit {result.ExitCode}): {result.StandardOutput.Trim().ReplaceLineEndings(" | ")} {result.StandardError.Trim()}; state: {await state()}");
        }
    }

    private static int? ParseLoss(string output)
    {
        foreach (var line in output.Split('\n'))
        {
            var at = line.IndexOf("% packet loss", StringComparison.Ordinal);
            if (at > 0)
            {
                var start = line.LastIndexOf(' ', at) + 1;
                return (int)double.Parse(line[start..at], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _namespaces)
        {
            // Kill what still runs inside (iperf3, ping) so the namespace really goes away.
            var pids = await Runner.RunAsync("ip", ["netns", "pids", name]);
            foreach (var pid in pids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await Runner.RunAsync("kill", ["-9", pid]);
            }

            await Runner.RunAsync("ip", ["netns", "del", name]);
        }
    }
}
