using System.Diagnostics;
using System.Text.Json;
using Fleet.Agent.Backends.Striper;
using Fleet.Agent.Cli;
using Fleet.Agent.Processes;
using Fleet.Agent.Status;
using Fleet.Agent.Storage;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Agent.Tests.Doctor;

/// <summary>
/// The doctor's test bed: a real <c>fleet-agent run</c> daemon in a host namespace (<see cref="AgentNamespace"/>) with a
/// link over two paths through a middle namespace M to a peer namespace P. Path i is up{i} (10.7i.0.1) on the host, ma{i}
/// and mb{i} in M, pb{i} (10.7i.1.2) in P. A striper link has its peer end (a striper backend) in P; an MPTCP link has a
/// plain MPTCP peer there (no endpoints, the kernel's default limits), as a server would. Faults are made in M, where
/// neither end sees them: nftables rules, tbf shaping, a delay line.
/// </summary>
internal sealed class DoctorBed : IAsyncDisposable
{
    public static readonly Guid HostId = Guid.Parse("0197a000-0000-7000-8000-000000000c01");
    public static readonly Guid LinkId = Guid.Parse("0197a000-0000-7000-8000-000000000c02");
    private const string Credential = "fleet_a_doctor-test";
    private const int Port = 7000;
    private static readonly string s_key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private readonly List<IDisposable> _processes = [];
    private long _generation = 1;

    private DoctorBed(AgentNamespace host, string middle, string peer)
    {
        Host = host;
        Middle = middle;
        Peer = peer;
    }

    public static IReadOnlyList<int> Paths { get; } = [1, 2];

    /// <summary>The striper's tunnel address of the peer end.</summary>
    public const string PeerTunnelAddress = "10.79.0.2";

    /// <summary>The MPTCP peer's address on path 1 (the address connections are made to).</summary>
    public const string PeerPathAddress = "10.71.1.2";

    public AgentNamespace Host { get; }

    public string Middle { get; }

    public string Peer { get; }

    public TestAgentApi? Api { get; private set; }

    public AgentProcess? Agent { get; private set; }

    public StriperBackend? PeerEnd { get; private set; }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A striper link, scheduler weighted unless <paramref name="change"/> says otherwise.</summary>
    public static LinkSpec StriperHostSpec(Func<MemberSpec, int, MemberSpec>? change = null, StripeSchedulerKind scheduler = StripeSchedulerKind.Weighted) => new()
    {
        Kind = LinkKind.Striper,
        Name = "str0",
        Members = [.. Paths.Select(i => (change ?? ((m, _) => m))(new MemberSpec { Interface = $"up{i}", Address = $"10.7{i}.0.1", Peer = $"10.7{i}.1.2:{Port}" }, i))],
        Addresses = ["10.79.0.1/30"],
        Striper = new StriperOptions { Key = s_key, Scheduler = scheduler },
    };

    /// <summary>The peer end of <see cref="StriperHostSpec"/>.</summary>
    public static LinkSpec StriperPeerSpec() => new()
    {
        Kind = LinkKind.Striper,
        Name = "str0",
        Members = [.. Paths.Select(i => new MemberSpec { Interface = $"pb{i}", Address = $"10.7{i}.1.2", LocalPort = Port })],
        Addresses = [PeerTunnelAddress + "/30"],
        Striper = new StriperOptions { Key = s_key, Scheduler = StripeSchedulerKind.Weighted },
    };

    /// <summary>An MPTCP link over up1 and up2 whose endpoints have <paramref name="flags"/>.</summary>
    public static LinkSpec MptcpHostSpec(MptcpEndpointFlag[] flags, int subflowsLimit) => new()
    {
        Kind = LinkKind.Mptcp,
        Name = "mp0",
        Members = [.. Paths.Select(i => new MemberSpec { Interface = $"up{i}", MptcpFlags = flags })],
        Mptcp = new MptcpOptions { SubflowsLimit = subflowsLimit, AddAddrAcceptedLimit = 2 },
    };

