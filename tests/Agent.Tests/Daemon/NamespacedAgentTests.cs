using Fleet.Agent.Cli;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Testing;

namespace Fleet.Agent.Tests.Daemon;

/// <summary>
/// A real <c>fleet-agent run</c> process driving real kernel state: the agent runs inside a network namespace (its
/// host) and talks to the loopback test hub over a veth (<see cref="AgentNamespace"/>).
/// </summary>
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class NamespacedAgentTests
{
    private static readonly Guid s_host = Guid.Parse("0197a000-0000-7000-8000-000000000801");
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000802");
    private const string Credential = "fleet_a_namespaced-agent-test";

    public static TheoryData<string> StopKinds => ["mptcp", "striper"];

    /// <summary>Issue 20: once an MPTCP link was applied, SIGTERM made the agent exit 1 (ObjectDisposedException at disposal).</summary>
    [Theory]
    [MemberData(nameof(StopKinds))]
    public async Task Sigterm_LinkApplied_ExitsZeroWithCleanLog(string kind)
    {
        Privileged.Require("network namespaces, MPTCP and TUN");
        await using var host = await AgentNamespace.CreateAsync("sg");
        await host.InAsync("ip", "addr", "add", "10.68.0.1/24", "dev", "lo");
        var spec = kind == "mptcp"
            ? new LinkSpec
            {
                Kind = LinkKind.Mptcp,
                Name = "mp0",
                Members = [new MemberSpec { Interface = "up0", MptcpFlags = [MptcpEndpointFlag.Signal] }],
            }
            : StriperDialingTheHub(host, "str0", "10.68.1.1/30");
        var state = new TestHubState(s_host, Credential);
        await using var api = await StartHubAsync(host, state, spec);
        using var agent = host.StartAgent();

        await Eventually.TrueAsync(() => state.States.Any(s => s.Phase == LinkPhase.Applied), $"{kind} link applied", TimeSpan.FromSeconds(60), () => agent.Output);
        await Eventually.TrueAsync(() => !state.Stored.IsEmpty, "a batch stored (the link was observed)", TimeSpan.FromSeconds(30), () => agent.Output);
        agent.Terminate();
        await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(agent.ExitCode == ExitCodes.Success, $"exit code {agent.ExitCode}; output: {agent.Output}");
        Assert.DoesNotContain("Exception", agent.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("fail:", agent.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("crit:", agent.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 20: a striper link whose peer never answers (it dials a port where nothing listens) was reported Applied
    /// with its members Unknown forever. Now, after the striper's no-answer timeout, the member is Down in the samples
    /// and a member_down event says why.
    /// </summary>
    [Fact]
    public async Task StriperPeerNeverAnswers_MemberDownWithReasonInSamplesAndEvents()
    {
        Privileged.Require("network namespaces and TUN");
        await using var host = await AgentNamespace.CreateAsync("na");
        var spec = StriperDialingTheHub(host, "str0", "10.68.3.1/30");
        var state = new TestHubState(s_host, Credential);
        await using var api = await StartHubAsync(host, state, spec);
        using var agent = host.StartAgent();

        await Eventually.TrueAsync(() => state.States.Any(s => s.Phase == LinkPhase.Applied), "striper link applied", TimeSpan.FromSeconds(60), () => agent.Output);
        await Eventually.TrueAsync(
            () => state.Stored.Values.SelectMany(b => b.Events).Any(e => e.Kind == AgentEventKind.MemberDown && e.LinkId == s_link && e.Member == "up0"),
            "a member_down event for up0", TimeSpan.FromSeconds(30), () => agent.Output);

        var down = state.Stored.Values.SelectMany(b => b.Events).First(e => e.Kind == AgentEventKind.MemberDown && e.Member == "up0");
        Assert.Contains("no answer from peer", down.Message, StringComparison.Ordinal);
        await Eventually.TrueAsync(
            () => state.Stored.Values.SelectMany(b => b.Samples).Any(s => s.Member == "up0" && s.Health == MemberHealth.Down),
            "a sample with up0 down", TimeSpan.FromSeconds(10), () => agent.Output);
        agent.Terminate();
        await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Issue 20: the host's interface list lacked the TUN device the agent created, because the inventory went only
    /// with the hello. After applying a striper link the agent sends the inventory again, with the device.
    /// </summary>
    [Fact]
    public async Task StriperLinkApplied_InventorySentAgainWithItsTunDevice()
    {
        Privileged.Require("network namespaces and TUN");
        await using var host = await AgentNamespace.CreateAsync("iv");
        var spec = StriperDialingTheHub(host, "str7", "10.68.4.1/30");
        var state = new TestHubState(s_host, Credential);
        await using var api = await StartHubAsync(host, state, spec);
        using var agent = host.StartAgent();

        await Eventually.TrueAsync(() => !state.Hellos.IsEmpty, "hello", TimeSpan.FromSeconds(60), () => agent.Output);
        Assert.DoesNotContain(state.Hellos.First().Interfaces, i => i.Name == "str7");
        await Eventually.TrueAsync(
            () => state.Inventories.Any(inventory => inventory.Interfaces.Any(i => i.Name == "str7" && i.Addresses.Contains("10.68.4.1/30"))),
            "an inventory with str7 and its address", TimeSpan.FromSeconds(20), () => agent.Output);
        agent.Terminate();
        await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ExitCodes.Success, agent.ExitCode);
    }

    /// <summary>
    /// Issue 10 (High 3): the agent is SIGKILLed inside the backend, after <c>ip route replace default dev str0</c> took
    /// the host's default route and before the apply finished. Restarted, it rolls the unfinished change back (the
    /// default route via the gateway is back and answers) and reports it, without waiting for the Api to repeat it.
    /// </summary>
    [Fact]
    public async Task SigkillDuringApply_Restart_RollsBackRestoresTheDefaultRouteAndReports()
    {
        Privileged.Require("network namespaces and TUN");
        await using var host = await AgentNamespace.CreateAsync("kl");
        var gateway = host.HubAddress.ToString();
        await host.InAsync("ip", "route", "add", "default", "via", gateway, "dev", "up0");
        var spec = new LinkSpec
        {
            Kind = LinkKind.Striper,
            Name = "str0",
            Members = [new MemberSpec { Interface = "up0", Peer = $"{gateway}:7000" }],
            Addresses = ["10.68.2.1/30"],
            Routes = [new RouteSpec { Destination = "default" }],
            Striper = new StriperOptions { Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()) },
        };
        var state = new TestHubState(s_host, Credential);
        await using var api = await StartHubAsync(host, state, spec);

        // The agent's ip runs the real command, then stops forever once it has replaced the default route: the agent
        // is inside the backend's apply when it is killed.
        var wrapper = host.Data.Combine("bin");
        var marker = host.Data.Combine("inside-apply");
        Directory.CreateDirectory(wrapper);
        var realIp = (await new Fleet.Agent.Processes.CommandRunner().RunAsync("sh", ["-c", "command -v ip"], cancellationToken: TestContext.Current.CancellationToken)).StandardOutput.Trim();
        File.WriteAllText(Path.Combine(wrapper, "ip"), $$"""
            #!/bin/sh
            {{realIp}} "$@"
            code=$?
            case " $* " in
              *" route replace default "*) touch {{marker}}; exec sleep 600 ;;
            esac
            exit $code
            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(Path.Combine(wrapper, "ip"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using (var first = host.StartAgent(path: $"{wrapper}:{Environment.GetEnvironmentVariable("PATH")}"))
        {
            await Eventually.TrueAsync(() => File.Exists(marker), "the agent is inside the apply", TimeSpan.FromSeconds(90), () => first.Output);
            Assert.Contains("dev str0", (await host.InAsync("ip", "-4", "route", "show", "default")).StandardOutput);
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.DoesNotContain($"via {gateway}", (await host.InAsync("ip", "-4", "route", "show", "default")).StandardOutput);
        using var second = host.StartAgent();

        await Eventually.TrueAsync(() => state.States.Any(s => s.Phase == LinkPhase.RolledBack), "the unfinished apply reported rolled back", TimeSpan.FromSeconds(60), () => second.Output);
        var rolledBack = state.States.Last(s => s.Phase == LinkPhase.RolledBack);
        Assert.Equal(1, rolledBack.TargetGeneration);
        Assert.Equal(0, rolledBack.ObservedGeneration);
        Assert.Contains("stopped while applying generation 1", rolledBack.Error, StringComparison.Ordinal);
        Assert.Contains($"default via {gateway} dev up0", (await host.InAsync("ip", "-4", "route", "show", "default")).StandardOutput);
        Assert.Equal(0, await host.Network.PingLossAsync(host.Name, gateway, count: 3));
        await Eventually.TrueAsync(() => state.Stored.Values.SelectMany(b => b.Events).Any(e => e.Kind == AgentEventKind.RolledBack), "a rolled_back event stored", TimeSpan.FromSeconds(30), () => second.Output);

        // The Api repeats generation 1 on every connect; a rolled-back generation is not applied again.
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        Assert.DoesNotContain(state.States.SkipWhile(s => s != rolledBack), s => s.Phase == LinkPhase.Applied || s.AwaitingConfirm);
        second.Terminate();
        await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>A striper link on <c>up0</c> whose peer is the hub's address, port 7000, where nothing listens: it never gets an answer.</summary>
    private static LinkSpec StriperDialingTheHub(AgentNamespace host, string name, string address) => new()
    {
        Kind = LinkKind.Striper,
        Name = name,
        Members = [new MemberSpec { Interface = "up0", Peer = $"{host.HubAddress}:7000" }],
        Addresses = [address],
        Striper = new StriperOptions { Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()) },
    };

    /// <summary>The test hub on the namespace's uplink, desiring <paramref name="spec"/>, with the namespace enrolled to it.</summary>
    private static async Task<TestAgentApi> StartHubAsync(AgentNamespace host, TestHubState state, LinkSpec spec)
    {
        state.Desired.Add(new DesiredLink(s_link, 1, spec));
        var api = await TestAgentApi.StartAsync(state, address: host.HubAddress);
        host.Enroll(api.Url, s_host, Credential);
        return api;
    }
}
