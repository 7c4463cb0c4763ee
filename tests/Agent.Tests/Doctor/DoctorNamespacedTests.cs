using System.Text.Json;
using Fleet.Agent.Backends.Striper;
using Fleet.Agent.Cli;
using Fleet.Agent.Status;
using Fleet.Agent.Storage;
using Fleet.Agent.Tests.Backends.Kernel;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Agent.Tests.Doctor;

/// <summary>
/// <c>fleet-agent doctor</c> against a real <c>fleet-agent run</c> daemon that applied a striper link in a network
/// namespace (its host, <see cref="AgentNamespace"/>): two paths through a middle namespace M to the peer end (a
/// striper backend in namespace P), and one path cut in M with nftables, as the striper's test bed cuts them.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class DoctorNamespacedTests(ITestOutputHelper log)
{
    private static readonly Guid s_host = Guid.Parse("0197a000-0000-7000-8000-000000000c01");
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000c02");
    private const string Credential = "fleet_a_doctor-test";
    private const int Port = 7000;
    private static readonly string s_key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Path i: up{i} (10.7i.0.1) on the host → M → pb{i} (10.7i.1.2) on the peer.</summary>
    private static LinkSpec HostSpec() => new()
    {
        Kind = LinkKind.Striper,
        Name = "str0",
        Members = [.. Paths.Select(i => new MemberSpec { Interface = $"up{i}", Address = $"10.7{i}.0.1", Peer = $"10.7{i}.1.2:{Port}" })],
        Addresses = ["10.79.0.1/30"],
        Striper = new StriperOptions { Key = s_key, Scheduler = StripeSchedulerKind.Weighted },
    };

    private static LinkSpec PeerSpec() => new()
    {
        Kind = LinkKind.Striper,
        Name = "str0",
        Members = [.. Paths.Select(i => new MemberSpec { Interface = $"pb{i}", Address = $"10.7{i}.1.2", LocalPort = Port })],
        Addresses = ["10.79.0.2/30"],
        Striper = new StriperOptions { Key = s_key, Scheduler = StripeSchedulerKind.Weighted },
    };

    private static readonly int[] Paths = [1, 2];
    private static readonly int[] s_ratesMbit = [10, 30];

    [Fact(Timeout = 120_000)]
    public async Task Doctor_StriperPathCutInTheMiddle_TopFindingNamesThatPath()
    {
        Privileged.Require("network namespaces, veth, TUN, nftables");
        Privileged.RequireTool("/usr/sbin/nft", "nftables");
        await using var host = await AgentNamespace.CreateAsync("dr");
        var (middle, network, peerEnd) = await BuildAsync(host, ratesMbit: null);
        using var peerEndDisposal = peerEnd;
        await using var api = await StartApiAsync(host);
        using var agent = await StartAgentAsync(host);

        // Path 2 cut in M: both ends keep carrier, only the probes tell.
        var cut = host.Data.Combine("cut.nft");
        File.WriteAllText(cut, """
            table inet flcut {
              chain cut {
                type filter hook forward priority 0; policy accept;
                iifname { "ma2", "mb2" } drop
              }
            }
            """);
        await network.InAsync(middle, "nft", "-f", cut);
        await Eventually.TrueAsync(() => Members(host).Any(m => m.Interface == "up2" && m.Health == MemberHealth.Down), "up2 down in status.json", TimeSpan.FromSeconds(15), () => agent.Output);
        var (code, output, error) = await CommandLine.InvokeAsync(["doctor", "str0", "--data-dir", host.Data.Path, "--window", "2s", "--json"], Token);

        Assert.True(code == ExitCodes.FindingsFound, $"exit {code}: {output} {error}");
        var diagnosis = JsonSerializer.Deserialize<Diagnosis>(output, FleetJson.Options)!;
        Assert.Equal((s_link, DoctorVerdict.Impaired), (diagnosis.LinkId, diagnosis.Verdict));
        var top = diagnosis.Findings[0];
        Assert.Equal(("member_down", FindingSeverity.Critical, "up2"), (top.Code, top.Severity, top.Member));
        Assert.Contains("up2 down in 100 % of its", top.Observed, StringComparison.Ordinal);
        Assert.DoesNotContain(diagnosis.Findings, f => f.Member == "up1");
        var up1 = diagnosis.Members.Single(m => m.Member == "up1");
        Assert.True(up1.Samples >= 2 && up1.DownShare == 0 && up1.RttMs is not null, $"up1: {up1}");
        Assert.InRange((diagnosis.To - diagnosis.From).TotalSeconds, 1.5, 5);

        // The same diagnosis for people: the finding on top, with its numbers and window.
        var text = await CommandLine.InvokeAsync(["doctor", "str0", "--data-dir", host.Data.Path, "--window", "1s"], Token);
        log.WriteLine(text.Output);
        Assert.Equal(ExitCodes.FindingsFound, text.Code);
        Assert.Contains("str0 (striper, " + s_link + "): impaired — up2 is down", text.Output, StringComparison.Ordinal);
        Assert.Contains("  1. critical member_down (up2): up2 is down", text.Output, StringComparison.Ordinal);

        agent.Terminate();
        await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True((await peerEnd.RemoveAsync(PeerSpec(), Token)).Succeeded);
    }

    [Fact(Timeout = 120_000)]
    public async Task DoctorSpeedTest_EqualWeightsOnTenAndThirtyMbitPaths_MeasuresEachPathAndFindsTheMismatch()
    {
        Privileged.Require("network namespaces, veth, TUN, tc tbf");
        await using var host = await AgentNamespace.CreateAsync("ds");
        var (_, _, peerEnd) = await BuildAsync(host, s_ratesMbit);
        using var peerEndDisposal = peerEnd;
        await using var api = await StartApiAsync(host);
        using var agent = await StartAgentAsync(host);

        var (code, output, error) = await CommandLine.InvokeAsync(["doctor", "str0", "--data-dir", host.Data.Path, "--window", "1s", "--json", "--speed-test"], Token);

        log.WriteLine(output);
        Assert.True(code == ExitCodes.FindingsFound, $"exit {code}: {output} {error}");
        var diagnosis = JsonSerializer.Deserialize<Diagnosis>(output, FleetJson.Options)!;
        foreach (var (member, rate) in new[] { ("up1", s_ratesMbit[0]), ("up2", s_ratesMbit[1]) })
        {
            var measured = diagnosis.Members.Single(m => m.Member == member).MeasuredCapacityBitsPerSecond;
            Assert.True(measured is { } c && c >= rate * 0.85e6 && c <= rate * 1.15e6, $"{member}: {measured} against tbf {rate} Mbit/s");
        }

        // Weights 1:1 on paths of 10 and 30 Mbit/s: up1 is given twice its share.
        var top = diagnosis.Findings[0];
        Assert.Equal(("capacity_mismatch", "up1"), (top.Code, top.Member));
        Assert.Contains("up1 1, up2 3", top.Suggestion, StringComparison.Ordinal);

        var text = await CommandLine.InvokeAsync(["doctor", "str0", "--data-dir", host.Data.Path, "--window", "1s", "--speed-test", "--max-mbit", "50"], Token);
        log.WriteLine(text.Output);
        Assert.Contains("  speed     to the peer, ", text.Output, StringComparison.Ordinal);
        Assert.Contains("  speed     up2: ", text.Output, StringComparison.Ordinal);
        agent.Terminate();
        await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// The host's two paths through M to the peer end, which is started; with <paramref name="ratesMbit"/> each path is
    /// shaped in M with tbf (both directions), as the striper's test bed shapes them.
    /// </summary>
    private static async Task<(string Middle, TestNetwork Network, StriperBackend PeerEnd)> BuildAsync(AgentNamespace host, int[]? ratesMbit)
    {
        var network = host.Network;
        var middle = await network.AddNamespaceAsync("m");
        var peer = await network.AddNamespaceAsync("p");
        foreach (var i in Paths)
        {
            await network.AddVethAsync(host.Name, $"up{i}", middle, $"ma{i}");
            await network.AddVethAsync(middle, $"mb{i}", peer, $"pb{i}");
            await network.AddAddressAsync(host.Name, $"up{i}", $"10.7{i}.0.1/24");
            await network.AddAddressAsync(middle, $"ma{i}", $"10.7{i}.0.2/24");
            await network.AddAddressAsync(middle, $"mb{i}", $"10.7{i}.1.1/24");
            await network.AddAddressAsync(peer, $"pb{i}", $"10.7{i}.1.2/24");
            await network.InAsync(host.Name, "ip", "route", "add", $"10.7{i}.1.0/24", "via", $"10.7{i}.0.2", "dev", $"up{i}");
            await network.InAsync(peer, "ip", "route", "add", $"10.7{i}.0.0/24", "via", $"10.7{i}.1.1", "dev", $"pb{i}");
        }

        await network.InAsync(middle, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        if (ratesMbit is not null)
        {
            foreach (var i in Paths)
            {
                foreach (var device in new[] { $"ma{i}", $"mb{i}" })
                {
                    await network.InAsync(middle, "tc", "qdisc", "add", "dev", device, "root", "tbf", "rate", $"{ratesMbit[i - 1]}mbit", "burst", "32kbit", "latency", "50ms");
                }
            }
        }

        var peerEnd = new StriperBackend(network.Context(peer), TimeProvider.System, NullLogger<StriperBackend>.Instance);
        var peerApplied = await peerEnd.ApplyAsync(null, PeerSpec(), Token);
        if (!peerApplied.Succeeded)
        {
            peerEnd.Dispose();
            Assert.Fail(peerApplied.Error);
        }

        return (middle, network, peerEnd);
    }

    /// <summary>The Api the host's agent enrolls with, desiring the striper link.</summary>
    private static async Task<TestAgentApi> StartApiAsync(AgentNamespace host)
    {
        var state = new TestHubState(s_host, Credential);
        state.Desired.Add(new DesiredLink(s_link, 1, HostSpec()));
        var api = await TestAgentApi.StartAsync(state, address: host.HubAddress);
        host.Enroll(api.Url, s_host, Credential);
        return api;
    }

    /// <summary>The host's daemon, once it has both paths up.</summary>
    private static async Task<AgentProcess> StartAgentAsync(AgentNamespace host)
    {
        var agent = host.StartAgent();
        try
        {
            await Eventually.TrueAsync(() => Members(host).Count(m => m.Health == MemberHealth.Up) == 2, "both paths up in status.json", TimeSpan.FromSeconds(60), () => agent.Output);
            return agent;
        }
        catch
        {
            agent.Dispose();
            throw;
        }
    }

    private static List<MemberStatus> Members(AgentNamespace host) =>
        AtomicFile.ReadJson<AgentStatus>(DataDirectory.StatusFile(host.Data.Path))?.Links.SelectMany(l => l.Members).ToList() ?? [];
}