    /// <summary>
    /// Builds the bed for <paramref name="spec"/> (its kind decides the peer), shaping each path with tbf in M when
    /// <paramref name="ratesMbit"/> is given (both directions, as the striper's test bed does), and starts the daemon;
    /// returns once both members are up in <c>status.json</c>.
    /// </summary>
    public static async Task<DoctorBed> StartAsync(string kind, LinkSpec spec, int[]? ratesMbit = null)
    {
        var host = await AgentNamespace.CreateAsync(kind);
        DoctorBed? bed = null;
        try
        {
            var network = host.Network;
            bed = new DoctorBed(host, await network.AddNamespaceAsync("m"), await network.AddNamespaceAsync("p"));
            await bed.WireAsync(ratesMbit);
            if (spec.Kind == LinkKind.Striper)
            {
                bed.PeerEnd = new StriperBackend(network.Context(bed.Peer), TimeProvider.System, NullLogger<StriperBackend>.Instance);
                var applied = await bed.PeerEnd.ApplyAsync(null, StriperPeerSpec(), Token);
                Assert.True(applied.Succeeded, applied.Error);
            }
            else
            {
                // A server's usual MPTCP: enabled, no endpoints, extra subflows allowed, announced addresses not followed.
                await network.InAsync(bed.Peer, "ip", "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted", "0");

                // A subflow bound to up2 (the endpoint names its device) needs a route to the peer through up2; its metric
                // keeps connections that are not bound on up1's route.
                await network.InAsync(host.Name, "ip", "route", "add", "10.71.1.0/24", "via", "10.72.0.2", "dev", "up2", "metric", "10");
            }

            var state = new TestHubState(HostId, Credential);
            state.Desired.Add(new DesiredLink(LinkId, 1, spec));
            bed.Api = await TestAgentApi.StartAsync(state, address: host.HubAddress);
            host.Enroll(bed.Api.Url, HostId, Credential);
            bed.Agent = host.StartAgent();
            var agent = bed.Agent;
            await Eventually.TrueAsync(() => bed.Members().Count(m => m.Health == MemberHealth.Up) == 2, "both members up in status.json", TimeSpan.FromSeconds(60), () => agent.Output);
            return bed;
        }
        catch
        {
            await (bed is null ? host.DisposeAsync() : bed.DisposeAsync());
            throw;
        }
    }

    /// <summary>The link's members in the daemon's <c>status.json</c>.</summary>
    public List<MemberStatus> Members() =>
        AtomicFile.ReadJson<AgentStatus>(DataDirectory.StatusFile(Host.Data.Path))?.Links.SelectMany(l => l.Members).ToList() ?? [];

    /// <summary>The member's sample of the daemon's last interval, if any.</summary>
    public MemberSample? LastSample(string member) =>
        AtomicFile.ReadJson<AgentStatus>(DataDirectory.StatusFile(Host.Data.Path))?.Links.SelectMany(l => l.Samples).LastOrDefault(s => s.Member == member);

    /// <summary><c>fleet-agent doctor LINK --window W --json</c>: the exit code and the diagnosis.</summary>
    public async Task<(int Code, Diagnosis Diagnosis)> DiagnoseAsync(string window = "2s", params string[] more)
    {
        var (code, output, error) = await CommandLine.InvokeAsync(["doctor", LinkId.ToString(), "--data-dir", Host.Data.Path, "--window", window, "--json", .. more], Token);
        Assert.True(code is ExitCodes.Success or ExitCodes.FindingsFound, $"exit {code}: {output} {error}");
        return (code, JsonSerializer.Deserialize<Diagnosis>(output, FleetJson.Options)!);
    }

    /// <summary>
    /// Loads nftables <paramref name="ruleset"/> in M. The devices at both ends of every path segment UDP GSO trains
    /// themselves from then on, so that M sees each datagram as a packet, as a line does: a rule then counts and drops
    /// datagrams. Otherwise one sendmsg's train of datagrams crosses M as one packet and a 5 % drop loses trains, whose
    /// length grows when the machine is loaded (the sender batches more), so the loss comes in bursts and its share
    /// over the doctor's few seconds strays far from 5 %.
    /// </summary>
    public async Task NftInMiddleAsync(string name, string ruleset)
    {
        foreach (var i in Paths)
        {
            await Host.Network.InAsync(Host.Name, "ethtool", "-K", $"up{i}", "tx-udp-segmentation", "off");
            await Host.Network.InAsync(Peer, "ethtool", "-K", $"pb{i}", "tx-udp-segmentation", "off");
        }

        var file = Host.Data.Combine(name + ".nft");
        await File.WriteAllTextAsync(file, ruleset, Token);
        await Host.Network.InAsync(Middle, "nft", "-f", file);
    }

    /// <summary>The packets counted by the first <c>counter</c> of table <paramref name="table"/> in M.</summary>
    public async Task<long> NftCounterAsync(string table) => (await NftCounterBytesAsync(table)).Packets;

