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
            : new LinkSpec
            {
                Kind = LinkKind.Striper,
                Name = "str0",
                Members = [new MemberSpec { Interface = "up0", Peer = $"{host.HubAddress}:7000" }],
                Addresses = ["10.68.1.1/30"],
                Striper = new StriperOptions { Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()) },
            };
        var state = new TestHubState(s_host, Credential);
        state.Desired.Add(new DesiredLink(s_link, 1, spec));
        await using var api = await TestAgentApi.StartAsync(state, address: host.HubAddress);
        host.Enroll(api.Url, s_host, Credential);
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
}