    /// <summary>The packets and bytes counted by the first <c>counter</c> of table <paramref name="table"/> in M.</summary>
    public async Task<(long Packets, long Bytes)> NftCounterBytesAsync(string table)
    {
        var listed = (await Host.Network.InAsync(Middle, "nft", "list", "table", "inet", table)).StandardOutput;
        var at = listed.IndexOf("counter packets ", StringComparison.Ordinal);
        Assert.True(at >= 0, listed);
        var words = listed[(at + "counter packets ".Length)..].Split(' ');
        Assert.Equal("bytes", words[1]);
        return (long.Parse(words[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(words[2], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Delays path <paramref name="path"/> by <paramref name="milliseconds"/> in each direction: M routes the packets
    /// arriving on ma{path} or mb{path} into a delay line (a TUN device, <c>delay_line.py</c>) that hands them back late.
    /// </summary>
    public async Task DelayPathAsync(int path, int milliseconds)
    {
        var device = $"dl{path}";
        // Its standard input is how it is told to stop (closed on dispose); it creates the device in M.
        var start = new ProcessStartInfo("ip") { RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in new[] { "netns", "exec", Middle, "python3", Path.Combine(AppContext.BaseDirectory, "Doctor", "delay_line.py"), device, milliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        var line = Process.Start(start)!;
        _processes.Add(line);
        await Eventually.TrueAsync(
            async () => line.HasExited || (await Host.Network.Runner.RunAsync("ip", ["-n", Middle, "link", "show", device], cancellationToken: Token)).Succeeded,
            $"the delay line's {device} in M", TimeSpan.FromSeconds(10));
        Assert.False(line.HasExited, $"the delay line exited with {(line.HasExited ? line.ExitCode : 0)}");
        var table = (100 + path).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Host.Network.InAsync(Middle, "ip", "link", "set", device, "up");
        await Host.Network.InAsync(Middle, "ip", "route", "add", "default", "dev", device, "table", table);
        await Host.Network.InAsync(Middle, "ip", "rule", "add", "iif", $"ma{path}", "lookup", table, "pref", "100");
        await Host.Network.InAsync(Middle, "ip", "rule", "add", "iif", $"mb{path}", "lookup", table, "pref", "101");
    }

    /// <summary>Gives the daemon <paramref name="spec"/> as the link's next generation.</summary>
    public Task PushAsync(LinkSpec spec) => Api!.PushAsync(new DesiredLink(LinkId, ++_generation, spec));

    /// <summary>
    /// Starts an iperf3 server in P and a client on the host sending to <paramref name="server"/> at
    /// <paramref name="rate"/> for <paramref name="seconds"/> (UDP, or under mptcpize with <paramref name="mptcp"/>); the
    /// task completes with the client's result.
    /// </summary>
    public async Task<Task<CommandResult>> StartLoadAsync(string server, string rate, int seconds, bool mptcp = false)
    {
        var network = Host.Network;
        var timeout = TimeSpan.FromSeconds(seconds + 30);
        string[] prefix = mptcp ? ["mptcpize", "run", "iperf3"] : ["iperf3"];
        var serving = network.Context(Peer).RunAsync(prefix[0], [.. prefix[1..], "-s", "-1", "-p", "5201"], timeout, cancellationToken: Token);
        await Eventually.TrueAsync(
            async () => serving.IsCompleted || (await network.Context(Peer).RunAsync("ss", [mptcp ? "-HMln" : "-Hltn", "sport", "=", ":5201"], cancellationToken: Token)).StandardOutput.Contains("5201", StringComparison.Ordinal),
            "the iperf3 server listening", TimeSpan.FromSeconds(10));
        Assert.False(serving.IsCompleted, $"the iperf3 server exited: {(serving.IsCompleted ? serving.Result.Message : "")}");
        string[] client = [.. prefix[1..], "-c", server, "-p", "5201", "-b", rate, "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), .. mptcp ? Array.Empty<string>() : ["-u", "-l", "1200"]];
        var sending = network.Context(Host.Name).RunAsync(prefix[0], client, timeout, cancellationToken: Token);
        return BothAsync(sending, serving);
    }

    public async ValueTask DisposeAsync()
    {
        if (Agent is { } agent)
        {
            agent.Terminate();
            await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));
            agent.Dispose();
        }

        foreach (var process in _processes.OfType<Process>())
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill();
            }
        }

        _processes.ForEach(p => p.Dispose());
        if (PeerEnd is { } peerEnd)
        {
            await peerEnd.RemoveAsync(StriperPeerSpec(), CancellationToken.None);
            peerEnd.Dispose();
        }

        if (Api is { } api)
        {
            await api.DisposeAsync();
        }

        await Host.DisposeAsync();
    }

    private static async Task<CommandResult> BothAsync(Task<CommandResult> client, Task<CommandResult> server)
    {
        var result = await client;
        await server;
        return result;
    }

    private async Task WireAsync(int[]? ratesMbit)
    {
        var network = Host.Network;
        foreach (var i in Paths)
        {
            await network.AddVethAsync(Host.Name, $"up{i}", Middle, $"ma{i}");
            await network.AddVethAsync(Middle, $"mb{i}", Peer, $"pb{i}");
            await network.AddAddressAsync(Host.Name, $"up{i}", $"10.7{i}.0.1/24");
            await network.AddAddressAsync(Middle, $"ma{i}", $"10.7{i}.0.2/24");
            await network.AddAddressAsync(Middle, $"mb{i}", $"10.7{i}.1.1/24");
            await network.AddAddressAsync(Peer, $"pb{i}", $"10.7{i}.1.2/24");
            await network.InAsync(Host.Name, "ip", "route", "add", $"10.7{i}.1.0/24", "via", $"10.7{i}.0.2", "dev", $"up{i}");
            await network.InAsync(Peer, "ip", "route", "add", $"10.7{i}.0.0/24", "via", $"10.7{i}.1.1", "dev", $"pb{i}");
            foreach (var device in ratesMbit is null ? [] : new[] { $"ma{i}", $"mb{i}" })
            {
                await network.InAsync(Middle, "tc", "qdisc", "add", "dev", device, "root", "tbf", "rate", $"{ratesMbit![i - 1]}mbit", "burst", "32kbit", "latency", "50ms");
            }
        }

        await network.InAsync(Middle, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    }
}
